/**
 * Docker Swarm objects in ksad's terms: what the Swarm target plans with and the SwarmEngine port
 * speaks. A service's task template is a ContainerSpec, so a service hashes and plans as a Docker
 * host's container does.
 */
import type { ContainerSpec, Labels, PublishedPort } from './engine-model.js';

/** What the engine says about its own place in a swarm. */
export interface SwarmMembership {
  /** `inactive` when the engine is in no swarm; `active` when it is. */
  state: 'inactive' | 'pending' | 'active' | 'error' | 'locked';
  /** True on a manager: only a manager answers the Swarm endpoints. */
  manager: boolean;
  nodeId: string;
  nodes: number;
  managers: number;
}

export interface SwarmNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  /** What the operator set: active, pause or drain. */
  availability: 'active' | 'pause' | 'drain';
  /** What the swarm sees: ready, down, unknown, disconnected. */
  state: string;
  leader: boolean;
  address: string;
  labels: Labels;
  engineVersion: string;
}

/** A Swarm secret mounted into a service's tasks as a file under /run/secrets. */
export interface SecretMount {
  /** The Swarm secret's name. */
  secret: string;
  /** The file name under /run/secrets. */
  file: string;
}

/** How a rolling update replaces a task. */
export type UpdateOrder = 'start-first' | 'stop-first';

/** Everything ksad sets on a swarm service. */
export interface SwarmServiceSpec {
  /** `<app>_<service>`. */
  name: string;
  /** Labels of the service (ksad's, and the stack namespace). */
  labels: Labels;
  /** The task template: image, command, environment, mounts, health … (its `name` is the service's). */
  container: ContainerSpec;
  /** Labels of each task's container: the stack's, so `docker ps` groups them, not ksad's. */
  containerLabels: Labels;
  secrets: SecretMount[];
  replicas: number;
  placement: string[];
  /** The release's overlay network. */
  network: string;
  update: {
    order: UpdateOrder;
    /** After each task is updated, how long a failure still counts as the update's. */
    monitorMs: number;
    /** The task template's ForceUpdate counter: raised, it replaces every task even if nothing else changed. */
    force: number;
  };
}

export type UpdateState =
  | 'updating'
  | 'paused'
  | 'completed'
  | 'rollback_started'
  | 'rollback_paused'
  | 'rollback_completed';

/** A service as the engine reports it. */
export interface SwarmServiceInfo {
  id: string;
  name: string;
  /** The object version an update must name (optimistic concurrency). */
  version: number;
  labels: Labels;
  /** The task template as it runs now, mapped back to ksad's terms. */
  container: ContainerSpec;
  replicas: number;
  /**
   * The host ports the engine publishes for the service (its Endpoint: ports the spec asked for,
   * and those the engine assigned where the spec named none).
   */
  published: PublishedPort[];
  /** Swarm secret names mounted. */
  secrets: string[];
  /** Null when no update ran yet. */
  updateStatus: { state: UpdateState; startedAt: string; message: string } | null;
  /** The spec the engine kept from before the last update (null: none), as `raw`. */
  previous: unknown;
  /** The task template's ForceUpdate counter. */
  forceUpdate: number;
  createdAt: string;
  /** The engine's own spec, handed back unchanged to put a service back as it was. */
  raw: unknown;
}

/** One task of a service. */
export interface SwarmTask {
  id: string;
  serviceId: string;
  nodeId: string;
  slot: number;
  /** new, pending, assigned, accepted, preparing, starting, running, complete, failed, shutdown, rejected, orphaned, remove. */
  state: string;
  desiredState: string;
  /** The task's error (a failed health check, an exit code, a missing image …). */
  error: string;
  message: string;
  containerId: string;
  /** The image the task runs. */
  image: string;
  /** Environment of the task's spec (the engine's copy of the service spec at task creation). */
  env: Record<string, string>;
  /** Host-mode ports published by this task. */
  ports: Array<{ container: number; protocol: 'tcp' | 'udp'; hostPort: number }>;
  updatedAt: string;
}

/** A Swarm config or secret: name, labels, and (configs only) its content. */
export interface SwarmObject {
  id: string;
  name: string;
  labels: Labels;
  /** A config's content; a secret's cannot be read back (null). */
  data: Buffer | null;
  createdAt: string;
}
