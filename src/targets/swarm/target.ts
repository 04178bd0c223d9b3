import type {
  ContainerInfo,
  EngineInfo,
  ImageInfo,
  NetworkInfo,
  PublishedPort,
} from '../../core/engine-model.js';
import { KsadError } from '../../core/errors.js';
import { Label, names } from '../../core/labels.js';
import type { ActualState } from '../../core/plan.js';
import type { Clock } from '../../ports/clock.js';
import type {
  ApplyOutcome,
  DeployTarget,
  LogOptions,
  LogSink,
  PortHolding,
  Removal,
  ServiceSelection,
  TargetChange,
} from '../../ports/deploy-target.js';
import type { DockerEngine, ExecIO } from '../../ports/docker-engine.js';
import type { ImageSource } from '../../ports/image-source.js';
import type { PortProbe } from '../../ports/port-probe.js';
import type { Progress } from '../../ports/progress.js';
import type { SwarmEngine, SwarmNode, SwarmServiceInfo } from '../../ports/swarm-engine.js';
import { pullImages } from '../docker-host/apply-steps.js';
import {
  portHoldings,
  startSwarmServices,
  stopSwarmServices,
  swarmExec,
  swarmLogs,
} from './operate.js';
import { rolling, waitSettled, type RolloutEnv } from './rollout.js';
import { asKsadLeftIt } from './service-spec.js';
import { applyLevels, finishChange, restoreRelease, type Applied } from './swarm-steps.js';

/** Kinds of resource the release store keeps; everything else ksad labels belongs to a release. */
const STORE_KINDS = new Set(['release', 'host', 'secrets', 'vault', 'lock']);

/**
 * A label only ksad's view of a service carries (never the engine's): the state of a rolling
 * update the engine is still running, which `interrupted` reads.
 */
export const UPDATE_STATE_LABEL = 'id.ksad.update-state';

/** What the configuration hash label reads when the live service no longer shows what ksad set. */
export const EDITED_BY_HAND = 'changed-outside-ksad';

export interface SwarmTargetOptions {
  /** After each task is updated, how long a failure still counts as the update's (default 2 s). */
  monitorMs?: number;
  /** How often a rollout is looked at (default 250 ms). */
  pollMs?: number;
  /** Finds processes listening on the node ksad talks to; only for an engine on this machine. */
  portProbe?: PortProbe;
}

/**
 * A Docker Swarm as a deploy target, driven through a manager: each service is a swarm service
 * `<app>_<service>` in the app's stack namespace, on an overlay network of the release, with named
 * volumes as volume mounts and the app's secrets as Swarm secrets. The engine rolls each update
 * (health-gated, one task at a time, rolled back by the engine when a task fails); ksad follows
 * it level by level and, when any service fails, puts every service of the release back as it was.
 */
export class SwarmTarget implements DeployTarget {
  readonly kind = 'swarm' as const;
  readonly serviceName = names.swarmService;
  private readonly monitorMs: number;
  private readonly pollMs: number;
  private readonly portProbe: PortProbe | undefined;

  constructor(
    private readonly engine: DockerEngine,
    private readonly swarm: SwarmEngine,
    private readonly imageSource: ImageSource,
    private readonly clock: Clock,
    opts: SwarmTargetOptions = {},
  ) {
    this.monitorMs = opts.monitorMs ?? 2_000;
    this.pollMs = opts.pollMs ?? 250;
    this.portProbe = opts.portProbe;
  }

  async facts(): Promise<EngineInfo> {
    const [info, membership] = await Promise.all([this.engine.info(), this.swarm.membership()]);
    if (membership.state !== 'active' || !membership.manager) {
      throw new KsadError(
        'ENGINE_UNAVAILABLE',
        `the Docker engine at ${info.endpoint} is not a manager of an active swarm (${membership.state}${membership.state === 'active' ? ', worker' : ''})`,
        {
          suggestions: [
            'point ksad at a manager node with --docker-host or DOCKER_HOST',
            'make this engine a swarm: docker swarm init --advertise-addr <ADDRESS>',
          ],
        },
      );
    }
    return info;
  }

  nodes(): Promise<SwarmNode[]> {
    return this.swarm.listNodes();
  }

  async actual(app?: string): Promise<ActualState> {
    const owned: Record<string, string> = { [Label.managed]: 'true' };
    if (app !== undefined) owned[Label.app] = app;
    const [services, networks, volumes, overlays] = await Promise.all([
      this.swarm.listServices({ ...owned, [Label.kind]: 'container' }),
      this.swarm.listOverlayNetworks({ ...owned, [Label.kind]: 'network' }),
      this.engine.listVolumes({ ...owned, [Label.kind]: 'volume' }),
      this.swarm.listOverlayNetworks({}),
    ]);
    const containers = await Promise.all(services.map((s) => this.asContainer(s, overlays)));
    return { containers, networks, volumes };
  }

  async inventory(): Promise<ActualState> {
    const managed = { [Label.managed]: 'true' };
    const [services, networks, volumes, overlays] = await Promise.all([
      this.swarm.listServices(managed),
      this.swarm.listOverlayNetworks(managed),
      this.engine.listVolumes(managed),
      this.swarm.listOverlayNetworks({}),
    ]);
    const ours = <T extends { labels: Record<string, string> }>(list: T[]): T[] =>
      list.filter((r) => !STORE_KINDS.has(r.labels[Label.kind] ?? ''));
    const containers = await Promise.all(services.map((s) => this.asContainer(s, overlays)));
    return { containers, networks: ours(networks), volumes: ours(volumes) };
  }

  async imagesPresent(refs: readonly string[]): Promise<Set<string>> {
    const found = await this.images(refs);
    return new Set(refs.filter((ref) => found[ref] !== null));
  }

  async images(refs: readonly string[]): Promise<Record<string, ImageInfo | null>> {
    const found = await Promise.all(
      [...new Set(refs)].map(async (ref) => [ref, await this.imageSource.inspect(ref)] as const),
    );
    return Object.fromEntries(found);
  }

  /**
   * Which of `ports` another release's service (at any replica count: a start takes the port
   * back), another service, or a running container on this node holds, or (with a probe) a process
   * listening on this node. A service's ports are held on every node that runs its tasks; plain
   * containers and processes are seen only on the node ksad talks to.
   */
  async portHolders(app: string, ports: readonly PublishedPort[]): Promise<PortHolding[]> {
    if (ports.length === 0) return [];
    const [services, containers] = await Promise.all([
      this.swarm.listServices({}),
      this.engine.listContainers({}),
    ]);
    const { held, unheld } = portHoldings(app, ports, services, containers);
    const probe = this.portProbe;
    if (probe === undefined) return held;
    const free = await Promise.all(
      unheld.map((p) =>
        probe.isFree(p.hostIp === '' ? '0.0.0.0' : p.hostIp, p.hostPort, p.protocol),
      ),
    );
    unheld.forEach((port, i) => {
      if (free[i] === false) held.push({ port, holder: { kind: 'process' } });
    });
    return held;
  }

  async unlabelled(serviceNames: readonly string[]): Promise<Record<string, ContainerInfo>> {
    const overlays = await this.swarm.listOverlayNetworks({});
    const out: Record<string, ContainerInfo> = {};
    for (const name of serviceNames) {
      const s = await this.swarm.inspectService(name);
      if (s && s.labels[Label.managed] !== 'true') out[name] = await this.asContainer(s, overlays);
    }
    return out;
  }

  interrupted(actual: ActualState): boolean {
    return actual.containers.some((c) => {
      const state = c.labels[UPDATE_STATE_LABEL];
      return state === 'updating' || state === 'rollback_started' || state === 'paused';
    });
  }

  /**
   * A deploy killed mid-update leaves the engine rolling a service on its own, to its end or back.
   * Waits for each such rollout to settle; an update the engine paused is put back to the spec it
   * had before, so the plan then starts from a known state.
   */
  async recover(actual: ActualState, healthTimeoutMs: number, progress: Progress): Promise<number> {
    const busy = actual.containers.filter((c) => this.interrupted({ ...actual, containers: [c] }));
    if (busy.length === 0) return 0;
    await progress.step(`Let ${busy.length} interrupted swarm update(s) settle`, async (detail) => {
      for (const c of busy) {
        detail(c.name);
        const info = await waitSettled(this.env(), c.id, healthTimeoutMs);
        if (info?.updateStatus?.state === 'paused' && info.previous !== null) {
          await this.swarm.restoreService(info.id, info.version, info.previous);
          await waitSettled(this.env(), c.id, healthTimeoutMs);
        }
      }
    });
    return busy.length;
  }

  provideImages(change: TargetChange, progress: Progress): Promise<void> {
    return pullImages(
      { engine: this.engine, images: this.imageSource, clock: this.clock, progress },
      change,
    );
  }

  async apply(change: TargetChange, progress: Progress): Promise<ApplyOutcome> {
    const done: Applied = { created: [], updated: [], createdNetwork: false, secrets: [] };
    const env = this.env();
    try {
      await applyLevels(env, change, done, progress, this.monitorMs);
    } catch (error) {
      try {
        await restoreRelease(env, change, done, progress);
        return { ok: false, error };
      } catch (restoreError) {
        return { ok: false, error, restoreError };
      }
    }
    return { ok: true, finish: () => finishChange(env, change) };
  }

  logs(
    app: string,
    services: readonly string[] | undefined,
    opts: LogOptions,
    sink: LogSink,
  ): Promise<void> {
    return swarmLogs(this.env(), app, services, opts, sink);
  }

  exec(app: string, service: string, cmd: readonly string[], io: ExecIO): Promise<number> {
    return swarmExec(this.env(), app, service, cmd, io);
  }

  /** Scales each selected service to no task (reverse start order), keeping its replica count. */
  stop(app: string, selection: ServiceSelection, progress: Progress): Promise<string[]> {
    return stopSwarmServices(this.env(), app, selection, progress);
  }

  /** Scales each selected stopped service back to the replica count it kept, level by level. */
  start(
    app: string,
    selection: ServiceSelection & { healthTimeoutMs: number },
    progress: Progress,
  ): Promise<string[]> {
    return startSwarmServices(this.env(), app, selection, progress);
  }

  async remove(
    app: string,
    opts: { levels: readonly string[][]; purgeData: boolean },
    progress: Progress,
  ): Promise<Removal> {
    const actual = await this.actual(app);
    const services = actual.containers;
    const order = [...opts.levels].reverse().flat();
    const rank = (c: ContainerInfo): number => {
      const i = order.indexOf(c.labels[Label.service] ?? '');
      return i < 0 ? -1 : i;
    };
    const removed: string[] = [];
    await progress.step(`Remove ${services.length} swarm service(s)`, async (detail) => {
      for (const c of [...services].sort((a, b) => rank(a) - rank(b))) {
        detail(c.name);
        await this.swarm.removeService(c.id);
        removed.push(c.name);
      }
      detail('waiting for their tasks to stop');
      await this.waitTasksGone(app);
    });
    await Promise.all(actual.networks.map((n) => this.removeNetwork(n)));
    const secrets = await this.swarm.listSecrets({
      [Label.managed]: 'true',
      [Label.kind]: 'secret',
      [Label.app]: app,
    });
    await Promise.all(secrets.map((s) => this.swarm.removeSecret(s.name)));
    const volumes = actual.volumes.map((v) => v.name).sort();
    if (opts.purgeData) {
      await progress.step('Remove data volumes', async () => {
        await Promise.all(volumes.map((v) => this.engine.removeVolume(v)));
      });
    }
    return {
      removedContainers: removed.sort(),
      removedNetwork: actual.networks.length > 0,
      volumes,
    };
  }

  private env(): RolloutEnv {
    return { engine: this.engine, swarm: this.swarm, clock: this.clock, pollMs: this.pollMs };
  }

  /** The containers of the app's tasks on this node are gone (their volumes and network free). */
  private async waitTasksGone(app: string): Promise<void> {
    const deadline = this.clock.now().getTime() + 60_000;
    while (this.clock.now().getTime() < deadline) {
      const left = await this.engine.listContainers({ [Label.stackNamespace]: app });
      if (left.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  /** A network still held by a task that is shutting down is freed within seconds: retry. */
  private async removeNetwork(n: NetworkInfo): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.engine.removeNetwork(n.id);
        return;
      } catch (error) {
        if (attempt >= 40) throw error;
        await new Promise((resolve) => setTimeout(resolve, this.pollMs));
      }
    }
  }

  /** A service as ksad's plan, status and audit read a container. */
  private async asContainer(
    s: SwarmServiceInfo,
    overlays: readonly NetworkInfo[],
  ): Promise<ContainerInfo> {
    const [tasks, image] = await Promise.all([
      this.swarm.listTasks(s.id),
      this.imageSource.inspect(s.container.image).catch(() => null),
    ]);
    const live = tasks.filter((t) => t.desiredState === 'running');
    const running = live.filter((t) => t.state === 'running').length;
    const starting = live.some((t) =>
      ['new', 'pending', 'assigned', 'accepted', 'preparing', 'starting'].includes(t.state),
    );
    const failedTask = tasks.find((t) => t.state === 'failed');
    const labels: Record<string, string> = { ...s.labels };
    if (s.labels[Label.configHash] !== undefined && !asKsadLeftIt(s))
      labels[Label.configHash] = EDITED_BY_HAND;
    if (s.updateStatus && rolling(s)) labels[UPDATE_STATE_LABEL] = s.updateStatus.state;
    if (s.updateStatus?.state === 'paused') labels[UPDATE_STATE_LABEL] = 'paused';
    const networkName = overlays.find(
      (n) => n.id === s.container.network || n.name === s.container.network,
    )?.name;
    const healthy = s.container.healthcheck ? 'healthy' : 'none';
    return {
      id: s.id,
      name: s.name,
      image: s.container.image,
      imageId: image?.id ?? '',
      labels,
      state:
        running >= s.replicas && s.replicas > 0
          ? 'running'
          : running > 0 || starting
            ? 'running'
            : s.replicas === 0
              ? 'exited'
              : 'restarting',
      health:
        running >= s.replicas && s.replicas > 0
          ? healthy
          : running > 0
            ? 'unhealthy'
            : starting
              ? 'starting'
              : 'unhealthy',
      healthLog: failedTask?.error ? [failedTask.error] : [],
      exitCode: 0,
      env: s.container.env,
      ports: s.container.ports,
      mounts: s.container.mounts,
      networks: networkName ? [networkName] : [],
      createdAt: s.createdAt,
    };
  }
}
