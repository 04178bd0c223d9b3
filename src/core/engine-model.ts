/**
 * Docker objects in ksad's terms: what the core plans with and the DockerEngine port speaks.
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
  /** Exec form run inside the container (no Docker "CMD" marker; the adapter adds it). */
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
  /** Swarm: tasks to run (absent: one). A Docker host runs one container whatever it says. */
  replicas?: number;
  /** Swarm: placement constraints (`node.role==manager`); absent: anywhere. */
  placement?: string[];
}

export type ContainerState =
  'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
export type HealthState = 'none' | 'starting' | 'healthy' | 'unhealthy';

/** One health probe as ContainerInfo.healthLog reports it: `exit N`, then what it printed. */
export function probeLine(exitCode: number | string, output: string): string {
  const said = output.trim();
  return said === '' ? `exit ${exitCode}` : `exit ${exitCode}: ${said}`;
}

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
  /**
   * What the last health probes printed, oldest first, as `exit N: output`; empty without a
   * healthcheck or before its first probe.
   */
  healthLog: string[];
  exitCode: number;
  env: Record<string, string>;
  ports: PublishedPort[];
  mounts: VolumeMount[];
  networks: string[];
  createdAt: string;
  /** The host settings ksad sets (HostConfig), as the engine reports them now. */
  settings?: ContainerSettings;
}

/** A container's host settings that `docker update` or a hand-made container can change. */
export interface ContainerSettings {
  /** 0: no limit. */
  memoryBytes: number;
  /** 0: no limit. */
  nanoCpus: number;
  restartPolicy: string;
  capAdd: string[];
  privileged: boolean;
  init: boolean;
  readOnlyRootFilesystem: boolean;
}

export interface ImageInfo {
  id: string;
  /** `repo@sha256:…` digests the engine knows the image by. */
  repoDigests: string[];
  repoTags: string[];
  /** Diff ids of its layers, bottom first (`RootFS.Layers`), when the engine said. */
  layers?: string[];
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
