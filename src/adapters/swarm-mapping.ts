/*
 * Pure translations between ksad's Swarm types and Engine API payloads (`/services`, `/tasks`,
 * `/nodes`, `/configs`, `/secrets`). The raw shapes are the fields ksad reads, typed as the engine
 * sends them (many can be absent).
 */
import type { ContainerSpec, HealthcheckConfig, Labels } from '../core/engine-model.js';
import type {
  SwarmMembership,
  SwarmNode,
  SwarmObject,
  SwarmServiceInfo,
  SwarmServiceSpec,
  SwarmTask,
  UpdateState,
} from '../core/swarm-model.js';
import { parseEnv } from './docker-mapping.js';

type Nullable<T> = T | null | undefined;
const NS_PER_MS = 1_000_000;

/** The restart policy a ksad spec names, as a Swarm condition. */
function restartCondition(policy: ContainerSpec['restartPolicy']): 'none' | 'on-failure' | 'any' {
  return policy === 'no' ? 'none' : policy === 'on-failure' ? 'on-failure' : 'any';
}

function restartPolicyOf(condition: Nullable<string>): ContainerSpec['restartPolicy'] {
  return condition === 'none' ? 'no' : condition === 'on-failure' ? 'on-failure' : 'always';
}

/**
 * A ksad service spec as the body of `POST /services/create` or `/services/{id}/update`.
 * `secretIds` resolves each mounted secret's name to its id (the API wants both). Ports are
 * published in host mode (the routing mesh is not assumed), names resolve by DNS round robin, updates go one task at a time with
 * rollback on failure, and a rollback goes the same way but pauses if it fails.
 */
export function toServiceSpec(
  spec: SwarmServiceSpec,
  secretIds: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const c = spec.container;
  const containerSpec: Record<string, unknown> = {
    Image: c.image,
    Labels: { ...spec.containerLabels },
    Env: Object.keys(c.env)
      .sort()
      .map((k) => `${k}=${c.env[k] ?? ''}`),
    Mounts: c.mounts.map((m) => ({
      Type: 'volume',
      Source: m.volume,
      Target: m.target,
      ReadOnly: m.readOnly,
    })),
    Init: c.init,
    ReadOnly: c.readOnlyRootFilesystem,
    StopGracePeriod: c.stopTimeoutSec * 1000 * NS_PER_MS,
    Secrets: spec.secrets.map((s) => ({
      SecretName: s.secret,
      SecretID: secretIds[s.secret] ?? '',
      File: { Name: s.file, UID: '0', GID: '0', Mode: 0o444 },
    })),
  };
  // Swarm's Command replaces the image's entrypoint and Args its command, as Compose maps them.
  if (c.entrypoint) containerSpec.Command = [...c.entrypoint];
  if (c.command) containerSpec.Args = [...c.command];
  if (c.workingDir !== undefined) containerSpec.Dir = c.workingDir;
  if (c.user !== undefined) containerSpec.User = c.user;
  if (c.healthcheck) {
    const h = c.healthcheck;
    containerSpec.Healthcheck = {
      Test: ['CMD', ...h.test],
      Interval: h.intervalMs * NS_PER_MS,
      Timeout: h.timeoutMs * NS_PER_MS,
      Retries: h.retries,
      StartPeriod: h.startPeriodMs * NS_PER_MS,
    };
  }
  const limits: Record<string, number> = {};
  if (c.nanoCpus !== undefined) limits.NanoCPUs = c.nanoCpus;
  if (c.memoryBytes !== undefined) limits.MemoryBytes = c.memoryBytes;
  const monitor = spec.update.monitorMs * NS_PER_MS;
  return {
    Name: spec.name,
    Labels: { ...spec.labels },
    TaskTemplate: {
      ContainerSpec: containerSpec,
      Resources: { Limits: limits },
      RestartPolicy: { Condition: restartCondition(c.restartPolicy), Delay: 1000 * NS_PER_MS },
      Placement: { Constraints: [...spec.placement] },
      Networks: [{ Target: spec.network, Aliases: [...c.aliases] }],
      ForceUpdate: spec.update.force,
    },
    Mode: { Replicated: { Replicas: spec.replicas } },
    UpdateConfig: {
      Parallelism: 1,
      Delay: 0,
      FailureAction: 'rollback',
      Monitor: monitor,
      MaxFailureRatio: 0,
      Order: spec.update.order,
    },
    RollbackConfig: {
      Parallelism: 1,
      Delay: 0,
      FailureAction: 'pause',
      Monitor: monitor,
      MaxFailureRatio: 0,
      Order: spec.update.order,
    },
    // DNS round robin: a service's name resolves to its tasks' addresses. A virtual IP needs the
    // kernel's IPVS on every node, which many small hosts (and containers running dockerd) lack;
    // ports are published in host mode, which round robin allows.
    EndpointSpec: {
      Mode: 'dnsrr',
      Ports: c.ports.map((p) => ({
        Protocol: p.protocol,
        TargetPort: p.container,
        PublishedPort: p.hostPort,
        PublishMode: 'host',
      })),
    },
  };
}

interface RawContainerSpec {
  Image?: Nullable<string>;
  Labels?: Nullable<Labels>;
  Command?: Nullable<string[]>;
  Args?: Nullable<string[]>;
  Env?: Nullable<string[]>;
  Dir?: Nullable<string>;
  User?: Nullable<string>;
  Mounts?: Nullable<
    Array<{
      Type?: Nullable<string>;
      Source?: Nullable<string>;
      Target?: Nullable<string>;
      ReadOnly?: Nullable<boolean>;
    }>
  >;
  Healthcheck?: Nullable<{
    Test?: Nullable<string[]>;
    Interval?: Nullable<number>;
    Timeout?: Nullable<number>;
    Retries?: Nullable<number>;
    StartPeriod?: Nullable<number>;
  }>;
  Init?: Nullable<boolean>;
  ReadOnly?: Nullable<boolean>;
  StopGracePeriod?: Nullable<number>;
  Secrets?: Nullable<Array<{ SecretName?: Nullable<string> }>>;
}

/** The fields of `GET /services/{id}` that {@link fromService} reads. */
/** A port of a service's Endpoint, as the engine publishes it. */
interface RawEndpointPort {
  Protocol?: Nullable<string>;
  TargetPort?: Nullable<number>;
  PublishedPort?: Nullable<number>;
}

export interface RawService {
  ID: string;
  CreatedAt?: Nullable<string>;
  Version?: Nullable<{ Index?: Nullable<number> }>;
  Spec: {
    Name: string;
    Labels?: Nullable<Labels>;
    TaskTemplate?: Nullable<{
      ContainerSpec?: Nullable<RawContainerSpec>;
      Resources?: Nullable<{
        Limits?: Nullable<{ NanoCPUs?: Nullable<number>; MemoryBytes?: Nullable<number> }>;
      }>;
      RestartPolicy?: Nullable<{ Condition?: Nullable<string> }>;
      Placement?: Nullable<{ Constraints?: Nullable<string[]> }>;
      Networks?: Nullable<Array<{ Target?: Nullable<string>; Aliases?: Nullable<string[]> }>>;
      ForceUpdate?: Nullable<number>;
    }>;
    Mode?: Nullable<{ Replicated?: Nullable<{ Replicas?: Nullable<number> }> }>;
    EndpointSpec?: Nullable<{
      Ports?: Nullable<
        Array<{
          Protocol?: Nullable<string>;
          TargetPort?: Nullable<number>;
          PublishedPort?: Nullable<number>;
        }>
      >;
    }>;
  };
  Endpoint?: Nullable<{ Ports?: Nullable<RawEndpointPort[]> }>;
  PreviousSpec?: unknown;
  UpdateStatus?: Nullable<{
    State?: Nullable<string>;
    StartedAt?: Nullable<string>;
    Message?: Nullable<string>;
  }>;
}

const UPDATE_STATES: readonly UpdateState[] = [
  'updating',
  'paused',
  'completed',
  'rollback_started',
  'rollback_paused',
  'rollback_completed',
];

function healthOf(raw: RawContainerSpec['Healthcheck']): HealthcheckConfig | undefined {
  const test = raw?.Test;
  if (!raw || !test || test[0] !== 'CMD') return undefined;
  return {
    test: test.slice(1),
    intervalMs: (raw.Interval ?? 0) / NS_PER_MS,
    timeoutMs: (raw.Timeout ?? 0) / NS_PER_MS,
    retries: raw.Retries ?? 0,
    startPeriodMs: (raw.StartPeriod ?? 0) / NS_PER_MS,
  };
}

/** Maps `GET /services/{id}` (or an entry of `GET /services`) back to ksad's terms. */
export function fromService(raw: RawService): SwarmServiceInfo {
  const template = raw.Spec.TaskTemplate ?? {};
  const c = template.ContainerSpec ?? {};
  const network = template.Networks?.[0];
  const limits = template.Resources?.Limits ?? {};
  const health = healthOf(c.Healthcheck);
  const container: ContainerSpec = {
    name: raw.Spec.Name,
    image: c.Image ?? '',
    env: parseEnv(c.Env),
    labels: { ...(c.Labels ?? {}) },
    ports: (raw.Spec.EndpointSpec?.Ports ?? []).map((p) => ({
      container: p.TargetPort ?? 0,
      protocol: p.Protocol === 'udp' ? 'udp' : 'tcp',
      // Swarm publishes on every address of the node: it takes no host address.
      hostIp: '0.0.0.0',
      hostPort: p.PublishedPort ?? 0,
    })),
    mounts: (c.Mounts ?? [])
      .filter((m) => m.Type === 'volume')
      .map((m) => ({
        volume: m.Source ?? '',
        target: m.Target ?? '',
        readOnly: m.ReadOnly ?? false,
      })),
    network: network?.Target ?? '',
    aliases: [...(network?.Aliases ?? [])],
    restartPolicy: restartPolicyOf(template.RestartPolicy?.Condition),
    init: c.Init ?? false,
    readOnlyRootFilesystem: c.ReadOnly ?? false,
    stopTimeoutSec: Math.round((c.StopGracePeriod ?? 0) / NS_PER_MS / 1000),
    ...(c.Command ? { entrypoint: [...c.Command] } : {}),
    ...(c.Args ? { command: [...c.Args] } : {}),
    ...(c.Dir ? { workingDir: c.Dir } : {}),
    ...(c.User ? { user: c.User } : {}),
    ...(health ? { healthcheck: health } : {}),
    ...(limits.NanoCPUs ? { nanoCpus: limits.NanoCPUs } : {}),
    ...(limits.MemoryBytes ? { memoryBytes: limits.MemoryBytes } : {}),
    ...((template.Placement?.Constraints ?? []).length > 0
      ? { placement: [...(template.Placement?.Constraints ?? [])] }
      : {}),
  };
  const status = raw.UpdateStatus;
  const state = UPDATE_STATES.find((s) => s === status?.State);
  return {
    id: raw.ID,
    name: raw.Spec.Name,
    version: raw.Version?.Index ?? 0,
    labels: { ...(raw.Spec.Labels ?? {}) },
    container,
    replicas: raw.Spec.Mode?.Replicated?.Replicas ?? 0,
    published: (raw.Endpoint?.Ports ?? [])
      .filter((p) => (p.PublishedPort ?? 0) > 0)
      .map((p) => ({
        container: p.TargetPort ?? 0,
        protocol: p.Protocol === 'udp' ? ('udp' as const) : ('tcp' as const),
        hostIp: '0.0.0.0',
        hostPort: p.PublishedPort ?? 0,
      })),
    secrets: (c.Secrets ?? []).map((s) => s.SecretName ?? '').filter((n) => n !== ''),
    updateStatus: state
      ? { state, startedAt: status?.StartedAt ?? '', message: status?.Message ?? '' }
      : null,
    previous: raw.PreviousSpec ?? null,
    forceUpdate: template.ForceUpdate ?? 0,
    createdAt: raw.CreatedAt ?? '',
    raw: raw.Spec,
  };
}

/** The fields of an entry of `GET /tasks` that {@link fromTask} reads. */
export interface RawTask {
  ID: string;
  ServiceID?: Nullable<string>;
  NodeID?: Nullable<string>;
  Slot?: Nullable<number>;
  DesiredState?: Nullable<string>;
  UpdatedAt?: Nullable<string>;
  Spec?: Nullable<{
    ContainerSpec?: Nullable<{ Image?: Nullable<string>; Env?: Nullable<string[]> }>;
  }>;
  Status?: Nullable<{
    State?: Nullable<string>;
    Err?: Nullable<string>;
    Message?: Nullable<string>;
    ContainerStatus?: Nullable<{ ContainerID?: Nullable<string> }>;
    PortStatus?: Nullable<{
      Ports?: Nullable<
        Array<{
          Protocol?: Nullable<string>;
          TargetPort?: Nullable<number>;
          PublishedPort?: Nullable<number>;
        }>
      >;
    }>;
  }>;
}

export function fromTask(raw: RawTask): SwarmTask {
  const status = raw.Status ?? {};
  return {
    id: raw.ID,
    serviceId: raw.ServiceID ?? '',
    nodeId: raw.NodeID ?? '',
    slot: raw.Slot ?? 0,
    state: status.State ?? 'unknown',
    desiredState: raw.DesiredState ?? '',
    error: status.Err ?? '',
    message: status.Message ?? '',
    containerId: status.ContainerStatus?.ContainerID ?? '',
    image: raw.Spec?.ContainerSpec?.Image ?? '',
    env: parseEnv(raw.Spec?.ContainerSpec?.Env),
    ports: (status.PortStatus?.Ports ?? []).map((p) => ({
      container: p.TargetPort ?? 0,
      protocol: p.Protocol === 'udp' ? 'udp' : 'tcp',
      hostPort: p.PublishedPort ?? 0,
    })),
    updatedAt: raw.UpdatedAt ?? '',
  };
}

/** The fields of an entry of `GET /nodes` that {@link fromNode} reads. */
export interface RawNode {
  ID: string;
  Spec?: Nullable<{
    Role?: Nullable<string>;
    Availability?: Nullable<string>;
    Labels?: Nullable<Labels>;
  }>;
  Description?: Nullable<{
    Hostname?: Nullable<string>;
    Engine?: Nullable<{ EngineVersion?: Nullable<string> }>;
  }>;
  Status?: Nullable<{ State?: Nullable<string>; Addr?: Nullable<string> }>;
  ManagerStatus?: Nullable<{ Leader?: Nullable<boolean> }>;
}

export function fromNode(raw: RawNode): SwarmNode {
  const availability = raw.Spec?.Availability;
  return {
    id: raw.ID,
    hostname: raw.Description?.Hostname ?? '',
    role: raw.Spec?.Role === 'manager' ? 'manager' : 'worker',
    availability: availability === 'pause' || availability === 'drain' ? availability : 'active',
    state: raw.Status?.State ?? 'unknown',
    leader: raw.ManagerStatus?.Leader === true,
    address: raw.Status?.Addr ?? '',
    labels: { ...(raw.Spec?.Labels ?? {}) },
    engineVersion: raw.Description?.Engine?.EngineVersion ?? '',
  };
}

/** Maps the `Swarm` part of `GET /info`. */
export function fromSwarmInfo(
  raw: Nullable<{
    NodeID?: Nullable<string>;
    LocalNodeState?: Nullable<string>;
    ControlAvailable?: Nullable<boolean>;
    Nodes?: Nullable<number>;
    Managers?: Nullable<number>;
  }>,
): SwarmMembership {
  const states: readonly SwarmMembership['state'][] = [
    'inactive',
    'pending',
    'active',
    'error',
    'locked',
  ];
  return {
    state: states.find((s) => s === raw?.LocalNodeState) ?? 'inactive',
    manager: raw?.ControlAvailable === true,
    nodeId: raw?.NodeID ?? '',
    nodes: raw?.Nodes ?? 0,
    managers: raw?.Managers ?? 0,
  };
}

/** Maps an entry of `GET /configs` or `GET /secrets` (a secret's data is never sent). */
export function fromSwarmObject(raw: {
  ID: string;
  CreatedAt?: Nullable<string>;
  Spec?: Nullable<{ Name?: Nullable<string>; Labels?: Nullable<Labels>; Data?: Nullable<string> }>;
}): SwarmObject {
  const data = raw.Spec?.Data;
  return {
    id: raw.ID,
    name: raw.Spec?.Name ?? '',
    labels: { ...(raw.Spec?.Labels ?? {}) },
    data: typeof data === 'string' ? Buffer.from(data, 'base64') : null,
    createdAt: raw.CreatedAt ?? '',
  };
}
