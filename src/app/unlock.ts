import { KsadError } from '../core/errors.js';
import type { Operator, ProcessProbe } from '../ports/identity.js';
import type { LockHolder, ReleaseStore } from '../ports/release-store.js';
import { describeHolder, holderState, type HolderState } from './lock.js';

export interface UnlockContext {
  store: ReleaseStore;
  operator: Operator;
  probe: ProcessProbe;
}

export interface UnlockResult {
  app: string;
  /** Who held the lock that was cleared; null when the app was not locked. */
  cleared: LockHolder | null;
  /** What became of the holder (only when a lock was cleared). */
  holder?: HolderState;
  /** The holder was still running and `--force` cleared its lock anyway. */
  forced?: boolean;
}

/**
 * Clears the app's lock when its holder can no longer be working: its process has ended on this
 * machine, or it ran on another machine (which ksad cannot look into; the message names it). A
 * holder still running here keeps its lock unless `force` is given.
 */
export async function unlockApp(
  ctx: UnlockContext,
  app: string,
  opts: { force: boolean },
): Promise<UnlockResult> {
  const holder = await ctx.store.lockHolder(app);
  if (!holder) return { app, cleared: null };
  const state = holderState(holder, ctx.operator, ctx.probe);
  if (state === 'running' && !opts.force) {
    throw new KsadError(
      'LOCKED',
      `${app} is locked by ${describeHolder(holder)}, and that process is still running on this machine: the lock is not stale`,
      {
        suggestions: [
          `wait for it to finish, or stop it first (kill ${holder.pid}); then ksad unlock ${app} clears the lock`,
          `ksad unlock ${app} --force clears it anyway: the running operation goes on without its lock, so another deploy, rollback or uninstall of ${app} could change the same containers and records at the same time (a half-applied change, or one revision recorded over another)`,
        ],
      },
    );
  }
  const cleared = await ctx.store.unlock(app);
  if (!cleared) return { app, cleared: null };
  return { app, cleared, holder: state, forced: state === 'running' };
}
