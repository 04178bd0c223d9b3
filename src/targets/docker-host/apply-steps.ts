/**
 * The steps a Docker host applies a change in, each on its own: pull, prepare network and
 * volumes, park an old container, start a level, restore, finish. `target.ts` runs them in order.
 */
import { checkImageIdentity } from '../../core/image-check.js';
import { Label, parkedName } from '../../core/labels.js';
import type { ContainerInfo } from '../../core/engine-model.js';
import type { DesiredService } from '../../core/service-specs.js';
import type { Clock } from '../../ports/clock.js';
import type { TargetChange } from '../../ports/deploy-target.js';
import type { DockerEngine } from '../../ports/docker-engine.js';
import type { ImageSource } from '../../ports/image-source.js';
import type { Progress } from '../../ports/progress.js';
import { parseRouteLabel, type LiveRoute } from '../../core/ingress.js';
import type { HostIngress } from './ingress.js';
import { waitReady, waitRestored } from './readiness.js';

export interface StepEnv {
  engine: DockerEngine;
  images: ImageSource;
  clock: Clock;
  progress: Progress;
  ingress: HostIngress;
}

/** What a change did so far: what a restore takes back and what finishing retires. */
export interface Progressed {
  created: string[];
  /** Old containers set aside; `running` when they kept serving through the ingress. */
  parked: Array<{ service: DesiredService; old: ContainerInfo; running?: boolean }>;
  createdNetwork: boolean;
  /** What the ingress served for the app before the change (undefined: not looked at). */
  previousRoute?: LiveRoute | null;
  /** True once the ingress sends the app's new requests to the new containers. */
  switched?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the change concerns the ingress: the app has a route now, or had one. */
function touchesIngress(change: TargetChange): boolean {
  return (
    change.desired.route !== undefined ||
    change.actual.containers.some((c) => c.labels[Label.route] !== undefined)
  );
}

/** The services a change creates or recreates. */
export function busyServices(change: TargetChange): Set<string> {
  return new Set(
    change.plan.services
      .filter((s) => s.action === 'create' || s.action === 'recreate')
      .map((s) => s.service),
  );
}

/** Brings in the missing images of the services that start, each checked against its digest. */
export async function pullImages(
  env: Omit<StepEnv, 'ingress'>,
  change: TargetChange,
): Promise<void> {
  const busy = busyServices(change);
  const refs = new Set(
    change.desired.services.filter((s) => busy.has(s.service)).map((s) => s.spec.image),
  );
  const missing = [...refs].filter((ref) => !change.imagesPresent.has(ref));
  if (missing.length === 0) return;
  const n = `${missing.length} image${missing.length === 1 ? '' : 's'}`;
  const title =
    env.images.name === 'registry'
      ? `Pull ${n} by digest`
      : `Load ${n} from the ${env.images.name}`;
  await env.progress.step(title, async (detail) => {
    await Promise.all(
      missing.map(async (ref) => {
        const evidence = await env.images.provide(ref, detail);
        checkImageIdentity(ref, await env.images.inspect(ref), evidence, env.images.name);
      }),
    );
  });
}

export async function prepareNetworkAndVolumes(
  env: StepEnv,
  change: TargetChange,
  done: Progressed,
): Promise<void> {
  const { plan, desired } = change;
  await env.progress.step('Prepare network and volumes', async () => {
    const toCreate = plan.volumes.filter((v) => v.action === 'create');
    await Promise.all([
      plan.network.action === 'create'
        ? env.engine
            .createNetwork(desired.network.name, desired.network.labels)
            .then(() => void (done.createdNetwork = true))
        : undefined,
      ...toCreate.map((v) => {
        const labels = desired.volumes.find((d) => d.name === v.name)?.labels ?? {};
        return env.engine.createVolume(v.name, labels);
      }),
    ]);
    if (!touchesIngress(change)) return;
    const app = change.desired.app.name;
    done.previousRoute = (await env.ingress.liveRoutes()).find((l) => l.route.app === app) ?? null;
    if (change.desired.route === undefined) return;
    await env.ingress.join(desired.network.name);
    if (change.tls !== undefined)
      await env.ingress.putCertificate(app, change.tls.certificate, change.tls.key);
  });
}

/**
 * A routed service's old container is renamed aside but keeps running and serving: the ingress
 * reaches it by its own alias, which a rename does not change.
 */
async function setAside(
  env: StepEnv,
  change: TargetChange,
  service: DesiredService,
  done: Progressed,
): Promise<void> {
  const step = change.plan.services.find((s) => s.service === service.service);
  const old = change.actual.containers.find((c) => c.id === step?.containerId);
  if (!old) return;
  await env.engine.renameContainer(
    old.id,
    parkedName(service.spec.name, change.currentRevision ?? 0),
  );
  done.parked.push({ service, old, running: true });
}

/**
 * Once every level is up, the ingress sends the app's new requests to the new containers (or
 * stops routing an app that no longer has a route). Nothing is switched when the routed service
 * was kept.
 */
export async function switchTraffic(
  env: StepEnv,
  change: TargetChange,
  done: Progressed,
): Promise<void> {
  if (!touchesIngress(change)) return;
  const app = change.desired.app.name;
  const routed = change.desired.services.find((s) => s.ingress !== undefined);
  const busy = busyServices(change);
  if (routed?.ingress !== undefined && !busy.has(routed.service)) return;
  if (routed === undefined && done.previousRoute === null) return;
  const live =
    routed?.ingress !== undefined
      ? {
          route: routed.ingress.route,
          upstream: `${routed.ingress.upstream}:${routed.ingress.route.port}`,
        }
      : null;
  await env.progress.step(
    live
      ? `Switch the ingress to ${routed?.service ?? ''} of revision ${change.desired.app.revision}`
      : 'Remove the ingress route',
    async () => {
      await env.ingress.switchRoute(app, live);
      done.switched = true;
    },
  );
}

/** Stops the service's old container and parks it under `<name>-rN-old`, kept for a restore. */
async function park(
  env: StepEnv,
  change: TargetChange,
  service: DesiredService,
  done: Progressed,
): Promise<void> {
  const step = change.plan.services.find((s) => s.service === service.service);
  if (step?.action !== 'recreate' || !step.containerId) return;
  const old = change.actual.containers.find((c) => c.id === step.containerId);
  if (!old) return;
  if (old.state === 'running') await env.engine.stopContainer(old.id, service.spec.stopTimeoutSec);
  await env.engine.renameContainer(
    old.id,
    parkedName(service.spec.name, change.currentRevision ?? 0),
  );
  done.parked.push({ service, old });
}

/** Starts one level's busy services in parallel: park the old, create, start, wait until ready. */
export async function startLevel(
  env: StepEnv,
  change: TargetChange,
  level: readonly string[],
  done: Progressed,
): Promise<void> {
  const busy = busyServices(change);
  const names = level.filter((name) => busy.has(name));
  if (names.length === 0) return;
  await env.progress.step(`Start ${names.join(', ')}`, async (detail) => {
    // allSettled, not all: a sibling still parking or starting when one fails must finish
    // first, or the restore would miss its parked container and its new one.
    await settleAll(
      names.map(async (name) => {
        const service = change.desired.services.find((s) => s.service === name);
        if (!service) return;
        const step = change.plan.services.find((s) => s.service === name);
        if (step?.switch === 'ingress') await setAside(env, change, service, done);
        else await park(env, change, service, done);
        const image = env.images.engineRef(service.spec.image);
        const id = await env.engine.createContainer(
          image === service.spec.image ? service.spec : { ...service.spec, image },
        );
        done.created.push(id);
        await env.engine.startContainer(id);
        detail(`waiting for ${name} to become ${service.healthcheck ? 'healthy' : 'running'}`);
        await waitReady(
          env.engine,
          env.clock,
          id,
          service,
          change.healthTimeoutMs,
          change.secretValues,
        );
        if (service.ingress !== undefined) {
          const { route, upstream } = service.ingress;
          detail(`waiting for ${name} to answer ${route.health} through the ingress`);
          await env.ingress.probe(route, `${upstream}:${route.port}`, change.healthTimeoutMs);
        }
      }),
    );
  });
}

/**
 * Takes a failed change back: its new containers go, every parked one comes back under its name
 * and runs, level by level and each ready before the next starts, so "runs again" is true when
 * said. A parked container that was found stopped is started too: every service of a deployed
 * revision runs (none is a one-shot job), and one found stopped may be what a killed change
 * left between stopping it and parking it.
 */
export async function restore(env: StepEnv, change: TargetChange, done: Progressed): Promise<void> {
  await env.progress.step('Restore the previous state', async () => {
    // The proxy goes back first, so no request reaches a container about to be removed.
    if (done.switched)
      await env.ingress.switchRoute(change.desired.app.name, done.previousRoute ?? null);
    await Promise.all(done.created.map((id) => env.engine.removeContainer(id, { force: true })));
    for (const level of change.desired.levels) {
      const group = done.parked.filter(({ service }) => level.includes(service.service));
      await Promise.all(
        group.map(async ({ service, old, running }) => {
          await env.engine.renameContainer(old.id, service.spec.name);
          if (running) return;
          await env.engine.startContainer(old.id);
          await waitRestored(
            env.engine,
            env.clock,
            old.id,
            service.spec.name,
            change.healthTimeoutMs,
          );
        }),
      );
    }
    if (done.createdNetwork && change.currentRevision === null) {
      if (change.desired.route !== undefined) await env.ingress.leave(change.desired.network.name);
      await env.engine.removeNetwork(change.desired.network.name);
    }
  });
}

/** Retires what the change replaced: the parked old containers and the services it removes. */
export async function retireReplaced(
  env: StepEnv,
  change: TargetChange,
  done: Progressed,
): Promise<void> {
  const removals = change.plan.services.filter((s) => s.action === 'remove' && s.containerId);
  await Promise.all([
    ...done.parked.map(async ({ service, old, running }) => {
      if (running) {
        // Requests the old container already has finish; the proxy sends it no new ones.
        const route = service.ingress?.route ?? parseRouteLabel(old.labels[Label.route]);
        await sleep(route?.drainMs ?? 0);
        await env.engine.stopContainer(old.id, service.spec.stopTimeoutSec);
      }
      await env.engine.removeContainer(old.id, { force: true });
    }),
    ...removals.map(async (s) => {
      await env.engine.stopContainer(s.containerId ?? '', 10);
      await env.engine.removeContainer(s.containerId ?? '', { force: true });
    }),
  ]);
}

/** Waits for every task, then fails with the first failure. */
async function settleAll(tasks: ReadonlyArray<Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
