import { KsadError } from '../core/errors.js';
import type { Operator, ProcessProbe } from '../ports/identity.js';
import type { ReleaseStore } from '../ports/release-store.js';

/**
 * Takes the app's lock or fails with LOCKED naming the holder. A lock whose holder ran on this
 * machine and is gone is stale: it is reported as such so `ksad unlock` can clear it.
 */
export async function takeLock(
  store: ReleaseStore,
  app: string,
  who: { operator: Operator; probe: ProcessProbe; command: string; now: Date },
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
    const stale = current.hostname === operator.hostname && !probe.isAlive(current.pid);
    throw new KsadError(
      'LOCKED',
      `${app} is locked by ${current.user}@${current.hostname} (pid ${current.pid}, "${current.command}") since ${current.since}${stale ? '; that process is gone, so the lock is stale' : ''}`,
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
