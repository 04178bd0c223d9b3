import type { Calendar } from '../core/calendar.js';

const WHOSE: Record<Calendar['source'], string> = {
  host: "the host's zone",
  region: "--region's zone",
  catalog: "the catalog's zone",
  machine: "this machine's zone",
};

/** The zone a date was taken in, e.g. `WITA (UTC+08:00, the host's zone)`. */
export function zoneText(c: Calendar): string {
  return `${c.zone} (UTC${c.utcOffset}, ${WHOSE[c.source]})`;
}

/** The day a command went by, e.g. `2026-12-01 WITA (UTC+08:00, the host's zone)`. */
export function calendarText(c: Calendar): string {
  return c.fixed ? `${c.date} (given; ${zoneText(c)})` : `${c.date} ${zoneText(c)}`;
}
