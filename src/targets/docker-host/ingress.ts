/**
 * The host ingress on a Docker host: one Caddy container, `ksad-ingress`, on its own network with
 * the host's HTTP and HTTPS ports, its data (internal CA, certificates, the live routes) in the
 * volume `ksad-ingress-data`. ksad speaks to Caddy's admin API only through `docker exec` (it
 * listens on localhost inside the container), and joins the proxy to each routed app's network.
 *
 * The live routes are kept in the volume as `routes.json`, beside the Caddy configuration made from
 * them: a switch reads them, replaces one app's entry, loads the whole new configuration (Caddy
 * swaps it in without dropping a request in flight) and only then writes both files, so a proxy
 * restart serves what was last loaded.
 */
import { KsadError } from '../../core/errors.js';
import type { ContainerInfo, ContainerSpec } from '../../core/engine-model.js';
import { checkImageIdentity } from '../../core/image-check.js';
import {
  INGRESS_PATHS,
  caddyConfig,
  parseRouteLabel,
  type IngressSettings,
  type LiveRoute,
  type Route,
} from '../../core/ingress.js';
import { Label, managedLabels, names } from '../../core/labels.js';
import type { Clock } from '../../ports/clock.js';
import type { DockerEngine } from '../../ports/docker-engine.js';
import type { ImageSource } from '../../ports/image-source.js';
import type { IngressControl, IngressInstall, IngressState } from '../../ports/ingress.js';
import type { Progress } from '../../ports/progress.js';

const POLL_MS = 100;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const ROUTES_FILE = 'routes.json';
const NEXT_FILE = 'caddy-next.json';

interface RecordedSettings extends IngressSettings {
  bindAddress: string;
  image: string;
}

function settingsOf(c: ContainerInfo): RecordedSettings | undefined {
  try {
    const parsed = JSON.parse(c.labels[Label.ingress] ?? '') as RecordedSettings;
    return typeof parsed.httpPort === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A file for the data volume, named by its path under `/data` (the archive creates the folders
 * it needs; a fresh volume has none).
 */
function file(
  path: string,
  content: string,
  mode = 0o644,
): { name: string; content: Buffer; mode: number } {
  const prefix = `${INGRESS_PATHS.data}/`;
  return {
    name: path.startsWith(prefix) ? path.slice(prefix.length) : path,
    content: Buffer.from(content),
    mode,
  };
}

const inConfig = (name: string): string => `${INGRESS_PATHS.configDir}/${name}`;

export class HostIngress implements IngressControl {
  constructor(
    private readonly engine: DockerEngine,
    private readonly images: ImageSource,
    private readonly clock: Clock,
  ) {}

  /** The ingress container, when ksad installed one. */
  async container(): Promise<ContainerInfo | null> {
    const c = await this.engine.inspectContainer(names.ingress);
    return c && c.labels[Label.kind] === 'ingress' ? c : null;
  }

  /** The installed ingress's state, or null. */
  async state(): Promise<IngressState | null> {
    const c = await this.container();
    if (!c) return null;
    const s = settingsOf(c);
    if (!s) return null;
    return {
      container: names.ingress,
      image: c.image,
      state: c.state,
      health: c.health,
      httpPort: s.httpPort,
      httpsPort: s.httpsPort,
      bindAddress: s.bindAddress,
      routes: c.state === 'running' ? await this.liveRoutes() : [],
    };
  }

  /** The ingress, running; or DEPLOY_FAILED saying how to install it. */
  async require(): Promise<ContainerInfo> {
    const c = await this.container();
    if (c?.state === 'running') return c;
    throw new KsadError(
      'DEPLOY_FAILED',
      c
        ? `the host ingress ${names.ingress} is ${c.state}, so no route can be switched`
        : 'this app has an ingress route, but the host has no ingress',
      {
        suggestions: [
          c ? 'start it again: ksad ingress install' : 'install it first: ksad ingress install',
          "or deploy without the overlay's `ingress` section (the app then publishes its own ports)",
        ],
      },
    );
  }

  /** The routes the proxy serves now, as ksad last loaded them. */
  async liveRoutes(): Promise<LiveRoute[]> {
    const files = await this.engine.readFiles(names.ingress, INGRESS_PATHS.configDir);
    const text = files?.[ROUTES_FILE]?.toString('utf8');
    if (text === undefined) return [];
    try {
      const parsed = JSON.parse(text) as Array<{ route: unknown; upstream: unknown }>;
      return parsed.flatMap((l) => {
        const route = parseRouteLabel(JSON.stringify(l.route));
        return route && typeof l.upstream === 'string' ? [{ route, upstream: l.upstream }] : [];
      });
    } catch {
      return [];
    }
  }

  /**
   * Points `app`'s route at `live` (or drops it when null) and loads the proxy's whole new
   * configuration. New requests go to the new upstream from then on; requests already in flight
   * finish where they are.
   */
  async switchRoute(app: string, live: LiveRoute | null): Promise<void> {
    const c = await this.require();
    const settings = settingsOf(c);
    if (!settings)
      throw new KsadError('DEPLOY_FAILED', `${names.ingress} has no recorded settings`);
    const routes = (await this.liveRoutes()).filter((l) => l.route.app !== app);
    if (live) routes.push(live);
    routes.sort((a, b) => a.route.app.localeCompare(b.route.app));
    await this.load(routes, settings);
  }

  private async load(routes: readonly LiveRoute[], settings: IngressSettings): Promise<void> {
    const config = JSON.stringify(caddyConfig(routes, settings));
    const dir = INGRESS_PATHS.configDir;
    await this.engine.putFiles(names.ingress, INGRESS_PATHS.data, [
      file(inConfig(NEXT_FILE), config, 0o600),
    ]);
    const result = await this.engine.execOutput(names.ingress, [
      '/bin/caddy',
      'reload',
      '--config',
      `${dir}/${NEXT_FILE}`,
      '--force',
    ]);
    if (result.exitCode !== 0) {
      throw new KsadError('DEPLOY_FAILED', 'the ingress refused its new configuration', {
        details: result.output
          .split('\n')
          .filter((l) => l.trim() !== '')
          .slice(-5),
        suggestions: ['the proxy kept its previous configuration; see: docker logs ksad-ingress'],
      });
    }
    await this.engine.putFiles(names.ingress, INGRESS_PATHS.data, [
      file(inConfig(INGRESS_PATHS.configFile), config, 0o600),
      file(inConfig(ROUTES_FILE), `${JSON.stringify(routes, null, 2)}\n`),
    ]);
  }

  /** Lets the proxy reach the app's network (its containers by alias). */
  async join(network: string): Promise<void> {
    await this.require();
    await this.engine.connectNetwork(network, names.ingress);
  }

  /** Takes the proxy off an app's network, so the network can be removed. */
  async leave(network: string): Promise<void> {
    if (await this.container()) await this.engine.disconnectNetwork(network, names.ingress);
  }

  /**
   * Waits until the proxy gets a 2xx or 3xx answer from `upstream` at the route's health path:
   * proof that the proxy itself can reach the new container, before any request is sent to it.
   */
  async probe(route: Route, upstream: string, timeoutMs: number): Promise<void> {
    const url = `http://${upstream}${route.health}`;
    const deadline = this.clock.now().getTime() + timeoutMs;
    let last = '';
    for (;;) {
      // timeout(1), not wget -T: busybox 1.35's static wget crashes when -T is given.
      const r = await this.engine.execOutput(names.ingress, [
        'timeout',
        '3',
        'wget',
        '-q',
        '-O',
        '/dev/null',
        url,
      ]);
      if (r.exitCode === 0) return;
      last = r.output.trim();
      if (this.clock.now().getTime() > deadline) {
        throw new KsadError(
          'DEPLOY_FAILED',
          `service ${route.service} did not answer ${route.health} through the ingress within ${Math.round(timeoutMs / 1000)} s`,
          {
            details: last === '' ? [] : [`last answer: ${last}`],
            suggestions: [
              'the previous state was restored; no request reached the new container',
              `check the manifest's http health path of service ${route.service}`,
            ],
          },
        );
      }
      await sleep(POLL_MS);
    }
  }

  /** Keeps the region's certificate and key for `app` where the proxy loads them from. */
  async putCertificate(app: string, certificate: string, key: string): Promise<void> {
    await this.require();
    await this.engine.putFiles(names.ingress, INGRESS_PATHS.data, [
      file(`${INGRESS_PATHS.tlsDir(app)}/cert.pem`, certificate),
      file(`${INGRESS_PATHS.tlsDir(app)}/key.pem`, key, 0o600),
    ]);
  }

  /** The internal CA's root certificate (PEM), once the proxy made it; null before. */
  async caRoot(): Promise<string | null> {
    const files = await this.engine.readFiles(names.ingress, INGRESS_PATHS.caRootDir);
    return files?.[INGRESS_PATHS.caRootFile]?.toString('utf8') ?? null;
  }

  /**
   * Installs the ingress, or upgrades it to another image or other ports: the new proxy
   * container starts with the routes the old one served and joins their networks. The old one
   * has to stop first (both would bind the host's ports), so an upgrade of the proxy itself is a
   * short gap, unlike an app's upgrade through it.
   */
  async install(
    opts: IngressInstall,
    progress: Progress,
  ): Promise<{ outcome: 'installed' | 'upgraded' | 'unchanged'; state: IngressState }> {
    const wanted: RecordedSettings = {
      httpPort: opts.httpPort,
      httpsPort: opts.httpsPort,
      bindAddress: opts.bindAddress,
      image: opts.image,
    };
    const current = await this.container();
    const had = current ? settingsOf(current) : undefined;
    const same =
      current?.state === 'running' &&
      had !== undefined &&
      JSON.stringify(had) === JSON.stringify(wanted);
    if (same) return { outcome: 'unchanged', state: await this.mustState() };

    await progress.step(`Provide the ingress image ${opts.image}`, async (detail) => {
      const { images } = this;
      const evidence = await images.provide(opts.image, detail);
      checkImageIdentity(opts.image, await images.inspect(opts.image), evidence, images.name);
    });
    const routes = current?.state === 'running' ? await this.liveRoutes() : [];
    await progress.step('Prepare the ingress network and data volume', async () => {
      const nets = await this.engine.listNetworks({ [Label.kind]: 'ingress' });
      if (!nets.some((n) => n.name === names.ingress))
        await this.engine.createNetwork(names.ingress, managedLabels('ingress'));
      if (!(await this.engine.inspectVolume(names.ingressData)))
        await this.engine.createVolume(names.ingressData, managedLabels('ingress'));
    });
    const oldName = `${names.ingress}-old`;
    await progress.step(
      current ? 'Replace the ingress container' : 'Start the ingress',
      async () => {
        if (current) {
          if (current.state === 'running') await this.engine.stopContainer(current.id, 10);
          await this.engine.renameContainer(current.id, oldName);
        }
        try {
          await this.start(this.spec(wanted), routes, wanted);
        } catch (error) {
          await this.engine.removeContainer(names.ingress, { force: true });
          if (current) {
            await this.engine.renameContainer(current.id, names.ingress);
            await this.engine.startContainer(current.id);
          }
          throw error;
        }
        if (current) await this.engine.removeContainer(current.id, { force: true });
      },
    );
    return { outcome: current ? 'upgraded' : 'installed', state: await this.mustState() };
  }

  private async mustState(): Promise<IngressState> {
    const s = await this.state();
    if (!s) throw new KsadError('DEPLOY_FAILED', `${names.ingress} disappeared`);
    return s;
  }

  private async start(
    spec: ContainerSpec,
    routes: readonly LiveRoute[],
    settings: IngressSettings,
  ): Promise<void> {
    const id = await this.engine.createContainer(spec);
    const config = JSON.stringify(caddyConfig(routes, settings));
    await this.engine.putFiles(id, INGRESS_PATHS.data, [
      file(inConfig(INGRESS_PATHS.configFile), config, 0o600),
      file(inConfig(ROUTES_FILE), `${JSON.stringify(routes, null, 2)}\n`),
    ]);
    // Joined before start, so the routes it loads can be reached from its first request on.
    for (const net of new Set(routes.map((l) => names.network(l.route.app))))
      await this.engine.connectNetwork(net, id);
    await this.engine.startContainer(id);
    const deadline = this.clock.now().getTime() + 30_000;
    for (;;) {
      const info = await this.engine.inspectContainer(id);
      if (info?.state === 'running' && info.health === 'healthy') return;
      if (
        !info ||
        info.state === 'exited' ||
        info.state === 'dead' ||
        info.health === 'unhealthy'
      ) {
        const logs = await this.engine.containerLogs(id, 10).catch(() => '');
        throw new KsadError('DEPLOY_FAILED', 'the ingress did not start', {
          details: logs.split('\n').filter((l) => l.trim() !== ''),
          suggestions: [
            'check that the host ports are free: ksad ingress install --http-port … --https-port …',
          ],
        });
      }
      if (this.clock.now().getTime() > deadline)
        throw new KsadError('DEPLOY_FAILED', 'the ingress did not become healthy within 30 s');
      await sleep(POLL_MS);
    }
  }

  private spec(s: RecordedSettings): ContainerSpec {
    return {
      name: names.ingress,
      image: s.image,
      command: ['run', '--config', `${INGRESS_PATHS.configDir}/${INGRESS_PATHS.configFile}`],
      env: {},
      labels: managedLabels('ingress', { [Label.ingress]: JSON.stringify(s) }),
      ports: [
        { container: s.httpPort, protocol: 'tcp', hostIp: s.bindAddress, hostPort: s.httpPort },
        { container: s.httpsPort, protocol: 'tcp', hostIp: s.bindAddress, hostPort: s.httpsPort },
      ],
      mounts: [{ volume: names.ingressData, target: INGRESS_PATHS.data, readOnly: false }],
      network: names.ingress,
      aliases: [],
      healthcheck: {
        test: ['wget', '-q', '-O', '/dev/null', 'http://localhost:2019/config/'],
        intervalMs: 1000,
        timeoutMs: 2000,
        retries: 30,
        startPeriodMs: 0,
      },
      restartPolicy: 'unless-stopped',
      init: false,
      readOnlyRootFilesystem: false,
      stopTimeoutSec: 10,
    };
  }
}
