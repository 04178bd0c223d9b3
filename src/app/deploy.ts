import { isEngineFault, KsadError } from '../core/errors.js';
import { overallHash } from '../core/release-hash.js';
import { parseAppRef, resolveVersion } from '../core/resolve.js';
import type { ReleaseRecord } from '../core/release.js';
import type { TargetChange } from '../ports/deploy-target.js';
import type { Operator, ProcessProbe } from '../ports/identity.js';
import type { Progress } from '../ports/progress.js';
import { deploySummary, releaseRecord, type DeploySummary } from './deploy-record.js';
import { lockRequest, withLock } from './lock.js';
import { refusePortConflicts } from './port-conflicts.js';
import {
  prepareDeploy,
  readHostFacts,
  type DeployContext,
  type DeployRequest,
  type Prepared,
} from './prepare.js';

export interface DeployRunContext extends DeployContext {
  operator: Operator;
  probe: ProcessProbe;
  progress: Progress;
}

export interface DeployOptions {
  /** How long a service may take to become healthy (or running, without a healthcheck). */
  healthTimeoutMs: number;
  /** The command line, recorded with the lock. */
  command: string;
  /** The new revision's description instead of install/upgrade/update (e.g. "rollback to revision 3"). */
  description?: string;
  /** Status given to the revision this change replaces: `superseded` (default) or `rolled-back`. */
  replacedStatus?: 'superseded' | 'rolled-back';
}

export interface DeployResult extends DeploySummary {
  /** `installed`, `upgraded`, `updated` (same version, new config) or `unchanged`. */
  outcome: 'installed' | 'upgraded' | 'updated' | 'unchanged';
  revision: number;
  durationMs: number;
}

/**
 * Installs or upgrades an app: everything is worked out first (version, MoU, overlays, plan),
 * then under the app's lock the host is read again, the plan applied through the deploy target
 * and the revision recorded in the release store. A deploy that would change nothing is answered
 * from a read of the host, as `ksad plan` is, and takes no lock, unless another change holds the
 * lock: then it goes the locked way like any other.
 */
export async function deployApp(
  ctx: DeployRunContext,
  req: DeployRequest,
  opts: DeployOptions,
): Promise<DeployResult> {
  const started = ctx.clock.now().getTime();
  const app = resolveVersion(ctx.catalog, parseAppRef(req.ref)).manifest.name;
  // The engine's facts and the host profile belong to no app: read once, with or without the lock.
  const host = readHostFacts(ctx);
  host.catch(() => undefined);
  const [first, holder] = await ctx.progress.step('Resolve app, MoU and configuration', () =>
    Promise.all([prepareDeploy(ctx, req, host), ctx.store.lockHolder(app)]),
  );
  if (holder === null && isUnchanged(ctx, first)) return result(ctx, first, 'unchanged', started);
  // Taken host ports are refused before the lock is taken, and again under it.
  refusePortConflicts(app, first.portConflicts);

  return withLock(ctx.store, app, lockRequest(ctx, opts.command), async () => {
    let prepared = await prepareDeploy(ctx, req, host);
    if (await ctx.target.recover(prepared.actual, opts.healthTimeoutMs, ctx.progress)) {
      prepared = await prepareDeploy(ctx, req);
    }
    refuseConflicts(prepared);
    refusePortConflicts(prepared.loaded.manifest.name, prepared.portConflicts);
    if (isUnchanged(ctx, prepared)) return result(ctx, prepared, 'unchanged', started);
    await applyAndRecord(ctx, prepared, opts);
    return result(ctx, prepared, outcomeOf(prepared), started);
  });
}

/** Images, then secrets, then the change, then the records; a failed change is recorded and thrown. */
async function applyAndRecord(
  ctx: DeployRunContext,
  p: Prepared,
  opts: DeployOptions,
): Promise<void> {
  const change = targetChange(p, opts);
  const record = releaseRecord(ctx, p, overallHash(p.desired.services), opts.description);
  // Images first: a missing image then leaves nothing behind, not even a stored secret.
  await ctx.target.provideImages(change, ctx.progress);
  // Secrets are stored before any container uses them: a crash must not lose a generated
  // password. Supplied ones too, so later upgrades and rollbacks find every value on the host.
  const secrets = secretsToStore(p);
  if (secrets) await ctx.store.saveSecrets(record.app, secrets);

  const applied = await ctx.target.apply(change, ctx.progress);
  if (!applied.ok) return recordFailure(ctx, p, record, applied.error, applied.restoreError);

  await ctx.progress.step('Finish release', async () => {
    // The replaced containers go while the records are written: a crash in between leaves
    // parked containers that the next deploy recovers.
    await Promise.all([applied.finish(), recordDeployed(ctx, p, record, opts)]);
    await ctx.store.pruneHistory(record.app, p.profile.policy.historyLimit);
  });
}

/** The new record first: a crash in between leaves two "deployed" records (the newest wins), never none. */
async function recordDeployed(
  ctx: DeployRunContext,
  p: Prepared,
  record: ReleaseRecord,
  opts: DeployOptions,
): Promise<void> {
  await ctx.store.saveRelease(record);
  const replaced = p.history.filter(
    (r) => r.status === 'deployed' && r.revision !== record.revision,
  );
  const status = opts.replacedStatus ?? 'superseded';
  await Promise.all(replaced.map((r) => ctx.store.saveRelease({ ...r, status })));
}

/**
 * Records the failed revision and throws what failed, with what was undone. When the engine itself
 * stopped answering, the failure says so and that the deploy can be run again once it is back; the
 * record is still attempted, and the message says whether it could be written.
 */
async function recordFailure(
  ctx: DeployRunContext,
  p: Prepared,
  record: ReleaseRecord,
  error: unknown,
  restoreError?: unknown,
): Promise<never> {
  const why = failureText(error);
  const engineGone = isEngineFault(error);
  const undone =
    restoreError !== undefined
      ? engineGone
        ? p.current
          ? 'could not restore the previous state'
          : 'could not remove what it had created'
        : `restoring the previous state failed too (${failureText(restoreError)}); run the deploy again to recover`
      : p.current
        ? `rolled back to revision ${p.current.revision} (${p.current.version}), which runs again`
        : 'removed what it had created';
  const again = engineGone
    ? '; run the deploy again once the engine is back: ksad then recovers the interrupted change'
    : '';
  const notRecorded = await ctx.store
    .saveRelease({
      ...record,
      status: 'failed',
      description: `${record.description} failed: ${why}; ${undone}`,
    })
    .then(
      () => undefined,
      (saveError: unknown) => saveError ?? new Error('unknown failure'),
    );
  if (notRecorded === undefined) {
    // Pruning is housekeeping: the next deploy prunes again.
    await ctx.store.pruneHistory(record.app, p.profile.policy.historyLimit).catch(() => 0);
  }
  const recordNote =
    notRecorded === undefined
      ? ''
      : `; the failed attempt (revision ${record.revision}) could not be recorded on the host: ${
          isEngineFault(notRecorded)
            ? 'the engine did not answer that either'
            : failureText(notRecorded)
        }`;
  const known = error instanceof KsadError ? error : undefined;
  throw new KsadError(
    known?.code ?? 'DEPLOY_FAILED',
    `${record.description} of ${record.app} failed: ${why}; ksad ${undone}${again}${recordNote}`,
    {
      details: known?.details ?? [],
      suggestions: [
        ...(known?.suggestions ?? []).filter(
          (s) =>
            !s.startsWith('the previous state was restored') &&
            !(engineGone && s.startsWith('run the command again')),
        ),
        notRecorded === undefined
          ? `revision ${record.revision} is recorded as failed: ksad history ${record.app}`
          : `revision ${record.revision} is missing from the history of ${record.app} (ksad history ${record.app}): the attempt left no record`,
      ],
      cause: error,
      ...(known?.reason ? { reason: known.reason } : {}),
    },
  );
}

function targetChange(p: Prepared, opts: DeployOptions): TargetChange {
  return {
    app: p.loaded.manifest.name,
    desired: p.desired,
    plan: p.plan,
    actual: p.actual,
    imagesPresent: p.imagesPresent,
    currentRevision: p.current?.revision ?? null,
    healthTimeoutMs: opts.healthTimeoutMs,
    secretValues: [...Object.values(p.secrets.values), ...(p.tls ? [p.tls.key] : [])],
    secrets: p.secrets.values,
    ...(p.tls ? { tls: p.tls } : {}),
  };
}

/** Nothing to create, recreate or remove, the same release, and no change left half-done. */
function isUnchanged(ctx: DeployContext, p: Prepared): boolean {
  return (
    p.plan.conflicts.length === 0 &&
    !p.plan.changes &&
    p.current !== null &&
    p.current.manifestDigest === p.loaded.digest &&
    p.current.configHash === overallHash(p.desired.services) &&
    !ctx.target.interrupted(p.actual)
  );
}

function refuseConflicts(p: Prepared): void {
  if (p.plan.conflicts.length === 0) return;
  throw new KsadError(
    'DEPLOY_FAILED',
    `resources with ksad's names exist on the host but were not made by ksad`,
    {
      details: p.plan.conflicts,
      suggestions: ['rename or remove them (docker rm / docker network rm), then deploy again'],
    },
  );
}

/**
 * The secrets to store, or null when the host already holds them. Values of secrets this version
 * no longer declares are kept: a rollback, or a later version that declares them again, finds the
 * value the data was made with instead of a new one. Only `uninstall --purge-data` removes them.
 */
function secretsToStore(p: Prepared): Record<string, string> | null {
  const stored = p.storedSecrets;
  const merged = { ...stored, ...p.secrets.values };
  const changed = Object.entries(merged).some(([name, value]) => stored[name] !== value);
  return changed ? merged : null;
}

function outcomeOf(p: Prepared): DeployResult['outcome'] {
  if (p.current === null) return 'installed';
  return p.current.version === p.loaded.manifest.version ? 'updated' : 'upgraded';
}

function result(
  ctx: DeployContext,
  p: Prepared,
  outcome: DeployResult['outcome'],
  started: number,
): DeployResult {
  return {
    ...deploySummary(p),
    outcome,
    revision: outcome === 'unchanged' ? (p.current?.revision ?? 0) : p.desired.app.revision,
    durationMs: ctx.clock.now().getTime() - started,
  };
}

function failureText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
