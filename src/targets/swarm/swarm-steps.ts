/**
 * The steps a swarm applies a change in: network, volumes and secrets; services level by level
 * (create, or update and follow the engine's rollout); on a failure, the whole release put back;
 * once recorded, what the change replaced retired. `target.ts` runs them.
 */
import { Label } from '../../core/labels.js';
import type { DesiredService } from '../../core/service-specs.js';
import type { SwarmServiceInfo } from '../../core/swarm-model.js';
import type { TargetChange } from '../../ports/deploy-target.js';
import type { Progress } from '../../ports/progress.js';
import { followUpdate, waitCreated, waitSettled, type RolloutEnv } from './rollout.js';
import { secretLabels, secretObjects, swarmServiceSpec } from './service-spec.js';

/** What a change did so far: what putting the release back undoes. */
export interface Applied {
  created: Array<{ id: string; name: string }>;
  /** Services updated, each with its spec from before (the engine's own, to put back verbatim). */
  updated: SwarmServiceInfo[];
  createdNetwork: boolean;
  /** Swarm secrets this change created. */
  secrets: string[];
}

/** How long one service's rollout may take: each task in turn, then the monitor window. */
function rolloutTimeout(change: TargetChange, replicas: number, monitorMs: number): number {
  return Math.max(1, replicas) * (change.healthTimeoutMs + monitorMs) + 10_000;
}

function busy(change: TargetChange): Map<string, 'create' | 'recreate'> {
  const out = new Map<string, 'create' | 'recreate'>();
  for (const s of change.plan.services)
    if (s.action === 'create' || s.action === 'recreate') out.set(s.service, s.action);
  return out;
}

/** Network, volumes and secrets, then each level's busy services in parallel, each followed to its end. */
export async function applyLevels(
  env: RolloutEnv,
  change: TargetChange,
  done: Applied,
  progress: Progress,
  monitorMs: number,
): Promise<void> {
  await progress.step('Prepare overlay network, volumes and secrets', async () => {
    if (change.plan.network.action === 'create') {
      await env.swarm.createOverlayNetwork(
        change.desired.network.name,
        change.desired.network.labels,
      );
      done.createdNetwork = true;
    }
    const volumes = change.plan.volumes.filter((v) => v.action === 'create');
    await Promise.all(
      volumes.map((v) =>
        env.engine.createVolume(
          v.name,
          change.desired.volumes.find((d) => d.name === v.name)?.labels ?? {},
        ),
      ),
    );
    await ensureSecrets(env, change, done);
  });
  const actions = busy(change);
  for (const level of change.desired.levels) {
    const names = level.filter((n) => actions.has(n));
    if (names.length === 0) continue;
    await progress.step(`Roll out ${names.join(', ')}`, async (detail) => {
      const results = await Promise.allSettled(
        names.map(async (name) => {
          const service = change.desired.services.find((s) => s.service === name);
          if (service)
            await rollOut(
              env,
              change,
              service,
              actions.get(name) ?? 'create',
              done,
              detail,
              monitorMs,
            );
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    });
  }
}

/** Each secret a service uses, as a Swarm secret named by its content (existing ones are reused). */
async function ensureSecrets(env: RolloutEnv, change: TargetChange, done: Applied): Promise<void> {
  const wanted = new Map<string, { secret: string; value: string }>();
  for (const service of change.desired.services)
    for (const s of secretObjects(change.app, service, change.secrets ?? {})) wanted.set(s.name, s);
  if (wanted.size === 0) return;
  const existing = new Set(
    (await env.swarm.listSecrets({ [Label.kind]: 'secret', [Label.app]: change.app })).map(
      (s) => s.name,
    ),
  );
  for (const [name, s] of wanted) {
    if (existing.has(name)) continue;
    await env.swarm.createSecret(name, secretLabels(change.app, s.secret), Buffer.from(s.value));
    done.secrets.push(name);
  }
}

async function rollOut(
  env: RolloutEnv,
  change: TargetChange,
  service: DesiredService,
  action: 'create' | 'recreate',
  done: Applied,
  detail: (text: string) => void,
  monitorMs: number,
): Promise<void> {
  const secrets = secretObjects(change.app, service, change.secrets ?? {});
  const step = change.plan.services.find((s) => s.service === service.service);
  const before =
    action === 'recreate' && step?.containerId
      ? await env.swarm.inspectService(step.containerId)
      : null;
  const spec = swarmServiceSpec(change.app, service, {
    secrets,
    monitorMs,
    force: (before?.forceUpdate ?? 0) + (before ? 1 : 0),
  });
  const timeout = rolloutTimeout(change, spec.replicas, monitorMs);
  const target = { name: spec.name, replicas: spec.replicas, env: service.spec.env };
  if (!before) {
    const id = await env.swarm.createService(spec);
    done.created.push({ id, name: spec.name });
    await waitCreated(env, { ...target, id }, timeout, change.secretValues, detail);
    return;
  }
  // An update the engine is still rolling (a kill mid-deploy) must settle before a new one starts.
  const settled = (await waitSettled(env, before.id, timeout)) ?? before;
  done.updated.push(settled);
  if (settled.replicas === 0) {
    // A stopped service has no task to roll: the engine starts the new spec's tasks and records
    // no UpdateStatus, so its new tasks are what to wait for.
    const earlier = new Set((await env.swarm.listTasks(settled.id)).map((t) => t.id));
    await env.swarm.updateService(settled.id, settled.version, spec);
    await waitCreated(
      env,
      { ...target, id: settled.id },
      timeout,
      change.secretValues,
      detail,
      earlier,
    );
    return;
  }
  await env.swarm.updateService(settled.id, settled.version, spec);
  await followUpdate(
    env,
    { ...target, id: settled.id },
    settled.updateStatus?.startedAt ?? null,
    timeout,
    change.secretValues,
    detail,
  );
}

/**
 * Puts the whole release back: every service this change updated returns to its spec from before
 * (the engine already rolled the failed one back; the others, which had finished, are rolled back
 * by ksad), each followed until it runs again; services it created go; a first install's network
 * goes; secrets it created go.
 */
export async function restoreRelease(
  env: RolloutEnv,
  change: TargetChange,
  done: Applied,
  progress: Progress,
): Promise<void> {
  await progress.step('Roll back every service of the release', async (detail) => {
    await Promise.all(done.created.map((c) => env.swarm.removeService(c.id)));
    const results = await Promise.allSettled(
      done.updated.map(async (before) => {
        const timeout = rolloutTimeout(change, before.replicas, 0);
        const now = (await waitSettled(env, before.id, timeout)) ?? before;
        const engineRolledBack =
          now.updateStatus?.state === 'rollback_completed' &&
          now.updateStatus.startedAt !== before.updateStatus?.startedAt;
        if (engineRolledBack || JSON.stringify(now.raw) === JSON.stringify(before.raw)) return;
        await env.swarm.restoreService(now.id, now.version, before.raw);
        await followUpdate(
          env,
          { ...before, env: before.container.env },
          now.updateStatus?.startedAt ?? null,
          timeout,
          change.secretValues,
          detail,
        );
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    await Promise.all(
      done.secrets.map((name) => env.swarm.removeSecret(name).catch(() => undefined)),
    );
    if (done.createdNetwork && change.currentRevision === null) {
      await removeWhenFree(env, change.desired.network.name);
    }
  });
}

/** Retires what the change replaced: removed services, and Swarm secrets no service mounts any more. */
export async function finishChange(env: RolloutEnv, change: TargetChange): Promise<void> {
  const removals = change.plan.services.filter((s) => s.action === 'remove' && s.containerId);
  await Promise.all(removals.map((s) => env.swarm.removeService(s.containerId ?? '')));
  const services = await env.swarm.listServices({
    [Label.managed]: 'true',
    [Label.app]: change.app,
  });
  const mounted = new Set(services.flatMap((s) => s.secrets));
  const secrets = await env.swarm.listSecrets({ [Label.kind]: 'secret', [Label.app]: change.app });
  await Promise.all(
    secrets
      .filter((s) => !mounted.has(s.name))
      .map((s) => env.swarm.removeSecret(s.name).catch(() => undefined)),
  );
}

/** Tasks of removed services detach from the network within seconds. */
async function removeWhenFree(env: RolloutEnv, network: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await env.engine.removeNetwork(network);
      return;
    } catch (error) {
      if (attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, env.pollMs));
    }
  }
}
