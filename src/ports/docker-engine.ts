/**
 * The Docker engine, in ksad's terms. Implemented by `adapters/dockerode-engine.ts` against a real
 * engine and by `test/fakes/fake-engine.ts` in memory; `test/contract/docker-engine.contract.ts`
 * runs against both so they cannot drift.
 *
 * Every method throws `KsadError('ENGINE_UNAVAILABLE')` when the engine cannot be reached, and
 * classifies engine errors by HTTP status code (404 → null or NOT_FOUND, 409 → conflict).
 */
import type {
  ContainerInfo,
  ContainerSpec,
  EngineInfo,
  ImageInfo,
  Labels,
  NetworkInfo,
  PullProgress,
  VolumeInfo,
  VolumeMount,
} from '../core/engine-model.js';

/** How `streamLogs` reads a container's output. */
export interface LogStreamOptions {
  /** Keep reading until the container stops or `signal` aborts. */
  follow: boolean;
  /** Only the last N lines (all when absent). */
  tail?: number;
  /** Only lines written at or after this time (Unix seconds). */
  since?: number;
  signal?: AbortSignal;
}

/** The terminal a command run by `exec` talks to. */
export interface ExecIO {
  /** Allocate a terminal (output then comes as one stream, on stdout). */
  tty: boolean;
  /** What the command reads; none: its stdin is closed. */
  stdin?: AsyncIterable<Uint8Array>;
  stdout(data: Uint8Array): void;
  stderr(data: Uint8Array): void;
}

/** A file for `putFiles`: its name in the folder, its bytes and its mode (e.g. 0o600). */
export interface ArchiveFile {
  name: string;
  content: Buffer;
  mode: number;
}

export type * from '../core/engine-model.js';

export interface DockerEngine {
  /** Checks reachability and reports versions. */
  info(): Promise<EngineInfo>;

  inspectImage(ref: string): Promise<ImageInfo | null>;
  /** Pulls `ref`; a stream error is a failure (KsadError DEPLOY_FAILED with the engine's message). */
  pullImage(ref: string, onProgress?: (p: PullProgress) => void): Promise<void>;
  /**
   * Loads a docker-archive (the Engine API's image load; the engine checks every layer against
   * the config's diff ids). A stream error is a failure (DEPLOY_FAILED with the engine's message).
   */
  loadImage(archive: AsyncIterable<Uint8Array>, onProgress?: (text: string) => void): Promise<void>;
  /** Every image on the engine, with its layers' diff ids. */
  listImages(): Promise<ImageInfo[]>;

  /** All containers (running or not) carrying every given label (value '' = any value). */
  listContainers(labels: Labels): Promise<ContainerInfo[]>;
  inspectContainer(idOrName: string): Promise<ContainerInfo | null>;
  /** Creates (not starts); throws KsadError on a name conflict (409). Returns the id. */
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, timeoutSec: number): Promise<void>;
  /** Removes; a missing container is not an error. */
  removeContainer(id: string, opts?: { force?: boolean }): Promise<void>;
  renameContainer(id: string, newName: string): Promise<void>;
  /**
   * The container's stdout and stderr as the engine streams them, chunk by chunk; with `follow`,
   * until the container stops or the signal aborts (no deadline then: it lasts as long as asked).
   */
  streamLogs(
    id: string,
    opts: LogStreamOptions,
    onData: (stream: 'stdout' | 'stderr', data: Uint8Array) => void,
  ): Promise<void>;
  /** Runs `cmd` in the running container `id`, attached to `io`; returns its exit code. */
  exec(id: string, cmd: readonly string[], io: ExecIO): Promise<number>;
  /** Last `tail` lines of stdout+stderr, demultiplexed. */
  containerLogs(id: string, tail: number): Promise<string>;

  /**
   * Creates a container that is never started, named `name`, from ksad's empty marker image (an
   * image with no files, imported on first use): ksad's per-app lock. Creating a name that is taken
   * fails atomically, with KsadError('LOCKED'). Unlike a network it costs no address pool. Remove it
   * with `removeContainer(name)`; read it with `inspectContainer(name)`.
   */
  createMarker(name: string, labels: Labels, mounts?: readonly VolumeMount[]): Promise<void>;

  /**
   * Writes `files` into the folder `dir` of a container, running or not (a never-started marker
   * reaches its volumes this way): one archive upload. A file is written in place, so a reader must
   * be able to tell a half-written one (ksad's files carry their own checksum).
   */
  putFiles(container: string, dir: string, files: readonly ArchiveFile[]): Promise<void>;
  /**
   * The regular files directly in the folder `dir` of a container, by name; null when the
   * container or the folder does not exist.
   */
  readFiles(container: string, dir: string): Promise<Record<string, Buffer> | null>;

  /**
   * Runs `cmd` inside a running container and waits for it to end: its exit code and what it
   * printed (stdout and stderr together). How ksad speaks to the ingress's admin API, which
   * listens only inside its container.
   */
  execOutput(
    container: string,
    cmd: readonly string[],
  ): Promise<{ exitCode: number; output: string }>;
  /** Attaches a container to a network; one already attached is left as it is. */
  connectNetwork(network: string, container: string): Promise<void>;
  /** Detaches a container from a network; either being gone, or not attached, is not an error. */
  disconnectNetwork(network: string, container: string): Promise<void>;

  listNetworks(labels: Labels): Promise<NetworkInfo[]>;
  /** Creates a bridge network; fails with a 409-classified KsadError if the name exists. */
  createNetwork(name: string, labels: Labels): Promise<NetworkInfo>;
  removeNetwork(idOrName: string): Promise<void>;

  listVolumes(labels: Labels): Promise<VolumeInfo[]>;
  inspectVolume(name: string): Promise<VolumeInfo | null>;
  createVolume(name: string, labels: Labels): Promise<VolumeInfo>;
  /** Removes; a missing volume is not an error. */
  removeVolume(name: string): Promise<void>;
}
