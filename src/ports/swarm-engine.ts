/**
 * The Swarm endpoints of a Docker engine that is a swarm manager, in ksad's terms: nodes,
 * services, tasks, configs and secrets, and overlay networks. Implemented over dockerode by
 * `adapters/dockerode-swarm.ts`; the Swarm target and its release store use it beside the
 * DockerEngine port (images, volumes, a task's container logs).
 *
 * As with DockerEngine, every method throws `KsadError('ENGINE_UNAVAILABLE')` when the engine
 * cannot be reached, and classifies answers by status code: 404 → null or nothing to do,
 * 409 → a name taken (`createConfig` and `createSecret` throw `KsadError('LOCKED')`, so a
 * config can serve as an atomic lock across managers).
 */
import type { Labels, NetworkInfo } from '../core/engine-model.js';
import type { LogStreamOptions } from './docker-engine.js';
import type {
  SwarmMembership,
  SwarmNode,
  SwarmObject,
  SwarmServiceInfo,
  SwarmServiceSpec,
  SwarmTask,
} from '../core/swarm-model.js';

export type * from '../core/swarm-model.js';

export interface SwarmEngine {
  /** Where the engine stands in a swarm (never throws for an engine in no swarm). */
  membership(): Promise<SwarmMembership>;
  listNodes(): Promise<SwarmNode[]>;

  /** Services carrying every given label (value '' = any value). */
  listServices(labels: Labels): Promise<SwarmServiceInfo[]>;
  inspectService(idOrName: string): Promise<SwarmServiceInfo | null>;
  /** Creates and returns the id; a taken name is KsadError('ENGINE_UNAVAILABLE') naming it. */
  createService(spec: SwarmServiceSpec): Promise<string>;
  /** Replaces the service's spec, at `version` (from the last inspect). */
  updateService(id: string, version: number, spec: SwarmServiceSpec): Promise<void>;
  /** Puts back a spec exactly as an earlier inspect gave it (`SwarmServiceInfo.raw`). */
  restoreService(id: string, version: number, raw: unknown): Promise<void>;
  /**
   * Sets the service's replica count and its labels (`null` removes one), at `version`, leaving
   * its task template as it is: the engine scales it without replacing a running task.
   */
  scaleService(
    id: string,
    version: number,
    replicas: number,
    labels: Readonly<Record<string, string | null>>,
  ): Promise<void>;
  /** Removes; a missing service is not an error. */
  removeService(idOrName: string): Promise<void>;
  /** The tasks of a service, newest first. */
  listTasks(serviceId: string): Promise<SwarmTask[]>;
  /** The last `tail` lines of a service's logs (every task), demultiplexed. */
  serviceLogs(serviceId: string, tail: number): Promise<string>;
  /**
   * A service's output (every task), demultiplexed, each chunk given to `onData` as it comes; with
   * `follow`, until the engine ends the stream or `signal` aborts. A missing service is NOT_FOUND.
   */
  streamServiceLogs(
    serviceId: string,
    opts: LogStreamOptions,
    onData: (stream: 'stdout' | 'stderr', data: Uint8Array) => void,
  ): Promise<void>;

  listConfigs(labels: Labels): Promise<SwarmObject[]>;
  inspectConfig(name: string): Promise<SwarmObject | null>;
  /** Creates a config; a taken name throws KsadError('LOCKED'). */
  createConfig(name: string, labels: Labels, data: Buffer): Promise<void>;
  /** Removes; a missing config is not an error. */
  removeConfig(name: string): Promise<void>;

  listSecrets(labels: Labels): Promise<SwarmObject[]>;
  /** Creates a secret; a taken name throws KsadError('LOCKED'). */
  createSecret(name: string, labels: Labels, data: Buffer): Promise<void>;
  /** Removes; a missing secret is not an error; one still in use is ENGINE_UNAVAILABLE. */
  removeSecret(name: string): Promise<void>;

  /** Swarm-scoped networks carrying every given label. */
  listOverlayNetworks(labels: Labels): Promise<NetworkInfo[]>;
  /** Creates an attachable overlay network; a taken name is a 409-classified KsadError. */
  createOverlayNetwork(name: string, labels: Labels): Promise<NetworkInfo>;
}
