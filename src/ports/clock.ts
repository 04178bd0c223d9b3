import type { LocalZone } from '../core/calendar.js';

/** Time comes into the core as a value; this port supplies it. */
export interface Clock {
  now(): Date;
  /**
   * The machine's own time zone at `at`, the last resort for a command that knows no host, region
   * or catalog zone. A clock without it (a test's fixed clock) is on UTC.
   */
  zone?(at: Date): LocalZone;
}
