import { AsyncLocalStorage } from 'node:async_hooks';
import { Readable } from 'node:stream';
import { Agent as HttpAgent, type AgentOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import Dockerode from 'dockerode';
import { isKsadError, KsadError } from '../core/errors.js';
import type {
  ArchiveFile,
  ContainerInfo,
  ContainerSpec,
  DockerEngine,
  EngineInfo,
  ExecIO,
  ImageInfo,
  Labels,
  LogStreamOptions,
  NetworkInfo,
  PublishedPort,
  PullProgress,
  VolumeInfo,
  VolumeMount,
} from '../ports/docker-engine.js';
import type { RegistryCredential, RegistryCredentials } from '../ports/registry-credentials.js';
import { packFiles, unpackFiles } from './docker-archive.js';
import { openExec, openLogs, pumpLogs, runExec } from './docker-streams.js';
import { DEFAULT_ENGINE_TIMEOUTS, formatLimit, type EngineTimeouts } from './engine-timeouts.js';
import { resolveDockerHost, type DockerHostInput, type ResolvedDockerHost } from './docker-host.js';
import { parseImageReference } from './registry-http.js';
import {
  demultiplexLogs,
  fromImageInspect,
  fromInspect,
  fromNetwork,
  fromVersion,
  fromVolume,
  labelFilters,
  toCreateOptions,
} from './docker-mapping.js';

/** ksad's empty image for marker containers (locks). */
export const MARKER_IMAGE = 'ksad/marker:1';

export interface DockerodeEngineOptions {
  /**
   * How long to wait for the connection to the engine to open, in ms (default 10 000). Only the
   * connect is bounded: a pull or a stop legitimately keeps a request open for much longer.
   */
  connectTimeoutMs?: number;
  /**
   * The operator's registry logins (`docker login`), sent with each pull as the docker CLI sends
   * them; pulls are anonymous without.
   */
  credentials?: RegistryCredentials;
  /** How long each kind of call may take (default {@link DEFAULT_ENGINE_TIMEOUTS}). */
  timeouts?: EngineTimeouts;
}

/** What docker-modem attaches to the errors it reports. */
interface EngineError extends Error {
  statusCode?: number;
  json?: unknown;
  code?: unknown;
  syscall?: unknown;
  /** ssh2 sets this on connection and authentication failures. */
  level?: unknown;
}

const asEngineError = (error: unknown): EngineError | undefined =>
  error instanceof Error ? error : undefined;
const statusOf = (error: unknown): number | undefined => {
  const status = asEngineError(error)?.statusCode;
  return typeof status === 'number' ? status : undefined;
};

/** The engine's own words: the JSON `message`, else docker-modem's text without its `(HTTP code …) reason -` prefix. */
function engineMessage(error: EngineError): string {
  const json = error.json;
  if (json && typeof json === 'object' && 'message' in json && typeof json.message === 'string')
    return json.message.trim();
  return error.message.replace(/^\(HTTP code \d+\) .*? - /, '').trim();
}

const UNREACHABLE_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOENT: 'no such socket',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while ksad was writing',
  ECONNABORTED: 'connection aborted',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
};

/**
 * A failure to talk to the engine at all (socket, TCP, TLS or SSH), as opposed to an engine answer:
 * Node's system errors carry a string `code` (ECONNREFUSED, ENOENT, CERT_HAS_EXPIRED …), ssh2's a `level`.
 */
function isTransportError(error: EngineError): boolean {
  return (
    statusOf(error) === undefined &&
    (typeof error.code === 'string' ||
      typeof error.syscall === 'string' ||
      typeof error.level === 'string')
  );
}

/** Codes of a connection that dropped while a call was under way. */
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/** Codes of an engine that is not (or no longer) there: its socket is gone or nothing listens. */
const ABSENT = new Set(['ENOENT', 'ECONNREFUSED']);

/** An agent's options are merged into each of its requests', so TLS's `servername` may be given. */
const SOCKET_AGENT_OPTIONS: AgentOptions & { servername: string } = {
  keepAlive: true,
  scheduling: 'lifo',
  timeout: 5000,
  servername: '',
};

/** Bounds only the connect phase of every socket the agent opens. */
function withConnectTimeout<A extends HttpAgent>(agent: A, timeoutMs: number): A {
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => {
    const socket = create(options, callback);
    if (socket) {
      const timer = setTimeout(() => {
        const error = Object.assign(new Error(`connect ETIMEDOUT after ${timeoutMs} ms`), {
          code: 'ETIMEDOUT',
        });
        socket.destroy(error);
      }, timeoutMs);
      timer.unref();
      const clear = (): void => clearTimeout(timer);
      socket.once('connect', clear);
      socket.once('secureConnect', clear);
      socket.once('close', clear);
    }
    return socket;
  };
  return agent;
}

const overlaps = (a: string, b: string): boolean => {
  const any = (ip: string): boolean => ip === '' || ip === '0.0.0.0' || ip === '::';
  return a === b || any(a) || any(b);
};

const formatPort = (p: PublishedPort): string =>
  `${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp || '0.0.0.0'}:${p.hostPort}/${p.protocol}`;

/** The registry an image reference names; undefined when it cannot be parsed. */
function registryOf(ref: string): string | undefined {
  try {
    return parseImageReference(ref).registry;
  } catch {
    return undefined;
  }
}

/** The `X-Registry-Auth` body the engine expects, as the docker CLI builds it. */
function authConfig(registry: string, credential: RegistryCredential): Record<string, string> {
  const serveraddress = registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
  return 'identityToken' in credential
    ? { identitytoken: credential.identityToken, serveraddress }
    : { username: credential.username, password: credential.password, serveraddress };
}

/**
 * The DockerEngine port over dockerode. One keep-alive HTTP(S) agent serves every request (SSH
 * endpoints use docker-modem's own tunnel). Engine answers are classified by HTTP status code;
 * failures to connect become `ENGINE_UNAVAILABLE` naming the endpoint; a refusal (409 conflict,
 * 403, 5xx) becomes `ENGINE_UNAVAILABLE` naming the resource, except where the port says
 * otherwise (pull and start failures are `DEPLOY_FAILED`, missing objects `NOT_FOUND` or null).
 */
export class DockerodeEngine implements DockerEngine {
  /** Where the engine is, as shown to the user. */
  readonly endpoint: string;
  private readonly docker: Dockerode;
  private readonly agent: HttpAgent | undefined;
  private readonly credentials: RegistryCredentials | undefined;
  private readonly timeouts: EngineTimeouts;
  /** The abort signal of the call a request belongs to, handed to docker-modem's `dial`. */
  private readonly callSignal = new AsyncLocalStorage<AbortSignal>();
  /** The engine answered at least once: a socket that vanishes afterwards means it went away. */
  private answered = false;

  constructor(host: ResolvedDockerHost, options: DockerodeEngineOptions = {}) {
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.endpoint = host.endpoint;
    this.credentials = options.credentials;
    this.timeouts = options.timeouts ?? DEFAULT_ENGINE_TIMEOUTS;
    const { protocol } = host.options;
    // A unix socket connects at once (or fails at once): no connect timeout there, and the options
    // of Node's global agent, which docker-modem would use otherwise. `servername: ''` spares each
    // request Node's check whether its host name is an IP address (for TLS, which a socket has no
    // use for), whose first run compiles a pattern for ~12 ms of every command.
    this.agent =
      protocol === 'ssh'
        ? undefined
        : host.options.socketPath !== undefined
          ? new HttpAgent(SOCKET_AGENT_OPTIONS)
          : withConnectTimeout(
              protocol === 'https'
                ? new HttpsAgent({ keepAlive: true })
                : new HttpAgent({ keepAlive: true }),
              connectTimeoutMs,
            );
    const sshOptions =
      protocol === 'ssh'
        ? { readyTimeout: connectTimeoutMs, ...host.options.sshOptions }
        : host.options.sshOptions;
    try {
      this.docker = new Dockerode({
        ...host.options,
        sshOptions,
        ...(this.agent ? { agent: this.agent } : {}),
      });
    } catch (cause) {
      // docker-modem re-reads DOCKER_HOST / DOCKER_CERT_PATH from the environment and throws on bad values.
      throw new KsadError(
        'USAGE',
        `cannot set up a connection to the Docker engine at ${this.endpoint}: ${(cause as Error).message}`,
        {
          cause,
          suggestions: ['check DOCKER_HOST, DOCKER_CERT_PATH and DOCKER_TLS_VERIFY'],
        },
      );
    }
    // docker-modem's own `timeout` is one idle limit for every request (a stop that waits out its
    // grace period and a stalled list alike) and ends in a bare "socket hang up"; its
    // `connectionTimeout` ends the same way. An abort signal per call gives each kind of call its
    // own deadline and tells a deadline from a dropped connection. Every request dockerode sends
    // goes through `dial`, which takes the signal (`abortSignal`): it is given the current call's.
    const modem = this.docker.modem;
    const dial = modem.dial.bind(modem);
    modem.dial = (dialOptions, callback) => {
      const signal = this.callSignal.getStore();
      dial(
        signal && dialOptions.abortSignal === undefined
          ? { ...dialOptions, abortSignal: signal }
          : dialOptions,
        callback,
      );
    };
  }

  /** Resolves the endpoint as the docker CLI does (see {@link resolveDockerHost}) and connects lazily. */
  static fromEnvironment(
    input: DockerHostInput,
    options: DockerodeEngineOptions = {},
  ): DockerodeEngine {
    return new DockerodeEngine(resolveDockerHost(input), options);
  }

  /** Closes idle keep-alive connections; the engine object is unusable afterwards. */
  close(): void {
    this.agent?.destroy();
  }

  async info(): Promise<EngineInfo> {
    try {
      return fromVersion(await this.read('version', () => this.docker.version()), this.endpoint);
    } catch (error) {
      throw this.failure(error, 'report its version', {}, 'version');
    }
  }

  async inspectImage(ref: string): Promise<ImageInfo | null> {
    try {
      const action = `inspect image "${ref}"`;
      return fromImageInspect(await this.read(action, () => this.docker.getImage(ref).inspect()));
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw this.failure(error, `inspect image "${ref}"`);
    }
  }

  async loadImage(
    archive: AsyncIterable<Uint8Array>,
    onProgress: (text: string) => void = () => undefined,
  ): Promise<void> {
    const action = 'load an image';
    const failed = (message: string): KsadError =>
      new KsadError('DEPLOY_FAILED', `the engine refused to load an image: ${message}`, {
        suggestions: ['the bundle holds content the engine cannot take: copy it again'],
      });
    // As for a pull, the deadline is how long the engine may go without a word.
    await this.call(action, this.timeouts.pullStallMs, 'stall', async (progressed) => {
      let stream: NodeJS.ReadableStream;
      try {
        // Each chunk the engine takes is progress; counted in the source, so no 'data' listener
        // puts the body into flowing mode before the request is piped from it.
        const counted = async function* (): AsyncGenerator<Uint8Array> {
          for await (const chunk of archive) {
            progressed();
            yield chunk;
          }
        };
        const body = Readable.from(counted(), { objectMode: false });
        stream = await this.docker.loadImage(body, { quiet: true });
      } catch (error) {
        if (error instanceof KsadError) throw error;
        const status = statusOf(error);
        if (status !== undefined) throw failed(engineMessage(error as EngineError));
        throw this.failure(error, action);
      }
      await new Promise<void>((resolve, reject) => {
        let failure: KsadError | undefined;
        this.docker.modem.followProgress(
          stream,
          (error) => {
            if (failure) reject(failure);
            else if (error) reject(this.failure(error, action));
            else resolve();
          },
          (event: unknown) => {
            progressed();
            const e = (event ?? {}) as {
              error?: unknown;
              errorDetail?: { message?: unknown };
              stream?: unknown;
            };
            if (e.error !== undefined || e.errorDetail !== undefined)
              failure ??= failed(
                typeof e.errorDetail?.message === 'string'
                  ? e.errorDetail.message
                  : String(e.error),
              );
            else if (typeof e.stream === 'string' && e.stream.trim() !== '')
              onProgress(e.stream.trim());
          },
        );
      });
    });
  }

  async listImages(): Promise<ImageInfo[]> {
    try {
      const list = await this.read('list images', () => this.docker.listImages());
      const infos = await Promise.all(list.map((i) => this.inspectImage(i.Id)));
      return infos.filter((i): i is ImageInfo => i !== null);
    } catch (error) {
      throw this.failure(error, 'list images');
    }
  }

  async pullImage(ref: string, onProgress?: (p: PullProgress) => void): Promise<void> {
    const registry = registryOf(ref);
    const credential =
      registry === undefined ? undefined : await this.credentials?.forRegistry(registry);
    const pullFailed = (message: string, cause?: unknown): KsadError =>
      new KsadError('DEPLOY_FAILED', `cannot pull image "${ref}": ${message}`, {
        cause,
        suggestions: [
          `check that "${ref}" exists in its registry (tag or digest spelled right, image pushed)`,
          `check that the Docker host at ${this.endpoint} can reach the registry`,
          credential === undefined
            ? `a private registry needs a login: run \`docker login ${registry ?? '<registry>'}\` on this machine (ksad sends it with the pull)`
            : `ksad sent the docker CLI's login for ${registry ?? 'the registry'}: check it with \`docker login ${registry ?? ''}\``,
        ],
      });
    const action = `pull image "${ref}"`;
    // The deadline is how long the pull may go without a word from the engine: each progress event
    // pushes it back, so a large image on a slow link takes what it takes, and a stall ends it.
    await this.call(action, this.timeouts.pullStallMs, 'stall', async (progressed) => {
      let stream: NodeJS.ReadableStream;
      try {
        stream = await this.docker.pull(
          ref,
          credential === undefined || registry === undefined
            ? {}
            : { authconfig: authConfig(registry, credential) },
        );
      } catch (error) {
        const status = statusOf(error);
        if (status === 404) {
          throw new KsadError(
            'DEPLOY_FAILED',
            `image "${ref}" was not found in its registry: ${engineMessage(error as EngineError)}`,
            {
              cause: error,
              suggestions: [
                `check the image reference "${ref}" (repository, tag or digest) and that it was pushed`,
              ],
            },
          );
        }
        if (status !== undefined) throw pullFailed(engineMessage(error as EngineError), error);
        throw this.failure(error, action);
      }
      stream.on('data', progressed);
      await new Promise<void>((resolve, reject) => {
        let failed = false;
        const fail = (error: unknown): void => {
          if (failed) return;
          failed = true;
          reject(error instanceof Error ? error : new Error(String(error)));
        };
        this.docker.modem.followProgress(
          stream,
          (error) => {
            if (error) fail(this.failure(error, action));
            else if (!failed) resolve();
          },
          (event: unknown) => {
            if (failed || !event || typeof event !== 'object') return;
            const e = event as {
              error?: unknown;
              errorDetail?: { message?: unknown };
              status?: unknown;
              id?: unknown;
              progressDetail?: { current?: unknown; total?: unknown };
            };
            // The engine answers 200 and then reports failures inside the stream.
            if (e.error !== undefined || e.errorDetail !== undefined) {
              const detail =
                typeof e.errorDetail?.message === 'string'
                  ? e.errorDetail.message
                  : String(e.error);
              fail(pullFailed(detail));
              return;
            }
            if (!onProgress) return;
            const progress: PullProgress = {
              status: typeof e.status === 'string' ? e.status : '',
            };
            if (typeof e.id === 'string') progress.id = e.id;
            if (typeof e.progressDetail?.current === 'number')
              progress.current = e.progressDetail.current;
            if (typeof e.progressDetail?.total === 'number')
              progress.total = e.progressDetail.total;
            try {
              onProgress(progress);
            } catch (error) {
              fail(error);
            }
          },
        );
      });
    });
  }

  async listContainers(labels: Labels): Promise<ContainerInfo[]> {
    let entries: Dockerode.ContainerInfo[];
    try {
      entries = await this.read('list containers', () =>
        this.docker.listContainers({ all: true, filters: { label: labelFilters(labels) } }),
      );
    } catch (error) {
      throw this.failure(error, 'list containers');
    }
    // A container removed between the list and its inspect is simply gone.
    const infos = await Promise.all(entries.map((entry) => this.inspectContainer(entry.Id)));
    return infos.filter((info): info is ContainerInfo => info !== null);
  }

  async inspectContainer(idOrName: string): Promise<ContainerInfo | null> {
    try {
      const action = `inspect container "${idOrName}"`;
      return fromInspect(
        await this.read(action, () => this.docker.getContainer(idOrName).inspect()),
      );
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw this.failure(error, `inspect container "${idOrName}"`);
    }
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    try {
      const container = await this.write(`create container "${spec.name}"`, () =>
        this.docker.createContainer(toCreateOptions(spec)),
      );
      return container.id;
    } catch (error) {
      throw this.failure(error, `create container "${spec.name}"`, {
        404: (message) =>
          new KsadError('NOT_FOUND', `cannot create container "${spec.name}": ${message}`, {
            cause: error,
            suggestions: [`pull the image "${spec.image}" onto the Docker host first`],
          }),
        409: () => this.nameInUse(spec.name, error),
      });
    }
  }

  async createMarker(
    name: string,
    labels: Labels,
    mounts: readonly VolumeMount[] = [],
  ): Promise<void> {
    const options = {
      name,
      Image: MARKER_IMAGE,
      Cmd: ['ksad-marker'],
      Labels: { ...labels },
      NetworkDisabled: true,
      HostConfig: {
        NetworkMode: 'none',
        Mounts: mounts.map((m) => ({
          Type: 'volume' as const,
          Source: m.volume,
          Target: m.target,
          ReadOnly: m.readOnly,
        })),
      },
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.write(`create marker "${name}"`, () => this.docker.createContainer(options));
        return;
      } catch (error) {
        const status = statusOf(error);
        if (status === 409)
          throw new KsadError('LOCKED', `"${name}" is already held on the Docker host`, {
            cause: error,
          });
        if (status === 404 && attempt === 0) {
          await this.importMarkerImage();
          continue;
        }
        throw this.failure(error, `create marker "${name}"`);
      }
    }
  }

  async putFiles(container: string, dir: string, files: readonly ArchiveFile[]): Promise<void> {
    const action = `write files into ${container}:${dir}`;
    try {
      const archive = await packFiles(files);
      await this.write(action, () =>
        this.docker.getContainer(container).putArchive(archive, { path: dir }),
      );
    } catch (error) {
      throw this.failure(error, action);
    }
  }

  async readFiles(container: string, dir: string): Promise<Record<string, Buffer> | null> {
    const action = `read files from ${container}:${dir}`;
    try {
      // The whole read, archive stream included, is one call under the read deadline.
      return await this.read(action, async () => {
        const stream = await this.docker.getContainer(container).getArchive({ path: dir });
        return unpackFiles(stream as unknown as Readable);
      });
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw this.failure(error, action);
    }
  }

  /** The marker image has no files at all: its layer is an empty tar archive (two zero blocks). */
  private async importMarkerImage(): Promise<void> {
    const [repo = MARKER_IMAGE, tag = 'latest'] = MARKER_IMAGE.split(':');
    try {
      await this.write(`import the marker image ${MARKER_IMAGE}`, async () => {
        const stream = await this.docker.importImage(Readable.from([Buffer.alloc(1024)]), {
          repo,
          tag,
        });
        await new Promise<void>((resolve, reject) => {
          this.docker.modem.followProgress(stream, (err: Error | null) =>
            err ? reject(err) : resolve(),
          );
        });
      });
    } catch (error) {
      throw this.failure(error, `import the marker image ${MARKER_IMAGE}`);
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.write(`start container "${id}"`, () => this.docker.getContainer(id).start());
    } catch (error) {
      const status = statusOf(error);
      if (status === 304) return; // already running
      if (status === undefined) throw this.failure(error, `start container "${id}"`);
      const message = engineMessage(error as EngineError);
      // An engine in swarm mode asks the swarm for the network and answers a missing one with 500
      // and the swarm's gRPC NotFound ("Could not attach to network X: rpc error: code = NotFound").
      if (status === 404 || (status === 500 && /code = NotFound/.test(message))) {
        throw new KsadError('NOT_FOUND', `cannot start container "${id}": ${message}`, {
          cause: error,
          suggestions: ['check that the container and its network still exist'],
        });
      }
      throw await this.startFailure(id, message, error);
    }
  }

  async stopContainer(id: string, timeoutSec: number): Promise<void> {
    try {
      // The engine answers a stop once the container has stopped: the grace period comes first.
      await this.call(
        `stop container "${id}"`,
        this.timeouts.writeMs + timeoutSec * 1000,
        'answer',
        () => this.docker.getContainer(id).stop({ t: timeoutSec }),
      );
    } catch (error) {
      const status = statusOf(error);
      if (status === 304) return; // already stopped
      throw this.failure(error, `stop container "${id}"`, {
        404: () => this.noSuchContainer(id, error),
      });
    }
  }

  async removeContainer(id: string, opts: { force?: boolean } = {}): Promise<void> {
    try {
      // v: true drops the container's anonymous volumes; named volumes are never removed this way.
      await this.write(`remove container "${id}"`, () =>
        this.docker.getContainer(id).remove({ force: opts.force ?? false, v: true }),
      );
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw this.failure(error, `remove container "${id}"`, {
        409: (message) =>
          new KsadError('ENGINE_UNAVAILABLE', `cannot remove container "${id}": ${message}`, {
            cause: error,
            suggestions: ['stop the container first, or remove it with force'],
          }),
      });
    }
  }

  async renameContainer(id: string, newName: string): Promise<void> {
    try {
      await this.write(`rename container "${id}" to "${newName}"`, () =>
        this.docker.getContainer(id).rename({ name: newName }),
      );
    } catch (error) {
      throw this.failure(error, `rename container "${id}" to "${newName}"`, {
        404: () => this.noSuchContainer(id, error),
        409: () => this.nameInUse(newName, error),
      });
    }
  }

  async streamLogs(
    id: string,
    opts: LogStreamOptions,
    onData: (stream: 'stdout' | 'stderr', data: Uint8Array) => void,
  ): Promise<void> {
    const call = `read the logs of container "${id}"`;
    try {
      // Opening the stream is a read under its deadline; following it has none.
      const body = await this.read(call, () => openLogs(this.docker.getContainer(id), opts));
      await pumpLogs(body, onData, opts.signal);
    } catch (error) {
      throw this.failure(error, call, { 404: () => this.noSuchContainer(id, error) });
    }
  }

  async exec(id: string, cmd: readonly string[], io: ExecIO): Promise<number> {
    const call = `run a command in container "${id}"`;
    try {
      const container = this.docker.getContainer(id);
      const { exec, stream } = await this.write(call, () => openExec(container, cmd, io));
      return await runExec(stream, io, () =>
        this.read(`inspect the command run in container "${id}"`, () => exec.inspect()),
      );
    } catch (error) {
      throw this.failure(error, call, {
        404: () => this.noSuchContainer(id, error),
        409: (message) =>
          new KsadError('USAGE', `cannot run a command in container "${id}": ${message}`, {
            cause: error,
            suggestions: ['a command runs only in a running container: ksad start APP SERVICE'],
          }),
      });
    }
  }

  async containerLogs(id: string, tail: number): Promise<string> {
    try {
      const body = await this.read(`read the logs of container "${id}"`, () =>
        this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false }),
      );
      return demultiplexLogs(Buffer.isBuffer(body) ? body : Buffer.from(String(body)));
    } catch (error) {
      throw this.failure(error, `read the logs of container "${id}"`, {
        404: () => this.noSuchContainer(id, error),
      });
    }
  }

  async execOutput(
    container: string,
    cmd: readonly string[],
  ): Promise<{ exitCode: number; output: string }> {
    const action = `run \`${cmd.join(' ')}\` in container "${container}"`;
    try {
      return await this.write(action, async () => {
        const run = await this.docker.getContainer(container).exec({
          Cmd: [...cmd],
          AttachStdout: true,
          AttachStderr: true,
        });
        const stream = await run.start({ hijack: true, stdin: false });
        const chunks: Buffer[] = [];
        await new Promise<void>((resolve, reject) => {
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', resolve);
          stream.on('close', resolve);
          stream.on('error', reject);
        });
        const inspected = await run.inspect();
        return {
          exitCode: inspected.ExitCode ?? -1,
          output: demultiplexLogs(Buffer.concat(chunks)),
        };
      });
    } catch (error) {
      throw this.failure(error, action, { 404: () => this.noSuchContainer(container, error) });
    }
  }

  async connectNetwork(network: string, container: string): Promise<void> {
    const action = `connect container "${container}" to network "${network}"`;
    const attached = await this.inspectContainer(container);
    if (attached?.networks.includes(network)) return;
    try {
      await this.write(action, () =>
        this.docker.getNetwork(network).connect({ Container: container }),
      );
    } catch (error) {
      throw this.failure(error, action);
    }
  }

  async disconnectNetwork(network: string, container: string): Promise<void> {
    const action = `disconnect container "${container}" from network "${network}"`;
    const attached = await this.inspectContainer(container);
    if (!attached?.networks.includes(network)) return;
    try {
      await this.write(action, () =>
        this.docker.getNetwork(network).disconnect({ Container: container, Force: true }),
      );
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw this.failure(error, action);
    }
  }

  async listNetworks(labels: Labels): Promise<NetworkInfo[]> {
    try {
      const networks = await this.read('list networks', () =>
        this.docker.listNetworks({ filters: { label: labelFilters(labels) } }),
      );
      return networks.map(fromNetwork);
    } catch (error) {
      throw this.failure(error, 'list networks');
    }
  }

  async createNetwork(name: string, labels: Labels): Promise<NetworkInfo> {
    try {
      // Without CheckDuplicate, API 1.41 happily creates a second network with the same name.
      const network = await this.write(`create network "${name}"`, () =>
        this.docker.createNetwork({
          Name: name,
          Driver: 'bridge',
          Labels: { ...labels },
          CheckDuplicate: true,
        }),
      );
      return { id: network.id, name, labels: { ...labels } };
    } catch (error) {
      throw this.failure(error, `create network "${name}"`, {
        409: () =>
          new KsadError(
            'ENGINE_UNAVAILABLE',
            `network "${name}" already exists on the Docker host at ${this.endpoint}`,
            {
              cause: error,
              suggestions: [
                `remove the existing network (docker network rm ${name}) or let ksad reuse it`,
              ],
            },
          ),
      });
    }
  }

  /** A missing network is not an error, as for containers and volumes. */
  async removeNetwork(idOrName: string): Promise<void> {
    try {
      await this.write(`remove network "${idOrName}"`, () =>
        this.docker.getNetwork(idOrName).remove(),
      );
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw this.failure(error, `remove network "${idOrName}"`, {
        403: (message) =>
          new KsadError('ENGINE_UNAVAILABLE', `cannot remove network "${idOrName}": ${message}`, {
            cause: error,
            suggestions: ['stop or disconnect the containers still attached to it first'],
          }),
      });
    }
  }

  async listVolumes(labels: Labels): Promise<VolumeInfo[]> {
    try {
      const answer = await this.read('list volumes', () =>
        this.docker.listVolumes({ filters: { label: labelFilters(labels) } }),
      );
      return (answer.Volumes ?? []).map(fromVolume);
    } catch (error) {
      throw this.failure(error, 'list volumes');
    }
  }

  async inspectVolume(name: string): Promise<VolumeInfo | null> {
    try {
      const action = `inspect volume "${name}"`;
      return fromVolume(await this.read(action, () => this.docker.getVolume(name).inspect()));
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw this.failure(error, `inspect volume "${name}"`);
    }
  }

  /** As with `docker volume create`, an existing volume is returned as it is (its labels unchanged). */
  async createVolume(name: string, labels: Labels): Promise<VolumeInfo> {
    try {
      // dockerode's createVolume drops the engine's answer; dialling directly saves an inspect.
      const raw = await this.write(
        `create volume "${name}"`,
        () =>
          new Promise<unknown>((resolve, reject) => {
            this.docker.modem.dial(
              {
                path: '/volumes/create?',
                method: 'POST',
                options: { Name: name, Labels: { ...labels } },
                statusCodes: {
                  200: true,
                  201: true,
                  400: 'bad parameter',
                  409: 'conflict',
                  500: 'server error',
                },
              },
              (error, data) => (error ? reject(error) : resolve(data)),
            );
          }),
      );
      return fromVolume(raw as Parameters<typeof fromVolume>[0]);
    } catch (error) {
      throw this.failure(error, `create volume "${name}"`);
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.write(`remove volume "${name}"`, () => this.docker.getVolume(name).remove());
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw this.failure(error, `remove volume "${name}"`, {
        409: (message) =>
          new KsadError(
            'ENGINE_UNAVAILABLE',
            `cannot remove volume "${name}": it is in use (${message})`,
            {
              cause: error,
              suggestions: ['remove the containers that mount it first'],
            },
          ),
      });
    }
  }

  /**
   * One call to endpoints this class does not wrap (the Swarm ones, `adapters/dockerode-swarm.ts`),
   * under the same deadlines and with the same classification of failures: `byStatus` words
   * specific answers (a 404 mapped to `KsadError('NOT_FOUND')` lets the caller answer null).
   */
  async request<T>(
    action: string,
    kind: 'read' | 'write',
    run: (docker: Dockerode) => Promise<T>,
    byStatus: Partial<Record<number, (message: string) => KsadError>> = {},
  ): Promise<T> {
    try {
      const go = (): Promise<T> => run(this.docker);
      return await (kind === 'read' ? this.read(action, go) : this.write(action, go));
    } catch (error) {
      throw this.failure(error, action, byStatus);
    }
  }

  /**
   * Turns anything a dockerode call threw into what callers see: a KsadError for engine answers and
   * connection failures, the original error otherwise (a bug). `byStatus` words specific answers.
   */
  private failure(
    error: unknown,
    action: string,
    byStatus: Partial<Record<number, (message: string) => KsadError>> = {},
    call = action,
  ): Error {
    if (isKsadError(error)) return error;
    const e = asEngineError(error);
    if (!e)
      return new Error(`unexpected non-error thrown while trying to ${action}: ${String(error)}`);
    const status = statusOf(e);
    if (status !== undefined) {
      const message = engineMessage(e);
      const specific = byStatus[status];
      if (specific) return specific(message);
      return new KsadError(
        'ENGINE_UNAVAILABLE',
        `the Docker engine at ${this.endpoint} refused to ${action}: ${message} (HTTP ${status})`,
        {
          cause: e,
          suggestions: ['read the engine message above; `docker info` on the host shows its state'],
        },
      );
    }
    if (isTransportError(e)) return this.lost(e, call) ?? this.unreachable(e);
    return e;
  }

  /** A quick read (see {@link EngineTimeouts.readMs}). */
  private read<T>(call: string, run: () => Promise<T>): Promise<T> {
    return this.call(call, this.timeouts.readMs, 'answer', run);
  }

  /** A quick write (see {@link EngineTimeouts.writeMs}). */
  private write<T>(call: string, run: () => Promise<T>): Promise<T> {
    return this.call(call, this.timeouts.writeMs, 'answer', run);
  }

  /**
   * Runs one call under a deadline: past `limitMs` every request it made is aborted (its socket
   * closed, so nothing keeps ksad waiting) and it fails with ENGINE_UNAVAILABLE naming the call.
   * With `stall`, the deadline counts from the last sign of progress the call reports.
   */
  private async call<T>(
    call: string,
    limitMs: number,
    kind: 'answer' | 'stall',
    run: (progressed: () => void) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), limitMs);
    };
    const deadline = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(new Error('deadline')), {
        once: true,
      });
    });
    deadline.catch(() => undefined);
    arm();
    try {
      const result = await Promise.race([
        this.callSignal.run(controller.signal, () => run(arm)),
        deadline,
      ]);
      this.answered = true;
      return result;
    } catch (error) {
      if (controller.signal.aborted) throw this.timedOut(call, limitMs, kind);
      if (statusOf(error) !== undefined || isKsadError(error)) this.answered = true;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private timedOut(call: string, limitMs: number, kind: 'answer' | 'stall'): KsadError {
    const limit = formatLimit(limitMs);
    return new KsadError(
      'ENGINE_UNAVAILABLE',
      kind === 'stall'
        ? `the Docker engine at ${this.endpoint} made no progress on \`${call}\` for ${limit}`
        : `the Docker engine at ${this.endpoint} did not answer \`${call}\` within ${limit}`,
      {
        reason: 'timeout',
        suggestions: [
          'check the engine on that host: `docker info`; a stuck engine may need a restart (systemctl restart docker)',
          kind === 'stall'
            ? 'if the registry is just slow, allow longer: KSAD_PULL_TIMEOUT=SECONDS'
            : 'if the engine is just slow, allow longer: KSAD_ENGINE_TIMEOUT=SECONDS',
        ],
      },
    );
  }

  /**
   * The engine went away during `call`: it had answered before, and now the connection dropped
   * under the call, or its socket is gone or refuses. Undefined for any other failure.
   */
  private lost(error: EngineError, call: string): KsadError | undefined {
    const code = typeof error.code === 'string' ? error.code : undefined;
    // Before any answer, the same codes more likely mean a wrong address: "cannot reach" says so.
    if (code === undefined || !this.answered || !(DROPPED.has(code) || ABSENT.has(code)))
      return undefined;
    return new KsadError(
      'ENGINE_UNAVAILABLE',
      `the Docker engine at ${this.endpoint} stopped answering during \`${call}\``,
      {
        // The socket's own words (ECONNRESET, EPIPE, ENOENT) stay in the cause: the user hears
        // about the engine.
        cause: error,
        reason: 'lost',
        suggestions: [
          'check that the engine runs on that host: `docker info` (systemctl status docker)',
          'run the command again once it is back; ksad recovers a change it interrupted',
        ],
      },
    );
  }

  private unreachable(error: EngineError): KsadError {
    const code = typeof error.code === 'string' ? error.code : undefined;
    const reason = code ? `${UNREACHABLE_REASONS[code] ?? error.message} (${code})` : error.message;
    const suggestions = [
      'start the Docker engine on that host',
      'point ksad at the right engine with DOCKER_HOST or --docker-host (unix://, tcp:// or ssh://)',
    ];
    if (code === 'EACCES' || code === 'EPERM')
      suggestions.unshift('give your user access to the Docker socket (e.g. the docker group)');
    return new KsadError(
      'ENGINE_UNAVAILABLE',
      `cannot reach the Docker engine at ${this.endpoint}: ${reason}`,
      { cause: error, suggestions },
    );
  }

  private nameInUse(name: string, cause: unknown): KsadError {
    return new KsadError(
      'ENGINE_UNAVAILABLE',
      `container name "${name}" is already in use on the Docker host at ${this.endpoint}`,
      {
        cause,
        suggestions: [
          `remove or rename the existing container "${name}" (docker rm -f ${name}) and try again`,
        ],
      },
    );
  }

  private noSuchContainer(id: string, cause: unknown): KsadError {
    return new KsadError(
      'NOT_FOUND',
      `container "${id}" does not exist on the Docker host at ${this.endpoint}`,
      { cause },
    );
  }

  /**
   * A start refused by the engine. The status code alone cannot tell a taken port from other
   * failures, so the container's published ports are compared with those of running containers
   * (data, not message text); the published ports are named either way.
   */
  private async startFailure(id: string, message: string, cause: unknown): Promise<KsadError> {
    const info = await this.inspectContainer(id).catch(() => null);
    const name = info?.name ?? id;
    const published = (info?.ports ?? []).filter((p) => p.hostPort > 0);
    if (info && published.length > 0) {
      const running = await this.read('list running containers', () =>
        this.docker.listContainers({ filters: { status: ['running'] } }),
      ).catch(() => []);
      for (const port of published) {
        const holder = running.find(
          (c) =>
            c.Id !== info.id &&
            c.Ports.some(
              (cp) =>
                cp.PublicPort === port.hostPort &&
                cp.Type === port.protocol &&
                overlaps(cp.IP ?? '', port.hostIp),
            ),
        );
        if (holder) {
          const holderName = holder.Names[0]?.replace(/^\//, '') ?? holder.Id.slice(0, 12);
          return new KsadError(
            'DEPLOY_FAILED',
            `cannot start container "${name}": host port ${formatPort(port)} is already allocated by container "${holderName}"`,
            {
              cause,
              suggestions: [
                `publish another host port for this service, or stop container "${holderName}"`,
              ],
            },
          );
        }
      }
      return new KsadError(
        'DEPLOY_FAILED',
        `cannot start container "${name}" (publishing ${published.map(formatPort).join(', ')}): ${message}`,
        {
          cause,
          suggestions: [
            'if a host port is taken by another program, free it or publish another host port for this service',
          ],
        },
      );
    }
    return new KsadError('DEPLOY_FAILED', `cannot start container "${name}": ${message}`, {
      cause,
    });
  }
}
