import { KsadError } from '../core/errors.js';

/**
 * How long each kind of Engine API call may take before ksad gives up on it with
 * ENGINE_UNAVAILABLE naming the call. Health waits keep their own deadline (`--timeout`); each
 * inspect they poll with is a read.
 */
export interface EngineTimeouts {
  /** Reads: version, inspect, list, logs. */
  readMs: number;
  /** Writes: create, start, remove, rename; networks and volumes. A stop adds its grace period. */
  writeMs: number;
  /** A pull may go this long without any progress from the engine; no overall limit while it moves. */
  pullStallMs: number;
}

/** Reads answer in milliseconds on a healthy engine; writes may wait on the engine's own locks. */
export const DEFAULT_ENGINE_TIMEOUTS: EngineTimeouts = {
  readMs: 10_000,
  writeMs: 30_000,
  pullStallMs: 120_000,
};

function seconds(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(value > 0) || value > 86_400) {
    throw new KsadError('USAGE', `${name}="${raw}" is not a number of seconds`, {
      suggestions: [`set ${name} to a number of seconds between 0 and 86400, e.g. ${name}=30`],
    });
  }
  return Math.round(value * 1000);
}

/**
 * The timeouts from the environment: `KSAD_ENGINE_TIMEOUT` (seconds) bounds every quick call,
 * reads and writes alike; `KSAD_PULL_TIMEOUT` (seconds) is how long a pull may go without progress.
 *
 * @throws KsadError USAGE when a value is not a positive number of seconds.
 */
export function engineTimeouts(env: Readonly<Record<string, string | undefined>>): EngineTimeouts {
  const quick = seconds(env, 'KSAD_ENGINE_TIMEOUT');
  const pull = seconds(env, 'KSAD_PULL_TIMEOUT');
  return {
    readMs: quick ?? DEFAULT_ENGINE_TIMEOUTS.readMs,
    writeMs: quick ?? DEFAULT_ENGINE_TIMEOUTS.writeMs,
    pullStallMs: pull ?? DEFAULT_ENGINE_TIMEOUTS.pullStallMs,
  };
}

/** `10 s`, `1.5 s`, `2 min`. */
export function formatLimit(ms: number): string {
  if (ms >= 120_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Number((ms / 1000).toFixed(1))} s`;
}
