import type {
  ContainerInfo,
  EngineInfo,
  ImageInfo,
  PublishedPort,
} from '../../core/engine-model.js';
import { bindingsClash } from '../../core/host-ports.js';
import { parseRouteLabel } from '../../core/ingress.js';
import { Label, names, PARKED_SUFFIX } from '../../core/labels.js';
import type { ActualState } from '../../core/plan.js';
import type { Clock } from '../../ports/clock.js';
import type {
  ApplyOutcome,
  DeployTarget,
  LogOptions,
  LogSink,
  PortHolder,
  PortHolding,
  Removal,
  ServiceSelection,
  TargetChange,
} from '../../ports/deploy-target.js';
import type { DockerEngine, ExecIO } from '../../ports/docker-engine.js';
import type { ImageSource } from '../../ports/image-source.js';
import type { PortProbe } from '../../ports/port-probe.js';
import type { Progress } from '../../ports/progress.js';
import {
  prepareNetworkAndVolumes,
  pullImages,
  restore,
  retireReplaced,
  startLevel,
  switchTraffic,
  type Progressed,
  type StepEnv,
} from './apply-steps.js';
import { HostIngress } from './ingress.js';
import { serviceExec, serviceLogs, startServices, stopServices } from './operate.js';
import { waitRestored } from './readiness.js';

/** States in which a container holds its published ports. */
const HOLDING = new Set(['running', 'restarting', 'paused']);

/**
 * Who among `containers` holds `port`: `own` when `app` itself publishes it (its own containers
 * give it up when they are replaced), another release's container whatever its state (it takes the
 * port back when started), or another container while it runs.
 */
function containerHolder(
  app: string,
  port: PublishedPort,
  containers: readonly ContainerInfo[],
): PortHolder | 'own' | undefined {
  const clashing = containers.filter((c) => c.ports.some((p) => bindingsClash(p, port)));
  const ksad = (c: ContainerInfo): boolean =>
    c.labels[Label.managed] === 'true' && c.labels[Label.kind] === 'container';
  if (clashing.some((c) => ksad(c) && c.labels[Label.app] === app && HOLDING.has(c.state)))
    return 'own';
  const release = clashing.find((c) => ksad(c) && c.labels[Label.app] !== app);
  if (release) {
    const container = release.name.replace(/^\//, '');
    return { kind: 'release', app: release.labels[Label.app] ?? '', container };
  }
  const other = clashing.find((c) => !ksad(c) && HOLDING.has(c.state));
  return other ? { kind: 'container', container: other.name.replace(/^\//, '') } : undefined;
}

/** Kinds of resource the release store keeps; everything else ksad labels belongs to a release. */
const STORE_KINDS = new Set(['release', 'host', 'secrets', 'vault', 'lock', 'removal', 'ingress']);

/**
 * One Docker Engine as a deploy target: each service is a container named `ksad-<app>-<service>`
 * on the release's bridge network, with named volumes. A recreated service's old container is
 * stopped and parked until its replacement is healthy; on a failure new containers go and parked
 * ones come back, so the previous revision keeps running.
 */
export class DockerHostTarget implements DeployTarget {
  readonly kind = 'docker' as const;
  readonly serviceName = names.container;
  /** The host's ingress, through which routed services are switched. */
  readonly ingress: HostIngress;

  constructor(
    private readonly engine: DockerEngine,
    private readonly imageSource: ImageSource,
    private readonly clock: Clock,
    /** Finds processes listening on the host; only for an engine on this machine. */
    private readonly portProbe?: PortProbe,
  ) {
    this.ingress = new HostIngress(engine, imageSource, clock);
  }

  facts(): Promise<EngineInfo> {
    return this.engine.info();
  }

  async actual(app?: string): Promise<ActualState> {
    const owned: Record<string, string> = { [Label.managed]: 'true' };
    if (app !== undefined) owned[Label.app] = app;
    const [containers, networks, volumes] = await Promise.all([
      this.engine.listContainers({ ...owned, [Label.kind]: 'container' }),
      this.engine.listNetworks({ ...owned, [Label.kind]: 'network' }),
      this.engine.listVolumes({ ...owned, [Label.kind]: 'volume' }),
    ]);
    return { containers, networks, volumes };
  }

  async inventory(): Promise<ActualState> {
    const managed = { [Label.managed]: 'true' };
    const ours = <T extends { labels: Record<string, string> }>(list: T[]): T[] =>
      list.filter((r) => !STORE_KINDS.has(r.labels[Label.kind] ?? ''));
    const [containers, networks, volumes] = await Promise.all([
      this.engine.listContainers(managed),
      this.engine.listNetworks(managed),
      this.engine.listVolumes(managed),
    ]);
    return { containers: ours(containers), networks: ours(networks), volumes: ours(volumes) };
  }

  async imagesPresent(refs: readonly string[]): Promise<Set<string>> {
    const found = await this.inspectAll(refs);
    return new Set(refs.filter((ref) => found[ref] !== null));
  }

  images(refs: readonly string[]): Promise<Record<string, ImageInfo | null>> {
    return this.inspectAll(refs);
  }

  async portHolders(app: string, ports: readonly PublishedPort[]): Promise<PortHolding[]> {
    if (ports.length === 0) return [];
    const containers = await this.engine.listContainers({});
    const held: PortHolding[] = [];
    const unheld: PublishedPort[] = [];
    for (const port of ports) {
      const holder = containerHolder(app, port, containers);
      if (holder === 'own') continue;
      if (holder) held.push({ port, holder });
      else unheld.push(port);
    }
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

  async unlabelled(names: readonly string[]): Promise<Record<string, ContainerInfo>> {
    const found = await Promise.all(
      names.map(async (name) => [name, await this.engine.inspectContainer(name)] as const),
    );
    const out: Record<string, ContainerInfo> = {};
    for (const [name, c] of found) if (c) out[name] = c;
    return out;
  }

  interrupted(actual: ActualState): boolean {
    return actual.containers.some((c) => PARKED_SUFFIX.test(c.name));
  }

  /**
   * A deploy killed mid-way can leave a service's old container parked under `<name>-rN-old`.
   * When the service's own container is gone, the parked one is the last good state: bring it
   * back; otherwise the parked one is leftover and goes.
   */
  async recover(actual: ActualState, healthTimeoutMs: number, progress: Progress): Promise<number> {
    const { containers } = actual;
    const parked = containers.filter((c) => PARKED_SUFFIX.test(c.name));
    if (parked.length === 0) return 0;
    const title = `Recover ${parked.length} container(s) left by an interrupted change`;
    await progress.step(title, async () => {
      for (const c of parked) {
        const canonical = c.name.replace(PARKED_SUFFIX, '');
        const current = containers.find((x) => x.name === canonical);
        // Only a replacement that proved itself replaces the parked one; one still starting may
        // never become healthy, so the parked (last good) one comes back and the plan redoes it.
        const proven = current?.health === 'healthy' || current?.health === 'none';
        if (current && current.state === 'running' && proven) {
          await this.repoint(current);
          await this.engine.removeContainer(c.id, { force: true });
        } else {
          // The proxy goes back to the parked container (still running when it was set aside
          // for an ingress switch) before the unproven one goes.
          if (c.state === 'running') await this.repoint(c);
          if (current) await this.engine.removeContainer(current.id, { force: true });
          await this.engine.renameContainer(c.id, canonical);
          await this.engine.startContainer(c.id);
          // A deploy after a recovery reports success only once what it brought back is ready.
          await waitRestored(this.engine, this.clock, c.id, canonical, healthTimeoutMs);
          await this.repoint(c);
        }
      }
    });
    return parked.length;
  }

  /** Points the ingress at a routed container that survives a recovery. */
  private async repoint(c: ContainerInfo): Promise<void> {
    const route = parseRouteLabel(c.labels[Label.route]);
    const alias = c.labels[Label.upstream];
    if (!route || alias === undefined) return;
    if ((await this.ingress.container())?.state !== 'running') return;
    await this.ingress.switchRoute(route.app, { route, upstream: `${alias}:${route.port}` });
  }

  provideImages(change: TargetChange, progress: Progress): Promise<void> {
    return pullImages(this.env(progress), change);
  }

  async apply(change: TargetChange, progress: Progress): Promise<ApplyOutcome> {
    const env = this.env(progress);
    const done: Progressed = { created: [], parked: [], createdNetwork: false };
    try {
      await prepareNetworkAndVolumes(env, change, done);
      for (const level of change.desired.levels) await startLevel(env, change, level, done);
      await switchTraffic(env, change, done);
    } catch (error) {
      try {
        await restore(env, change, done);
        return { ok: false, error };
      } catch (restoreError) {
        return { ok: false, error, restoreError };
      }
    }
    return { ok: true, finish: () => retireReplaced(env, change, done) };
  }

  logs(
    app: string,
    services: readonly string[] | undefined,
    opts: LogOptions,
    sink: LogSink,
  ): Promise<void> {
    return serviceLogs(this.engine, app, services, opts, sink);
  }

  exec(app: string, service: string, cmd: readonly string[], io: ExecIO): Promise<number> {
    return serviceExec(this.engine, app, service, cmd, io);
  }

  stop(app: string, selection: ServiceSelection, progress: Progress): Promise<string[]> {
    return stopServices(this.engine, app, selection, progress);
  }

  start(
    app: string,
    selection: ServiceSelection & { healthTimeoutMs: number },
    progress: Progress,
  ): Promise<string[]> {
    return startServices(this.engine, this.clock, app, selection, progress);
  }

  async remove(
    app: string,
    opts: { levels: readonly string[][]; purgeData: boolean },
    progress: Progress,
  ): Promise<Removal> {
    const actual = await this.actual(app);
    const byService = new Map<string, ContainerInfo[]>();
    for (const c of actual.containers) {
      const service = c.labels[Label.service] ?? '';
      byService.set(service, [...(byService.get(service) ?? []), c]);
    }
    const inLevels = new Set(opts.levels.flat());
    const ordered = [
      actual.containers.filter((c) => !inLevels.has(c.labels[Label.service] ?? '')),
      ...[...opts.levels].reverse().map((level) => level.flatMap((s) => byService.get(s) ?? [])),
    ];
    const removed: string[] = [];
    const routed = actual.containers.some((c) => c.labels[Label.route] !== undefined);
    // The proxy stops sending requests before the containers go, and leaves the network.
    if (routed && (await this.ingress.container())?.state === 'running')
      await progress.step('Remove the ingress route', () => this.ingress.switchRoute(app, null));
    const title = `Stop and remove ${actual.containers.length} container(s)`;
    await progress.step(title, async (detail) => {
      for (const group of ordered) {
        if (group.length === 0) continue;
        detail(group.map((c) => c.name).join(', '));
        await Promise.all(
          group.map(async (c) => {
            if (c.state === 'running' || c.state === 'restarting')
              await this.engine.stopContainer(c.id, 10);
            await this.engine.removeContainer(c.id, { force: true });
            removed.push(c.name);
          }),
        );
      }
    });
    await Promise.all(
      actual.networks.map(async (n) => {
        if (routed) await this.ingress.leave(n.name);
        await this.engine.removeNetwork(n.id);
      }),
    );
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

  private env(progress: Progress): StepEnv {
    return {
      engine: this.engine,
      images: this.imageSource,
      clock: this.clock,
      progress,
      ingress: this.ingress,
    };
  }

  private async inspectAll(refs: readonly string[]): Promise<Record<string, ImageInfo | null>> {
    const found = await Promise.all(
      [...new Set(refs)].map(async (ref) => [ref, await this.imageSource.inspect(ref)] as const),
    );
    return Object.fromEntries(found);
  }
}
