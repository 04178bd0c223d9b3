import type { ContainerInfo } from '../core/engine-model.js';
import { KsadError } from '../core/errors.js';
import { overallHash } from '../core/release-hash.js';
import { parseAppRef, resolveVersion } from '../core/resolve.js';
import type { ReleaseRecord } from '../core/release.js';
import { maskSecrets } from '../core/secrets.js';
import type { DesiredService } from '../core/service-specs.js';
import type { DockerEngine } from '../ports/docker-engine.js';
import type { Operator, ProcessProbe } from '../ports/identity.js';
import type { Progress } from '../ports/progress.js';
import { HostState } from './host-state.js';
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

export interface DeployResult {
  app: string;
  version: string;
  /** `installed`, `upgraded`, `updated` (same version, new config) or `unchanged`. */
  outcome: 'installed' | 'upgraded' | 'updated' | 'unchanged';
  revision: number;
  previousVersion: string | null;
  mou: ReleaseRecord['mou'];
  services: Array<{ service: string; action: string; reason: string }>;
  /** Published endpoints, e.g. http://127.0.0.1:18080 for service web. */
  endpoints: Array<{ service: string; name: string | null; url: string }>;
  secretsGenerated: string[];
  durationMs: number;
}

// Inspecting a container costs a few milliseconds; a short poll keeps a deploy close to the engine's own pace.
const POLL_MS = 50;

/** A service's old container, parked under `<name>-rN-old` while its replacement starts. */
const PARKED = /-r\d+-old$/;

/**
 * Installs or upgrades an app: everything is worked out first (version, MoU, overlays, plan), then
 * the app's lock is taken and the plan applied level by level along `dependsOn`. A recreated
 * service's old container is stopped and kept until its replacement is healthy; when anything
 * fails, new containers are removed and kept ones brought back, so the previous revision runs on.
 * A deploy that would change nothing is answered from a read of the host, as `ksad plan` is, and
 * takes no lock, unless another change holds the lock: then it goes the locked way like any other.
 */
export async function deployApp(
  ctx: DeployRunContext,
  req: DeployRequest,
  opts: DeployOptions,
): Promise<DeployResult> {
  const started = ctx.clock.now().getTime();
  const state = new HostState(ctx.engine);
  const app = resolveVersion(ctx.catalog, parseAppRef(req.ref)).manifest.name;
  // The engine's facts and the host profile belong to no app: read once, with or without the lock.
  const host = readHostFacts(ctx.engine);
  host.catch(() => undefined);
  const [first, holder] = await ctx.progress.step('Resolve app, MoU and configuration', () =>
    Promise.all([prepareDeploy(ctx, req, host), state.lockHolder(app)]),
  );
  if (holder === null && isUnchanged(first)) return unchangedResult(ctx, first, started);

  // Under the lock the host is read again: what was read before may have changed meanwhile.
  const release = await state.lock(app, ctx.operator, opts.command, ctx.probe, ctx.clock.now());
  try {
    let prepared = await prepareDeploy(ctx, req, host);
    if (await recoverInterrupted(ctx.engine, prepared.actual.containers, ctx.progress)) {
      prepared = await prepareDeploy(ctx, req);
    }
    return await apply(ctx, state, prepared, opts, started);
  } finally {
    await release();
  }
}

/** Nothing to create, recreate or remove, the same release, and no change left half-done. */
function isUnchanged(p: Prepared): boolean {
  return (
    p.plan.conflicts.length === 0 &&
    !p.plan.changes &&
    p.current !== null &&
    p.current.manifestDigest === p.loaded.digest &&
    p.current.configHash === overallHash(p.desired.services) &&
    !p.actual.containers.some((c) => PARKED.test(c.name))
  );
}

function summary(p: Prepared): Omit<DeployResult, 'outcome' | 'revision' | 'durationMs'> {
  return {
    app: p.loaded.manifest.name,
    version: p.loaded.manifest.version,
    previousVersion: p.current?.version ?? null,
    mou: p.grant,
    services: p.plan.services.map((s) => ({
      service: s.service,
      action: s.action,
      reason: s.reason,
    })),
    endpoints: endpoints(p),
    secretsGenerated: p.secrets.generated,
  };
}

function unchangedResult(ctx: DeployRunContext, p: Prepared, started: number): DeployResult {
  return {
    ...summary(p),
    outcome: 'unchanged',
    revision: p.current?.revision ?? 0,
    durationMs: ctx.clock.now().getTime() - started,
  };
}

async function apply(
  ctx: DeployRunContext,
  state: HostState,
  p: Prepared,
  opts: DeployOptions,
  started: number,
): Promise<DeployResult> {
  const { manifest } = p.loaded;
  const app = manifest.name;
  if (p.plan.conflicts.length > 0) {
    throw new KsadError(
      'DEPLOY_FAILED',
      `resources with ksad's names exist on the host but were not made by ksad`,
      {
        details: p.plan.conflicts,
        suggestions: ['rename or remove them (docker rm / docker network rm), then deploy again'],
      },
    );
  }
  if (isUnchanged(p)) return unchangedResult(ctx, p, started);
  const configHash = overallHash(p.desired.services);
  const base = summary(p);

  // Pull first: a missing image then leaves nothing behind, not even a stored secret.
  const work = p.plan.services.filter((s) => s.action === 'create' || s.action === 'recreate');
  await pullImages(ctx, p, new Set(work.map((s) => s.service)));

  // Secrets are stored before any container uses them: a crash must not lose a generated password.
  // Supplied ones too, so later upgrades and rollbacks find every value on the host.
  const stored = p.storedSecrets;
  const secretsChanged =
    Object.keys(stored).length !== Object.keys(p.secrets.values).length ||
    Object.entries(p.secrets.values).some(([name, value]) => stored[name] !== value);
  if (secretsChanged) await state.saveSecrets(app, p.secrets.values);

  const record = releaseRecord(ctx, p, configHash, opts.description);
  const createdIds: string[] = [];
  const kept: Array<{ service: DesiredService; old: ContainerInfo; parkedName: string }> = [];
  const createdNetwork = p.plan.network.action === 'create';
  try {
    await ctx.progress.step('Prepare network and volumes', async () => {
      const toCreate = p.plan.volumes.filter((v) => v.action === 'create');
      await Promise.all([
        createdNetwork
          ? ctx.engine.createNetwork(p.desired.network.name, p.desired.network.labels)
          : undefined,
        ...toCreate.map((v) => {
          const desired = p.desired.volumes.find((d) => d.name === v.name);
          return ctx.engine.createVolume(v.name, desired?.labels ?? {});
        }),
      ]);
    });

    const byName = new Map(p.desired.services.map((s) => [s.service, s]));
    const planBy = new Map(p.plan.services.map((s) => [s.service, s]));
    for (const level of p.desired.levels) {
      const busy = level.filter((name) => {
        const action = planBy.get(name)?.action;
        return action === 'create' || action === 'recreate';
      });
      if (busy.length === 0) continue;
      await ctx.progress.step(`Start ${busy.join(', ')}`, async (detail) => {
        // allSettled, not all: a sibling still parking or starting when one fails must finish
        // first, or the restore below would miss its parked container and its new one.
        await settleAll(
          busy.map(async (name) => {
            const service = byName.get(name);
            const step = planBy.get(name);
            if (!service || !step) return;
            if (step.action === 'recreate' && step.containerId) {
              const old = p.actual.containers.find((c) => c.id === step.containerId);
              if (old) {
                const parkedName = `${service.spec.name}-r${p.current?.revision ?? 0}-old`;
                if (old.state === 'running')
                  await ctx.engine.stopContainer(old.id, service.spec.stopTimeoutSec);
                await ctx.engine.renameContainer(old.id, parkedName);
                kept.push({ service, old, parkedName });
              }
            }
            const id = await ctx.engine.createContainer(service.spec);
            createdIds.push(id);
            await ctx.engine.startContainer(id);
            detail(`waiting for ${name} to become ${service.healthcheck ? 'healthy' : 'running'}`);
            await waitReady(
              ctx,
              id,
              service,
              opts.healthTimeoutMs,
              Object.values(p.secrets.values),
            );
          }),
        );
      });
    }
  } catch (error) {
    // Every service goes back, including those already recreated (and healthy) in earlier levels.
    let restoreError: unknown;
    try {
      await ctx.progress.step('Restore the previous state', async () => {
        await Promise.all(createdIds.map((id) => ctx.engine.removeContainer(id, { force: true })));
        const order = new Map(
          p.desired.levels.flatMap((level, i) => level.map((name) => [name, i] as const)),
        );
        const back = [...kept].sort(
          (a, b) => (order.get(a.service.service) ?? 0) - (order.get(b.service.service) ?? 0),
        );
        // Level by level, each ready before the next starts, so "runs again" is true when said.
        for (const level of p.desired.levels) {
          const group = back.filter(({ service }) => level.includes(service.service));
          await Promise.all(
            group.map(async ({ service, old }) => {
              await ctx.engine.renameContainer(old.id, service.spec.name);
              if (old.state !== 'running') return;
              await ctx.engine.startContainer(old.id);
              await waitRestored(ctx, old.id, service.spec.name, opts.healthTimeoutMs);
            }),
          );
        }
        if (createdNetwork && p.current === null)
          await ctx.engine.removeNetwork(p.desired.network.name);
      });
    } catch (e) {
      restoreError = e;
    }
    const why = failureText(error);
    const undone =
      restoreError !== undefined
        ? `restoring the previous state failed too (${failureText(restoreError)}); run the deploy again to recover`
        : p.current
          ? `rolled back to revision ${p.current.revision} (${p.current.version}), which runs again`
          : 'removed what it had created';
    await state.saveRelease({
      ...record,
      status: 'failed',
      description: `${record.description} failed: ${why}; ${undone}`,
    });
    await state.pruneHistory(app, p.profile.policy.historyLimit);
    const known = error instanceof KsadError ? error : undefined;
    throw new KsadError(
      known?.code ?? 'DEPLOY_FAILED',
      `${record.description} of ${app} failed: ${why}; ksad ${undone}`,
      {
        details: known?.details ?? [],
        suggestions: [
          ...(known?.suggestions ?? []).filter(
            (s) => !s.startsWith('the previous state was restored'),
          ),
          `revision ${record.revision} is recorded as failed: ksad history ${app}`,
        ],
        cause: error,
      },
    );
  }

  await ctx.progress.step('Finish release', async () => {
    const removals = p.plan.services.filter((s) => s.action === 'remove' && s.containerId);
    const replaced = p.history.filter(
      (r) => r.status === 'deployed' && r.revision !== record.revision,
    );
    // The old containers go while the records are written: a crash in between leaves parked
    // containers that the next deploy clears (recoverInterrupted).
    await Promise.all([
      ...kept.map(({ old }) => ctx.engine.removeContainer(old.id, { force: true })),
      ...removals.map(async (s) => {
        await ctx.engine.stopContainer(s.containerId ?? '', 10);
        await ctx.engine.removeContainer(s.containerId ?? '', { force: true });
      }),
      (async () => {
        // The new record first: a crash in between leaves two "deployed" records (the newest
        // wins), never none.
        await state.saveRelease(record);
        await Promise.all(
          replaced.map((r) =>
            state.saveRelease({ ...r, status: opts.replacedStatus ?? 'superseded' }),
          ),
        );
      })(),
    ]);
    await state.pruneHistory(app, p.profile.policy.historyLimit);
  });

  const outcome =
    p.current === null
      ? 'installed'
      : p.current.version === manifest.version
        ? 'updated'
        : 'upgraded';
  return {
    ...base,
    outcome,
    revision: record.revision,
    durationMs: ctx.clock.now().getTime() - started,
  };
}

async function pullImages(
  ctx: DeployRunContext,
  p: Prepared,
  services: Set<string>,
): Promise<void> {
  const images = [
    ...new Set(p.desired.services.filter((s) => services.has(s.service)).map((s) => s.spec.image)),
  ];
  const missing = images.filter((ref) => !p.imagesPresent.has(ref));
  if (missing.length === 0) return;
  await ctx.progress.step(
    `Pull ${missing.length} image${missing.length === 1 ? '' : 's'} by digest`,
    async (detail) => {
      await Promise.all(
        missing.map(async (ref) => {
          await ctx.engine.pullImage(ref, (e) => detail(`${shortRef(ref)}: ${e.status}`));
          const info = await ctx.engine.inspectImage(ref);
          const digest = ref.slice(ref.indexOf('@') + 1);
          if (!info || !info.repoDigests.some((d) => d.endsWith(`@${digest}`))) {
            throw new KsadError(
              'INTEGRITY',
              `image ${ref} does not match its pinned digest after the pull`,
              {
                suggestions: [
                  'the registry serves different content than the manifest pins; tell the publisher',
                ],
              },
            );
          }
        }),
      );
    },
  );
}

function shortRef(ref: string): string {
  const at = ref.indexOf('@');
  return at === -1 ? ref : `${ref.slice(0, at)}@${ref.slice(at + 1, at + 20)}…`;
}

/** Waits until the container is healthy (or running, without a healthcheck); fails with its logs. */
async function waitReady(
  ctx: DeployRunContext,
  id: string,
  service: DesiredService,
  timeoutMs: number,
  secretValues: string[],
): Promise<void> {
  const deadline = ctx.clock.now().getTime() + timeoutMs;
  for (;;) {
    const info = await ctx.engine.inspectContainer(id);
    if (!info)
      throw await serviceFailure(
        ctx.engine,
        id,
        service,
        'its container disappeared',
        secretValues,
      );
    if (info.state === 'exited' || info.state === 'dead') {
      throw await serviceFailure(
        ctx.engine,
        id,
        service,
        `it exited with code ${info.exitCode}`,
        secretValues,
      );
    }
    if (info.state === 'running') {
      if (!service.healthcheck || info.health === 'healthy') return;
      if (info.health === 'unhealthy') {
        throw await serviceFailure(
          ctx.engine,
          id,
          service,
          'its health check failed',
          secretValues,
          info.healthLog,
        );
      }
    }
    if (ctx.clock.now().getTime() > deadline) {
      throw await serviceFailure(
        ctx.engine,
        id,
        service,
        `it did not become ${service.healthcheck ? 'healthy' : 'running'} within ${Math.round(timeoutMs / 1000)} s`,
        secretValues,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Waits until a restored container runs again, and is healthy when it has a health check. */
async function waitRestored(
  ctx: DeployRunContext,
  id: string,
  name: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = ctx.clock.now().getTime() + timeoutMs;
  for (;;) {
    const info = await ctx.engine.inspectContainer(id);
    if (info?.state === 'running' && (info.health === 'none' || info.health === 'healthy')) return;
    if (!info || info.state === 'exited' || info.state === 'dead' || info.health === 'unhealthy') {
      throw new KsadError('DEPLOY_FAILED', `the restored container ${name} did not run again`);
    }
    if (ctx.clock.now().getTime() > deadline) {
      throw new KsadError(
        'DEPLOY_FAILED',
        `the restored container ${name} was not ready within ${Math.round(timeoutMs / 1000)} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function serviceFailure(
  engine: DockerEngine,
  id: string,
  service: DesiredService,
  why: string,
  secretValues: string[],
  healthLog: readonly string[] = [],
): Promise<KsadError> {
  let logs = '';
  try {
    logs = await engine.containerLogs(id, 20);
  } catch {
    logs = '';
  }
  const prefixed = (text: string): string[] =>
    maskSecrets(text, secretValues)
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => `${service.service} | ${l}`);
  const lines = prefixed(logs);
  const probes = healthLog.flatMap(prefixed);
  return new KsadError('DEPLOY_FAILED', `service ${service.service} failed to start: ${why}`, {
    details: [
      ...(probes.length > 0 ? ['last health check output:', ...probes] : []),
      ...(lines.length > 0 ? ['last log lines:', ...lines] : ['the container wrote no logs']),
    ],
    suggestions: [
      'the previous state was restored; nothing else changed',
      `check the service's configuration: ksad render ${service.spec.labels['id.ksad.app'] ?? ''}`,
    ],
  });
}

/**
 * A deploy killed mid-way can leave a service's old container parked under `<name>-rN-old`. When
 * the service's own container is gone, the parked one is the last good state: bring it back;
 * otherwise the parked one is leftover and goes.
 */
export async function recoverInterrupted(
  engine: DockerEngine,
  containers: readonly ContainerInfo[],
  progress: Progress,
): Promise<number> {
  const parked = containers.filter((c) => PARKED.test(c.name));
  if (parked.length === 0) return 0;
  await progress.step(
    `Recover ${parked.length} container(s) left by an interrupted change`,
    async () => {
      for (const c of parked) {
        const canonical = c.name.replace(PARKED, '');
        const current = containers.find((x) => x.name === canonical);
        // Only a replacement that proved itself replaces the parked one; one still starting may
        // never become healthy, so the parked (last good) one comes back and the plan redoes it.
        const proven = current?.health === 'healthy' || current?.health === 'none';
        if (current && current.state === 'running' && proven) {
          await engine.removeContainer(c.id, { force: true });
        } else {
          if (current) await engine.removeContainer(current.id, { force: true });
          await engine.renameContainer(c.id, canonical);
          await engine.startContainer(c.id);
        }
      }
    },
  );
  return parked.length;
}

function releaseRecord(
  ctx: DeployRunContext,
  p: Prepared,
  configHash: string,
  description?: string,
): ReleaseRecord {
  const { manifest } = p.loaded;
  const services: ReleaseRecord['services'] = {};
  for (const s of p.desired.services) {
    services[s.service] = {
      configHash: s.configHash,
      image: s.spec.image,
      containerName: s.spec.name,
    };
  }
  const catalog: ReleaseRecord['catalog'] = { name: ctx.catalog.name };
  if (ctx.catalog.commit !== undefined) catalog.commit = ctx.catalog.commit;
  return {
    app: manifest.name,
    publisher: manifest.publisher,
    version: manifest.version,
    revision: p.desired.app.revision,
    manifestDigest: p.loaded.digest,
    manifestFile: p.loaded.file,
    catalog,
    configHash,
    services,
    levels: p.desired.levels,
    config: p.config,
    secretNames: Object.keys(manifest.secrets).sort(),
    mou: p.grant,
    signature: p.signature,
    deployedBy: `${ctx.operator.user}@${ctx.operator.hostname}`,
    deployedAt: ctx.clock.now().toISOString(),
    status: 'deployed',
    ...(Object.keys(p.serviceOverrides).length > 0 ? { serviceOverrides: p.serviceOverrides } : {}),
    description:
      description ??
      (p.current === null
        ? `install ${manifest.version}`
        : p.current.version === manifest.version
          ? `update ${manifest.version} (configuration)`
          : `upgrade ${p.current.version} → ${manifest.version}`),
  };
}

function endpoints(p: Prepared): DeployResult['endpoints'] {
  const out: DeployResult['endpoints'] = [];
  for (const s of p.desired.services) {
    const declared = p.loaded.manifest.services[s.service]?.ports ?? [];
    for (const port of s.spec.ports) {
      const name = declared.find((d) => d.container === port.container)?.name ?? null;
      const scheme =
        name === 'http' || name === 'web' ? 'http' : name === 'https' ? 'https' : 'tcp';
      out.push({ service: s.service, name, url: `${scheme}://${port.hostIp}:${port.hostPort}` });
    }
  }
  return out;
}

/** Waits for every task, then fails with the first failure. */
async function settleAll(tasks: ReadonlyArray<Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

function failureText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
