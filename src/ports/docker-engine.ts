/**
 * The Docker engine, in ksad's terms. Implemented by `adapters/dockerode-engine.ts` against a real
 * engine and by `test/fakes/fake-engine.ts` in memory; `test/contract/docker-engine.contract.ts`
 * runs against both so they cannot drift.
 *
 * Every method throws `KsadError('ENGINE_UNAVAILABLE')` when the engine cannot be reached, and
 * classifies engine errors by HTTP status code (404 → null or NOT_FOUND, 409 → conflict).
 */
export type Labels = Record<string, string>;

export interface EngineInfo {
  /** Engine version, e.g. "20.10.24". */
  version: string;
  /** Highest API version the engine speaks, e.g. "1.41". */
  apiVersion: string;
  os: string;
  arch: string;
  /** Where ksad reached it, e.g. "unix:///var/run/docker.sock". */
  endpoint: string;
}

export interface PublishedPort {
  container: number;
  protocol: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
}

export interface VolumeMount {
  /** Named volume. */
  volume: string;
  target: string;
  readOnly: boolean;
}

export interface HealthcheckConfig {
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

/** Everything ksad sets on a container; the config hash is computed over this. */
export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  entrypoint?: string[];
  workingDir?: string;
  user?: string;
  env: Record<string, string>;
  labels: Labels;
  ports: PublishedPort[];
  mounts: VolumeMount[];
  network: string;
  /** DNS names on the network (the service name). */
  aliases: string[];
  healthcheck?: HealthcheckConfig;
  nanoCpus?: number;
  memoryBytes?: number;
  restartPolicy: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  init: boolean;
  readOnlyRootFilesystem: boolean;
  stopTimeoutSec: number;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
export type HealthState = 'none' | 'starting' | 'healthy' | 'unhealthy';

/** A container as the engine reports it, mapped to ksad's terms. */
export interface ContainerInfo {
  id: string;
  name: string;
  /** The image reference it was created from. */
  image: string;
  /** Image ID (config digest) it runs. */
  imageId: string;
  labels: Labels;
  state: ContainerState;
  health: HealthState;
  exitCode: number;
  env: Record<string, string>;
  ports: PublishedPort[];
  mounts: VolumeMount[];
  networks: string[];
  createdAt: string;
}

export interface ImageInfo {
  id: string;
  /** `repo@sha256:…` digests the engine knows the image by. */
  repoDigests: string[];
  repoTags: string[];
}

export interface NetworkInfo {
  id: string;
  name: string;
  labels: Labels;
}

export interface VolumeInfo {
  name: string;
  labels: Labels;
  createdAt: string;
}

export interface PullProgress {
  id?: string;
  status: string;
  current?: number;
  total?: number;
}

export interface DockerEngine {
  /** Checks reachability and reports versions. */
  info(): Promise<EngineInfo>;

  inspectImage(ref: string): Promise<ImageInfo | null>;
  /** Pulls `ref`; a stream error is a failure (KsadError DEPLOY_FAILED with the engine's message). */
  pullImage(ref: string, onProgress?: (p: PullProgress) => void): Promise<void>;

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
  /** Last `tail` lines of stdout+stderr, demultiplexed. */
  containerLogs(id: string, tail: number): Promise<string>;

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
