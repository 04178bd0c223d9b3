import { createHash } from 'node:crypto';
import { decodeHeader, padding } from '../../src/adapters/ustar.js';
import { KsadError } from '../../src/core/errors.js';
import { probeLine } from '../../src/core/engine-model.js';
import type {
  ArchiveFile,
  ContainerInfo,
  ContainerSpec,
  ContainerState,
  DockerEngine,
  EngineInfo,
  ExecIO,
  HealthState,
  ImageInfo,
  Labels,
  LogStreamOptions,
  NetworkInfo,
  PublishedPort,
  PullProgress,
  VolumeInfo,
  VolumeMount,
} from '../../src/ports/docker-engine.js';

/** What a container's process does once started. */
export interface FakeBehaviour {
  /** Outcome of its healthcheck once the probes settle (default 'healthy'). */
  health?: 'healthy' | 'unhealthy';
  /** What its health probe prints (reported in the container's health log once probed). */
  healthOutput?: string;
  /** The process exits right after start with this code (state 'exited'); omitted: it keeps running. */
  exitCode?: number;
  /** What it prints (stdout and stderr together), shown by containerLogs once started. */
  logs?: string;
}

/** An image the fake registry serves. */
export interface FakeImage extends FakeBehaviour {
  /** Image ID; default `sha256:` + a hash of the reference. */
  id?: string;
  /** Default: one digest derived from the reference (or the reference itself when pinned by digest). */
  repoDigests?: string[];
  /** Already on the host before any pull (default false: pull it first, as on a fresh host). */
  local?: boolean;
  /** The image has its own HEALTHCHECK, so its containers report health without `spec.healthcheck`. */
  healthcheck?: boolean;
  /** Env the image sets; the spec's env is laid over it, as the engine does. */
  env?: Record<string, string>;
}

export interface FakeContainerSeed {
  spec: ContainerSpec;
  /** Default 'running'. A running seed's health has already settled. */
  state?: 'created' | 'running' | 'exited';
  exitCode?: number;
}

type FailureHooks = {
  [M in keyof DockerEngine]?: (...args: Parameters<DockerEngine[M]>) => Error | undefined;
};

/** Partial overrides: everything is optional and defaults to an empty, healthy, reachable engine. */
export interface FakeEngineOptions {
  /** Images by reference (`repo:tag` or `repo@sha256:…`; a bare `repo` means `repo:latest`). */
  images?: Record<string, FakeImage>;
  /** References whose pull fails inside the stream; a record gives the engine's message. */
  failPull?: string[] | Record<string, string>;
  /** Host ports held by programs outside the engine: `8080` (any address) or `'127.0.0.1:8080'`. */
  takenPorts?: Array<number | string>;
  /** Per container: by name, or computed from the spec. Wins over the image's behaviour. */
  behaviour?: Record<string, FakeBehaviour> | ((spec: ContainerSpec) => FakeBehaviour | undefined);
  /** Inspections of a started container that still report health 'starting' (default 1). */
  healthProbes?: number;
  containers?: FakeContainerSeed[];
  networks?: Array<{ name: string; labels?: Labels }>;
  volumes?: Array<{ name: string; labels?: Labels }>;
  /** Every call fails with ENGINE_UNAVAILABLE, as when the engine is down. Can be flipped later. */
  unavailable?: boolean;
  /** Default `fake://docker`. */
  endpoint?: string;
  info?: Partial<Omit<EngineInfo, 'endpoint'>>;
  /** Per method: return an error to throw it instead of running the call (e.g. to test rollback). */
  failures?: FailureHooks;
}

export interface FakeCall {
  method: keyof DockerEngine;
  args: unknown[];
}

interface FakeContainer {
  id: string;
  name: string;
  spec: ContainerSpec;
  /** Networks joined after creation (connectNetwork). */
  joined?: string[];
  imageId: string;
  state: ContainerState;
  exitCode: number;
  /** The settled outcome, or undefined when there is no healthcheck. */
  outcome: 'healthy' | 'unhealthy' | undefined;
  health: HealthState;
  probesLeft: number;
  logs: string;
  createdAt: string;
  env: Record<string, string>;
}

type LocalImage = FakeImage & { ref: string; id: string; repoDigests: string[]; layers?: string[] };

interface FakeNetwork extends NetworkInfo {
  createdAt: string;
}

const PREDEFINED_NETWORKS = new Set(['bridge', 'host', 'none']);
const EPOCH = Date.UTC(2025, 0, 1);

const hash = (text: string): string => createHash('sha256').update(text).digest('hex');

/** `repo` → `repo:latest`; tags and digests stay as given. */
function normaliseRef(ref: string): string {
  if (ref.includes('@')) return ref;
  const lastSlash = ref.lastIndexOf('/');
  return ref.slice(lastSlash + 1).includes(':') ? ref : `${ref}:latest`;
}

const matches = (have: Labels, want: Labels): boolean =>
  Object.entries(want).every(([k, v]) => k in have && (v === '' || have[k] === v));

const anyAddress = (ip: string): boolean => ip === '' || ip === '0.0.0.0' || ip === '::';
const overlaps = (a: string, b: string): boolean => a === b || anyAddress(a) || anyAddress(b);
const formatPort = (p: PublishedPort): string =>
  `${p.hostIp || '0.0.0.0'}:${p.hostPort}/${p.protocol}`;

/**
 * An in-memory DockerEngine that behaves like DockerodeEngine wherever the contract suite
 * (`test/contract/docker-engine.contract.ts`) looks: unique names, label filters, container states,
 * health going 'starting' → settled, taken host ports on start, pull failures. Ids and timestamps
 * are deterministic. Every call is recorded in `calls`.
 */
export class FakeEngine implements DockerEngine {
  readonly calls: FakeCall[] = [];
  /** Flip to simulate the engine going away mid-operation. */
  unavailable: boolean;
  readonly endpoint: string;

  private readonly options: FakeEngineOptions;
  private readonly registry = new Map<string, FakeImage>();
  private readonly local = new Map<string, LocalImage>();
  private readonly failPull: Map<string, string>;
  private readonly containers = new Map<string, FakeContainer>();
  /** Followed log streams waiting for their container to stop, by container id. */
  private readonly stopWaiters = new Map<string, Array<() => void>>();
  private readonly networks = new Map<string, FakeNetwork>();
  private readonly volumes = new Map<string, VolumeInfo>();
  /** What containers wrote into each volume, by file name (putFiles/readFiles). */
  private readonly volumeFiles = new Map<string, Map<string, Buffer>>();
  private tick = 0;

  constructor(options: FakeEngineOptions = {}) {
    this.options = options;
    this.unavailable = options.unavailable ?? false;
    this.endpoint = options.endpoint ?? 'fake://docker';
    for (const [ref, image] of Object.entries(options.images ?? {})) {
      this.registry.set(normaliseRef(ref), image);
      if (image.local) this.addLocal(normaliseRef(ref), image);
    }
    const failPull = options.failPull ?? [];
    this.failPull = new Map(
      Array.isArray(failPull)
        ? failPull.map((ref) => [
            normaliseRef(ref),
            `failed to register layer: simulated failure pulling ${ref}`,
          ])
        : Object.entries(failPull).map(([ref, message]) => [normaliseRef(ref), message]),
    );
    for (const n of options.networks ?? []) this.addNetwork(n.name, n.labels ?? {});
    for (const v of options.volumes ?? []) this.addVolume(v.name, v.labels ?? {});
    for (const seed of options.containers ?? []) this.seed(seed);
  }

  async info(): Promise<EngineInfo> {
    this.enter('info', []);
    return Promise.resolve({
      version: '20.10.24',
      apiVersion: '1.41',
      os: 'linux',
      arch: 'amd64',
      ...this.options.info,
      endpoint: this.endpoint,
    });
  }

  async inspectImage(ref: string): Promise<ImageInfo | null> {
    this.enter('inspectImage', [ref]);
    const image = this.findLocal(ref);
    if (!image) return Promise.resolve(null);
    return Promise.resolve({
      id: image.id,
      repoDigests: [...image.repoDigests],
      repoTags: image.ref.includes('@') ? [] : [image.ref],
      ...(image.layers ? { layers: [...image.layers] } : {}),
    });
  }

  /**
   * Reads a docker-archive as the engine does: `manifest.json` names the config (the image id is
   * its sha256) and the layers; every layer file must be there unless an image already holds it.
   */
  async loadImage(
    archive: AsyncIterable<Uint8Array>,
    onProgress?: (text: string) => void,
  ): Promise<void> {
    this.enter('loadImage', [archive, onProgress]);
    const chunks: Buffer[] = [];
    for await (const c of archive) chunks.push(Buffer.from(c));
    const all = Buffer.concat(chunks);
    const files = new Map<string, Buffer>();
    for (let at = 0; at + 512 <= all.length;) {
      const h = decodeHeader(all.subarray(at, at + 512));
      if ('problem' in h) break;
      files.set(h.name, all.subarray(at + 512, at + 512 + h.size));
      at += 512 + h.size + padding(h.size);
    }
    const manifest = JSON.parse(files.get('manifest.json')?.toString('utf8') ?? '[]') as Array<{
      Config: string;
      RepoTags: string[];
      Layers: string[];
    }>;
    for (const m of manifest) {
      const config = files.get(m.Config);
      if (!config)
        throw new KsadError('DEPLOY_FAILED', `the engine refused to load an image: no ${m.Config}`);
      const diffIds = (JSON.parse(config.toString('utf8')) as { rootfs: { diff_ids: string[] } })
        .rootfs.diff_ids;
      for (const [i, path] of m.Layers.entries()) {
        const layer = files.get(path);
        const have = [...this.local.values()].some((l) => (l.layers ?? [])[i] === diffIds[i]);
        if (!layer && have) continue;
        const diffId = layer && `sha256:${createHash('sha256').update(layer).digest('hex')}`;
        if (diffId !== diffIds[i])
          throw new KsadError(
            'DEPLOY_FAILED',
            `the engine refused to load an image: invalid diffID for layer ${i}: expected ${diffIds[i]}, got ${diffId ?? 'no file'}`,
          );
      }
      const id = `sha256:${createHash('sha256').update(config).digest('hex')}`;
      const tag = m.RepoTags[0] ?? id;
      this.local.set(tag, { ref: tag, id, repoDigests: [], layers: diffIds });
      onProgress?.(`Loaded image: ${tag}`);
    }
  }

  async listImages(): Promise<ImageInfo[]> {
    this.enter('listImages', []);
    return Promise.resolve(
      [...this.local.values()].map((i) => ({
        id: i.id,
        repoDigests: [...i.repoDigests],
        repoTags: i.ref.includes('@') ? [] : [i.ref],
        ...(i.layers ? { layers: [...i.layers] } : {}),
      })),
    );
  }

  async pullImage(ref: string, onProgress?: (p: PullProgress) => void): Promise<void> {
    this.enter('pullImage', [ref, onProgress]);
    const key = normaliseRef(ref);
    const image = this.registry.get(key) ?? this.registryByDigest(key);
    if (!image) {
      throw new KsadError(
        'DEPLOY_FAILED',
        `image "${ref}" was not found in its registry: manifest for ${ref} not found: manifest unknown`,
        {
          suggestions: [
            `check the image reference "${ref}" (repository, tag or digest) and that it was pushed`,
          ],
        },
      );
    }
    const at = key.includes('@') ? key.indexOf('@') + 1 : key.lastIndexOf(':') + 1;
    onProgress?.({ id: key.slice(at), status: `Pulling from ${key.slice(0, at - 1)}` });
    const failure = this.failPull.get(key);
    if (failure !== undefined)
      throw new KsadError('DEPLOY_FAILED', `cannot pull image "${ref}": ${failure}`);
    const layer = hash(key).slice(0, 12);
    onProgress?.({ id: layer, status: 'Downloading', current: 1024, total: 2048 });
    onProgress?.({ id: layer, status: 'Pull complete' });
    const local = this.addLocal(key, image);
    onProgress?.({ status: `Digest: ${local.repoDigests[0]?.split('@')[1] ?? local.id}` });
    onProgress?.({ status: `Status: Downloaded newer image for ${key}` });
    return Promise.resolve();
  }

  async listContainers(labels: Labels): Promise<ContainerInfo[]> {
    this.enter('listContainers', [labels]);
    return Promise.resolve(
      [...this.containers.values()]
        .filter((c) => matches(c.spec.labels, labels))
        .map((c) => this.view(c)),
    );
  }

  async inspectContainer(idOrName: string): Promise<ContainerInfo | null> {
    this.enter('inspectContainer', [idOrName]);
    const container = this.findContainer(idOrName);
    return Promise.resolve(container ? this.view(container) : null);
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    this.enter('createContainer', [spec]);
    if (this.findContainerByName(spec.name)) throw this.nameInUse(spec.name);
    const image = this.findLocal(spec.image);
    if (!image) {
      throw new KsadError(
        'NOT_FOUND',
        `cannot create container "${spec.name}": No such image: ${spec.image}`,
        {
          suggestions: [`pull the image "${spec.image}" onto the Docker host first`],
        },
      );
    }
    // As the engine does, a named volume that does not exist yet is created, unlabelled.
    for (const m of spec.mounts) if (!this.volumes.has(m.volume)) this.addVolume(m.volume, {});
    const container = this.addContainer(spec, image.id, { ...(image.env ?? {}), ...spec.env });
    return Promise.resolve(container.id);
  }

  async createMarker(
    name: string,
    labels: Labels,
    mounts: readonly VolumeMount[] = [],
  ): Promise<void> {
    this.enter('createMarker', [name, labels, mounts]);
    // Like the engine: a named volume a mount needs is created with the container.
    if (!this.findContainerByName(name))
      for (const m of mounts) if (!this.volumes.has(m.volume)) this.addVolume(m.volume, {});
    if (this.findContainerByName(name))
      throw new KsadError('LOCKED', `"${name}" is already held on the Docker host`);
    const spec: ContainerSpec = {
      name,
      image: 'ksad/marker:1',
      command: ['ksad-marker'],
      env: {},
      labels: { ...labels },
      ports: [],
      mounts: mounts.map((m) => ({ ...m })),
      network: 'none',
      aliases: [],
      restartPolicy: 'no',
      init: false,
      readOnlyRootFilesystem: false,
      stopTimeoutSec: 0,
    };
    this.addContainer(spec, 'sha256:marker', {});
    return Promise.resolve();
  }

  async putFiles(container: string, dir: string, files: readonly ArchiveFile[]): Promise<void> {
    this.enter('putFiles', [container, dir, files.map((f) => f.name)]);
    const target = this.volumeFolder(container, dir);
    if (!target)
      throw new KsadError('NOT_FOUND', `no such container or folder: ${container}:${dir}`);
    for (const f of files) target.set(f.name, Buffer.from(f.content));
    return Promise.resolve();
  }

  async readFiles(container: string, dir: string): Promise<Record<string, Buffer> | null> {
    this.enter('readFiles', [container, dir]);
    const target = this.volumeFolder(container, dir);
    if (!target) return Promise.resolve(null);
    return Promise.resolve(
      Object.fromEntries([...target].map(([name, content]) => [name, Buffer.from(content)])),
    );
  }

  /** The files of the volume mounted at `dir` in `container` (only a mount's own folder). */
  private volumeFolder(container: string, dir: string): Map<string, Buffer> | undefined {
    const c = this.findContainer(container) ?? this.findContainerByName(container);
    const mount = c?.spec.mounts.find((m) => m.target === dir.replace(/\/$/, ''));
    if (!mount || !this.volumes.has(mount.volume)) return undefined;
    let files = this.volumeFiles.get(mount.volume);
    if (!files) this.volumeFiles.set(mount.volume, (files = new Map<string, Buffer>()));
    return files;
  }

  async startContainer(id: string): Promise<void> {
    this.enter('startContainer', [id]);
    const c = this.findContainer(id);
    if (!c)
      throw new KsadError('NOT_FOUND', `cannot start container "${id}": No such container: ${id}`);
    if (c.state === 'running') return Promise.resolve();
    if (!PREDEFINED_NETWORKS.has(c.spec.network) && !this.findNetwork(c.spec.network)) {
      throw new KsadError(
        'NOT_FOUND',
        `cannot start container "${c.name}": network ${c.spec.network} not found`,
      );
    }
    for (const port of c.spec.ports) {
      const holder = [...this.containers.values()].find(
        (other) =>
          other !== c &&
          other.state === 'running' &&
          other.spec.ports.some(
            (p) =>
              p.hostPort === port.hostPort &&
              p.protocol === port.protocol &&
              overlaps(p.hostIp, port.hostIp),
          ),
      );
      if (holder) {
        throw new KsadError(
          'DEPLOY_FAILED',
          `cannot start container "${c.name}": host port ${formatPort(port)} is already allocated by container "${holder.name}"`,
          {
            suggestions: [
              `publish another host port for this service, or stop container "${holder.name}"`,
            ],
          },
        );
      }
      if (this.portTakenOutside(port)) {
        throw new KsadError(
          'DEPLOY_FAILED',
          `cannot start container "${c.name}" (publishing ${formatPort(port)}): Error starting userland proxy: listen ${port.protocol}4 ${port.hostIp || '0.0.0.0'}:${port.hostPort}: bind: address already in use`,
          {
            suggestions: [
              'if a host port is taken by another program, free it or publish another host port for this service',
            ],
          },
        );
      }
    }
    const behaviour = this.behaviourOf(c.spec);
    c.logs = behaviour.logs ?? '';
    if (behaviour.exitCode !== undefined) {
      c.state = 'exited';
      c.exitCode = behaviour.exitCode;
    } else {
      c.state = 'running';
      c.exitCode = 0;
    }
    if (c.outcome) {
      c.health = 'starting';
      c.probesLeft = this.options.healthProbes ?? 1;
    }
    return Promise.resolve();
  }

  async stopContainer(id: string, timeoutSec: number): Promise<void> {
    this.enter('stopContainer', [id, timeoutSec]);
    const c = this.findContainer(id);
    if (!c) throw this.noSuchContainer(id);
    if (c.state === 'running') {
      c.state = 'exited';
      c.exitCode = 143;
    }
    for (const wake of this.stopWaiters.get(c.id) ?? []) wake();
    this.stopWaiters.delete(c.id);
    return Promise.resolve();
  }

  async removeContainer(id: string, opts: { force?: boolean } = {}): Promise<void> {
    this.enter('removeContainer', [id, opts]);
    const c = this.findContainer(id);
    if (!c) return Promise.resolve();
    if (c.state === 'running' && !opts.force) {
      throw new KsadError(
        'ENGINE_UNAVAILABLE',
        `cannot remove container "${id}": You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`,
        {
          suggestions: ['stop the container first, or remove it with force'],
        },
      );
    }
    this.containers.delete(c.id);
    return Promise.resolve();
  }

  async renameContainer(id: string, newName: string): Promise<void> {
    this.enter('renameContainer', [id, newName]);
    const c = this.findContainer(id);
    if (!c) throw this.noSuchContainer(id);
    const other = this.findContainerByName(newName);
    if (other) throw this.nameInUse(newName);
    c.name = newName;
    c.spec = { ...c.spec, name: newName };
    return Promise.resolve();
  }

  async streamLogs(
    id: string,
    opts: LogStreamOptions,
    onData: (stream: 'stdout' | 'stderr', data: Uint8Array) => void,
  ): Promise<void> {
    this.enter('streamLogs', [id, opts, onData]);
    const c = this.findContainer(id);
    if (!c) throw this.noSuchContainer(id);
    // The fake keeps no timestamps: `since` keeps every line.
    const lines = c.logs.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const kept =
      opts.tail === undefined ? lines : lines.slice(Math.max(0, lines.length - opts.tail));
    for (const line of kept) onData('stdout', Buffer.from(`${line}\n`));
    if (!opts.follow || c.state !== 'running' || opts.signal?.aborted) return;
    // Following ends when the container stops or the reader lets go, as on an engine.
    await new Promise<void>((resolve) => {
      this.stopWaiters.set(c.id, [...(this.stopWaiters.get(c.id) ?? []), resolve]);
      opts.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /**
   * The fake runs no processes; `exec` answers a few commands as busybox would: `echo ARGS`,
   * `cat` (its stdin), `sh -c 'echo $NAME'`, `sh -c 'exit N'`; anything else is "not found" (127).
   */
  async exec(id: string, cmd: readonly string[], io: ExecIO): Promise<number> {
    this.enter('exec', [id, cmd, io]);
    const c = this.findContainer(id);
    if (!c) throw this.noSuchContainer(id);
    if (c.state !== 'running') {
      throw new KsadError(
        'USAGE',
        `cannot run a command in container "${id}": Container ${c.id} is not running`,
        {
          suggestions: ['a command runs only in a running container: ksad start APP SERVICE'],
        },
      );
    }
    const [program, ...args] = cmd;
    const out = (text: string): void => io.stdout(Buffer.from(text));
    if (program === 'echo') out(`${args.join(' ')}\n`);
    else if (program === 'cat') {
      for await (const chunk of io.stdin ?? []) io.stdout(chunk);
    } else if (program === 'sh' && args[0] === '-c' && /^echo \$\w+$/.test(args[1] ?? '')) {
      out(`${c.env[(args[1] ?? '').slice(6)] ?? ''}\n`);
    } else if (program === 'sh' && args[0] === '-c' && /^exit \d+$/.test(args[1] ?? '')) {
      return Number((args[1] ?? '').slice(5));
    } else {
      const said = Buffer.from(`exec: ${program ?? ''}: not found\n`);
      if (io.tty) io.stdout(said);
      else io.stderr(said);
      return 127;
    }
    return 0;
  }

  async containerLogs(id: string, tail: number): Promise<string> {
    this.enter('containerLogs', [id, tail]);
    const c = this.findContainer(id);
    if (!c) throw this.noSuchContainer(id);
    const lines = c.logs.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const kept = tail >= 0 ? lines.slice(Math.max(0, lines.length - tail)) : lines;
    return Promise.resolve(kept.map((l) => `${l}\n`).join(''));
  }

  /** Answers every command with exit 0 and no output, as a proxy accepting its configuration would. */
  async execOutput(
    container: string,
    cmd: readonly string[],
  ): Promise<{ exitCode: number; output: string }> {
    this.enter('exec', [container, cmd]);
    const c = this.findContainer(container);
    if (!c) throw this.noSuchContainer(container);
    if (c.state !== 'running') {
      throw new KsadError('ENGINE_UNAVAILABLE', `container ${container} is not running`);
    }
    return Promise.resolve({ exitCode: 0, output: '' });
  }

  async connectNetwork(network: string, container: string): Promise<void> {
    this.enter('connectNetwork', [network, container]);
    const c = this.findContainer(container);
    if (!c) throw this.noSuchContainer(container);
    if (!this.findNetwork(network)) {
      throw new KsadError('ENGINE_UNAVAILABLE', `network ${network} not found`);
    }
    if (c.spec.network !== network && !(c.joined ?? []).includes(network))
      c.joined = [...(c.joined ?? []), network];
    return Promise.resolve();
  }

  async disconnectNetwork(network: string, container: string): Promise<void> {
    this.enter('disconnectNetwork', [network, container]);
    const c = this.findContainer(container);
    if (c) c.joined = (c.joined ?? []).filter((n) => n !== network);
    return Promise.resolve();
  }

  async listNetworks(labels: Labels): Promise<NetworkInfo[]> {
    this.enter('listNetworks', [labels]);
    return Promise.resolve(
      [...this.networks.values()]
        .filter((n) => matches(n.labels, labels))
        .map((n) => ({ id: n.id, name: n.name, labels: { ...n.labels } })),
    );
  }

  async createNetwork(name: string, labels: Labels): Promise<NetworkInfo> {
    this.enter('createNetwork', [name, labels]);
    if (this.findNetwork(name) || PREDEFINED_NETWORKS.has(name)) {
      throw new KsadError(
        'ENGINE_UNAVAILABLE',
        `network "${name}" already exists on the Docker host at ${this.endpoint}`,
        {
          suggestions: [
            `remove the existing network (docker network rm ${name}) or let ksad reuse it`,
          ],
        },
      );
    }
    const n = this.addNetwork(name, labels);
    return Promise.resolve({ id: n.id, name: n.name, labels: { ...n.labels } });
  }

  async removeNetwork(idOrName: string): Promise<void> {
    this.enter('removeNetwork', [idOrName]);
    const n = this.findNetwork(idOrName);
    if (!n) return Promise.resolve();
    const attached = [...this.containers.values()].filter(
      (c) =>
        c.state === 'running' &&
        (c.spec.network === n.name || c.spec.network === n.id || (c.joined ?? []).includes(n.name)),
    );
    if (attached.length > 0) {
      throw new KsadError(
        'ENGINE_UNAVAILABLE',
        `cannot remove network "${idOrName}": error while removing network: network ${n.name} id ${n.id} has active endpoints`,
        {
          suggestions: ['stop or disconnect the containers still attached to it first'],
        },
      );
    }
    this.networks.delete(n.id);
    return Promise.resolve();
  }

  async listVolumes(labels: Labels): Promise<VolumeInfo[]> {
    this.enter('listVolumes', [labels]);
    return Promise.resolve(
      [...this.volumes.values()]
        .filter((v) => matches(v.labels, labels))
        .map((v) => ({ ...v, labels: { ...v.labels } })),
    );
  }

  async inspectVolume(name: string): Promise<VolumeInfo | null> {
    this.enter('inspectVolume', [name]);
    const v = this.volumes.get(name);
    return Promise.resolve(v ? { ...v, labels: { ...v.labels } } : null);
  }

  async createVolume(name: string, labels: Labels): Promise<VolumeInfo> {
    this.enter('createVolume', [name, labels]);
    // Like the engine: creating an existing volume returns it unchanged.
    const v = this.volumes.get(name) ?? this.addVolume(name, labels);
    return Promise.resolve({ ...v, labels: { ...v.labels } });
  }

  async removeVolume(name: string): Promise<void> {
    this.enter('removeVolume', [name]);
    if (!this.volumes.has(name)) return Promise.resolve();
    const users = [...this.containers.values()].filter((c) =>
      c.spec.mounts.some((m) => m.volume === name),
    );
    if (users.length > 0) {
      throw new KsadError(
        'ENGINE_UNAVAILABLE',
        `cannot remove volume "${name}": it is in use (remove ${name}: volume is in use - [${users.map((u) => u.id).join(', ')}])`,
        {
          suggestions: ['remove the containers that mount it first'],
        },
      );
    }
    this.volumes.delete(name);
    this.volumeFiles.delete(name);
    return Promise.resolve();
  }

  /**
   * From now on every call fails as the real adapter reports an engine that died mid-operation
   * (ENGINE_UNAVAILABLE, reason `lost`, naming the call). `answerAgain()` brings it back.
   */
  stopAnswering(): void {
    this.gone = true;
  }

  answerAgain(): void {
    this.gone = false;
  }

  private gone = false;

  private enter<M extends keyof DockerEngine>(method: M, args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.gone) {
      throw new KsadError(
        'ENGINE_UNAVAILABLE',
        `the Docker engine at ${this.endpoint} stopped answering during \`${method}\``,
        {
          reason: 'lost',
          suggestions: [
            'check that the engine runs on that host: `docker info` (systemctl status docker)',
            'run the command again once it is back; ksad recovers a change it interrupted',
          ],
        },
      );
    }
    if (this.unavailable) {
      throw new KsadError(
        'ENGINE_UNAVAILABLE',
        `cannot reach the Docker engine at ${this.endpoint}: connection refused (ECONNREFUSED)`,
        {
          suggestions: [
            'start the Docker engine on that host',
            'point ksad at the right engine with DOCKER_HOST or --docker-host (unix://, tcp:// or ssh://)',
          ],
        },
      );
    }
    const hook = this.options.failures?.[method] as
      ((...a: unknown[]) => Error | undefined) | undefined;
    const error = hook?.(...args);
    if (error) throw error;
  }

  private now(): string {
    this.tick += 1;
    return new Date(EPOCH + this.tick * 1000).toISOString();
  }

  private nextId(kind: string): string {
    return hash(
      `${kind}:${this.tick + 1}:${this.containers.size + this.networks.size + this.volumes.size}`,
    );
  }

  private addLocal(key: string, image: FakeImage): LocalImage {
    const existing = this.local.get(key);
    if (existing) return existing;
    const repo = key.includes('@')
      ? key.slice(0, key.indexOf('@'))
      : key.slice(0, key.lastIndexOf(':'));
    const entry: LocalImage = {
      ...image,
      ref: key,
      id: image.id ?? `sha256:${hash(`image:${key}`)}`,
      repoDigests: image.repoDigests ?? [
        key.includes('@') ? key : `${repo}@sha256:${hash(`digest:${key}`)}`,
      ],
    };
    this.local.set(key, entry);
    return entry;
  }

  private findLocal(ref: string): LocalImage | undefined {
    const key = normaliseRef(ref);
    return (
      this.local.get(key) ??
      [...this.local.values()].find((i) => i.id === ref || i.repoDigests.includes(ref))
    );
  }

  private registryByDigest(ref: string): FakeImage | undefined {
    for (const [key, image] of this.registry) {
      const repo = key.includes('@')
        ? key.slice(0, key.indexOf('@'))
        : key.slice(0, key.lastIndexOf(':'));
      const digests = image.repoDigests ?? [
        key.includes('@') ? key : `${repo}@sha256:${hash(`digest:${key}`)}`,
      ];
      if (digests.includes(ref)) return image;
    }
    return undefined;
  }

  private behaviourOf(spec: ContainerSpec): FakeBehaviour {
    const image = this.findLocal(spec.image) ?? this.registry.get(normaliseRef(spec.image));
    const own =
      typeof this.options.behaviour === 'function'
        ? this.options.behaviour(spec)
        : this.options.behaviour?.[spec.name];
    return { ...pick(image), ...own };
  }

  private addContainer(
    spec: ContainerSpec,
    imageId: string,
    env: Record<string, string>,
  ): FakeContainer {
    const image = this.findLocal(spec.image);
    const hasHealthcheck = spec.healthcheck !== undefined || image?.healthcheck === true;
    const container: FakeContainer = {
      id: this.nextId('container'),
      name: spec.name,
      spec: structuredClone(spec),
      imageId,
      state: 'created',
      exitCode: 0,
      outcome: hasHealthcheck ? (this.behaviourOf(spec).health ?? 'healthy') : undefined,
      health: 'none',
      probesLeft: 0,
      logs: '',
      createdAt: this.now(),
      env,
    };
    this.containers.set(container.id, container);
    return container;
  }

  private seed(seed: FakeContainerSeed): void {
    const image = this.findLocal(seed.spec.image);
    const c = this.addContainer(
      seed.spec,
      image?.id ?? `sha256:${hash(`image:${normaliseRef(seed.spec.image)}`)}`,
      { ...(image?.env ?? {}), ...seed.spec.env },
    );
    const state = seed.state ?? 'running';
    c.state = state;
    c.exitCode = seed.exitCode ?? 0;
    if (state !== 'created') {
      c.logs = this.behaviourOf(seed.spec).logs ?? '';
      if (c.outcome) c.health = c.outcome;
    }
  }

  private addNetwork(name: string, labels: Labels): FakeNetwork {
    const n: FakeNetwork = {
      id: this.nextId('network'),
      name,
      labels: { ...labels },
      createdAt: this.now(),
    };
    this.networks.set(n.id, n);
    return n;
  }

  private addVolume(name: string, labels: Labels): VolumeInfo {
    const v: VolumeInfo = { name, labels: { ...labels }, createdAt: this.now() };
    this.volumes.set(name, v);
    return v;
  }

  private findNetwork(idOrName: string): FakeNetwork | undefined {
    return [...this.networks.values()].find((n) => n.id === idOrName || n.name === idOrName);
  }

  private findContainerByName(name: string): FakeContainer | undefined {
    const bare = name.replace(/^\//, '');
    return [...this.containers.values()].find((c) => c.name === bare);
  }

  /** By full id, name, or unique id prefix, as the engine resolves them. */
  private findContainer(idOrName: string): FakeContainer | undefined {
    const exact = this.containers.get(idOrName) ?? this.findContainerByName(idOrName);
    if (exact) return exact;
    const byPrefix = [...this.containers.values()].filter((c) => c.id.startsWith(idOrName));
    return byPrefix.length === 1 ? byPrefix[0] : undefined;
  }

  private portTakenOutside(port: PublishedPort): boolean {
    return (this.options.takenPorts ?? []).some((taken) => {
      if (typeof taken === 'number') return taken === port.hostPort;
      const at = taken.lastIndexOf(':');
      const ip = at < 0 ? '' : taken.slice(0, at).replace(/^\[(.*)\]$/, '$1');
      return Number(taken.slice(at + 1)) === port.hostPort && overlaps(ip, port.hostIp);
    });
  }

  /** Inspecting a running container advances its health probes, as time would on a real engine. */
  private view(c: FakeContainer): ContainerInfo {
    if (c.state === 'running' && c.health === 'starting' && c.outcome) {
      if (c.probesLeft > 0) c.probesLeft -= 1;
      else c.health = c.outcome;
    }
    const health = c.health;
    const settled = health === 'healthy' || health === 'unhealthy';
    const probeOutput = this.behaviourOf(c.spec).healthOutput ?? '';
    return {
      id: c.id,
      name: c.name,
      image: c.spec.image,
      imageId: c.imageId,
      labels: { ...c.spec.labels },
      state: c.state,
      health,
      healthLog: settled ? [probeLine(health === 'healthy' ? 0 : 1, probeOutput)] : [],
      exitCode: c.exitCode,
      env: { ...c.env },
      ports: c.spec.ports
        .map((p) => ({ ...p }))
        .sort(
          (a, b) =>
            a.container - b.container ||
            a.protocol.localeCompare(b.protocol) ||
            a.hostIp.localeCompare(b.hostIp) ||
            a.hostPort - b.hostPort,
        ),
      mounts: c.spec.mounts.map((m) => ({ ...m })).sort((a, b) => a.target.localeCompare(b.target)),
      networks: [c.spec.network, ...(c.joined ?? [])],
      createdAt: c.createdAt,
      settings: {
        memoryBytes: c.spec.memoryBytes ?? 0,
        nanoCpus: c.spec.nanoCpus ?? 0,
        restartPolicy: c.spec.restartPolicy,
        capAdd: [],
        privileged: false,
        init: c.spec.init,
        readOnlyRootFilesystem: c.spec.readOnlyRootFilesystem,
      },
    };
  }

  private nameInUse(name: string): KsadError {
    return new KsadError(
      'ENGINE_UNAVAILABLE',
      `container name "${name}" is already in use on the Docker host at ${this.endpoint}`,
      {
        suggestions: [
          `remove or rename the existing container "${name}" (docker rm -f ${name}) and try again`,
        ],
      },
    );
  }

  private noSuchContainer(id: string): KsadError {
    return new KsadError(
      'NOT_FOUND',
      `container "${id}" does not exist on the Docker host at ${this.endpoint}`,
    );
  }
}

function pick(image: FakeImage | undefined): FakeBehaviour {
  const out: FakeBehaviour = {};
  if (image?.health !== undefined) out.health = image.health;
  if (image?.exitCode !== undefined) out.exitCode = image.exitCode;
  if (image?.logs !== undefined) out.logs = image.logs;
  return out;
}
