import { KsadError } from '../core/errors.js';
import type { Operator, ProcessProbe } from '../ports/identity.js';
import type { LockHolder, ReleaseStore } from '../ports/release-store.js';

/**
 * Whether a lock's holder still works: `running` on this machine (same hostname, its pid alive),
 * `gone` (it ran here and its process has ended) or `elsewhere` (another machine: ksad cannot tell).
 */
export type HolderState = 'running' | 'gone' | 'elsewhere';

/** The one rule for a lock's staleness, used when a lock is refused and when it is cleared. */
export function holderState(
  holder: LockHolder,
  operator: Operator,
  probe: ProcessProbe,
): HolderState {
  if (holder.hostname !== operator.hostname) return 'elsewhere';
  return probe.isAlive(holder.pid) ? 'running' : 'gone';
}

/** How a holder is named in messages. */
export function describeHolder(holder: LockHolder): string {
  return `${holder.user}@${holder.hostname} (pid ${holder.pid}, "${holder.command}") since ${holder.since}`;
}

/** Who asks for a lock: the operator and process of this run, its command line, now. */
export interface LockRequest {
  operator: Operator;
  probe: ProcessProbe;
  command: string;
  now: Date;
}

/**
 * Takes the app's lock or fails with LOCKED naming the holder. A lock whose holder ran on this
 * machine and is gone is stale: it is reported as such so `ksad unlock` can clear it.
 */
export async function takeLock(
  store: ReleaseStore,
  app: string,
  who: LockRequest,
): Promise<() => Promise<void>> {
  const { operator, probe } = who;
  try {
    return await store.lock(app, {
      ...operator,
      command: who.command,
      since: who.now.toISOString(),
    });
  } catch (error) {
    if (!(error instanceof KsadError) || error.code !== 'LOCKED') throw error;
    const current = await store.lockHolder(app);
    if (!current) throw error;
    const stale = holderState(current, operator, probe) === 'gone';
    throw new KsadError(
      'LOCKED',
      `${app} is locked by ${describeHolder(current)}${stale ? '; that process is gone, so the lock is stale' : ''}`,
      {
        suggestions: stale
          ? [
              `clear the stale lock: ksad unlock ${app}`,
              'then run the command again; ksad recovers the interrupted change',
            ]
          : [
              'wait for that operation to finish and try again',
              `if it was killed on another machine: ksad unlock ${app}`,
            ],
      },
    );
  }
}

/** The lock request of a use-case's run of `command`. */
export function lockRequest(
  ctx: { operator: Operator; probe: ProcessProbe; clock: { now(): Date } },
  command: string,
): LockRequest {
  return { operator: ctx.operator, probe: ctx.probe, command, now: ctx.clock.now() };
}

/**
 * Runs `work` under the app's lock (see {@link takeLock}) and releases it. When `work` failed and
 * the lock cannot be released either (the engine is gone), the failure is what is thrown, with a
 * word that the lock may be left: it is stale once this process ends, and the next command says so.
 */
export async function withLock<T>(
  store: ReleaseStore,
  app: string,
  who: LockRequest,
  work: () => Promise<T>,
): Promise<T> {
  const release = await takeLock(store, app, who);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    const released = await release().then(
      () => true,
      () => false,
    );
    throw released ? error : withLockLeft(error, app);
  }
  await release();
  return result;
}

function withLockLeft(error: unknown, app: string): unknown {
  if (!(error instanceof KsadError)) return error;
  return new KsadError(error.code, error.message, {
    details: error.details,
    suggestions: [
      ...error.suggestions,
      `the lock on ${app} could not be released either: if the next command finds it locked by this finished process, clear it with ksad unlock ${app}`,
    ],
    cause: error.cause ?? error,
    ...(error.reason ? { reason: error.reason } : {}),
  });
}
