import type Dockerode from 'dockerode';
import type {
  ContainerInfo,
  ContainerSettings,
  ContainerSpec,
  ContainerState,
  EngineInfo,
  HealthState,
  ImageInfo,
  Labels,
  NetworkInfo,
  PublishedPort,
  VolumeInfo,
  VolumeMount,
} from '../ports/docker-engine.js';
import { probeLine } from '../core/engine-model.js';

/*
 * Pure translations between ksad's port types and Docker Engine API payloads. The raw shapes below
 * are the fields ksad reads, typed as the engine really sends them (many "objects" can be null),
 * rather than @types/dockerode's optimistic shapes.
 */

type Nullable<T> = T | null | undefined;

interface RawPortBinding {
  HostIp?: Nullable<string>;
  HostPort?: Nullable<string>;
}

/** The fields of `GET /containers/{id}/json` that {@link fromInspect} reads. */
export interface RawContainerInspect {
  Id: string;
  Name: string;
  Created: string;
  /** Image ID. */
  Image: string;
  State: {
    Status: string;
    ExitCode?: Nullable<number>;
    Health?: Nullable<{
      Status: string;
      Log?: Nullable<Array<{ ExitCode?: Nullable<number>; Output?: Nullable<string> }>>;
    }>;
  };
  Config: { Image: string; Env?: Nullable<string[]>; Labels?: Nullable<Record<string, string>> };
  HostConfig?: Nullable<{
    PortBindings?: Nullable<Record<string, Nullable<RawPortBinding[]>>>;
    Memory?: Nullable<number>;
    NanoCpus?: Nullable<number>;
    RestartPolicy?: Nullable<{ Name?: Nullable<string> }>;
    CapAdd?: Nullable<string[]>;
    Privileged?: Nullable<boolean>;
    Init?: Nullable<boolean>;
    ReadonlyRootfs?: Nullable<boolean>;
  }>;
  Mounts?: Nullable<
    Array<{ Type: string; Name?: Nullable<string>; Destination: string; RW: boolean }>
  >;
  NetworkSettings?: Nullable<{
    Ports?: Nullable<Record<string, Nullable<RawPortBinding[]>>>;
    Networks?: Nullable<Record<string, unknown>>;
  }>;
}

const NANOS_PER_MS = 1_000_000;

const portKey = (p: Pick<PublishedPort, 'container' | 'protocol'>): string =>
  `${p.container}/${p.protocol}`;

/** `{k: v}` → `['k=v']`, and `''` → `['k']` (any value): the engine's label filter syntax. */
export function labelFilters(labels: Labels): string[] {
  return Object.entries(labels).map(([k, v]) => (v === '' ? k : `${k}=${v}`));
}

/**
 * Translates a ContainerSpec into `POST /containers/create` options. Env entries are sorted so the
 * same spec always produces the same request; mounts are named volumes only; the container joins
 * exactly one network, with its aliases, at create time (API 1.41 accepts one endpoint there).
 */
export function toCreateOptions(spec: ContainerSpec): Dockerode.ContainerCreateOptions {
  const exposedPorts: Record<string, object> = {};
  const portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const port of spec.ports) {
    const key = portKey(port);
    exposedPorts[key] = {};
    (portBindings[key] ??= []).push({ HostIp: port.hostIp, HostPort: String(port.hostPort) });
  }

  const options: Dockerode.ContainerCreateOptions = {
    name: spec.name,
    Image: spec.image,
    Labels: { ...spec.labels },
    Env: Object.keys(spec.env)
      .sort()
      .map((k) => `${k}=${spec.env[k] ?? ''}`),
    ExposedPorts: exposedPorts,
    StopTimeout: spec.stopTimeoutSec,
    HostConfig: {
      PortBindings: portBindings,
      Mounts: spec.mounts.map((m) => ({
        Type: 'volume' as const,
        Source: m.volume,
        Target: m.target,
        ReadOnly: m.readOnly,
      })),
      NetworkMode: spec.network,
      RestartPolicy: { Name: spec.restartPolicy },
      Init: spec.init,
      ReadonlyRootfs: spec.readOnlyRootFilesystem,
      ...(spec.nanoCpus === undefined ? {} : { NanoCpus: spec.nanoCpus }),
      ...(spec.memoryBytes === undefined ? {} : { Memory: spec.memoryBytes }),
    },
    NetworkingConfig: {
      EndpointsConfig: { [spec.network]: { Aliases: [...spec.aliases] } },
    },
  };
  if (spec.command) options.Cmd = [...spec.command];
  if (spec.entrypoint) options.Entrypoint = [...spec.entrypoint];
  if (spec.workingDir !== undefined) options.WorkingDir = spec.workingDir;
  if (spec.user !== undefined) options.User = spec.user;
  if (spec.healthcheck) {
    const h = spec.healthcheck;
    options.Healthcheck = {
      // The manifest gives the exec form; the engine wants it marked as such.
      Test: ['CMD', ...h.test],
      Interval: h.intervalMs * NANOS_PER_MS,
      Timeout: h.timeoutMs * NANOS_PER_MS,
      Retries: h.retries,
      StartPeriod: h.startPeriodMs * NANOS_PER_MS,
    };
  }
  return options;
}

const CONTAINER_STATES: readonly ContainerState[] = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
];
const HEALTH_STATES: readonly HealthState[] = ['none', 'starting', 'healthy', 'unhealthy'];
/** The engine keeps the last five probes; the last three say what is wrong without the noise. */
const HEALTH_LOG_ENTRIES = 3;

function toContainerState(status: string): ContainerState {
  const found = CONTAINER_STATES.find((s) => s === status);
  // An engine newer than ksad could invent a state; "dead" is the safe reading (not usable).
  return found ?? 'dead';
}

/** Splits `KEY=VALUE` at the first `=`; a bare `KEY` (set without a value) maps to ''. */
export function parseEnv(entries: Nullable<readonly string[]>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries ?? []) {
    const at = entry.indexOf('=');
    if (at < 0) env[entry] = '';
    else env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

function parsePortKey(key: string): { container: number; protocol: 'tcp' | 'udp' } | undefined {
  const [port, protocol = 'tcp'] = key.split('/');
  const container = Number(port);
  if (!Number.isInteger(container) || (protocol !== 'tcp' && protocol !== 'udp')) return undefined;
  return { container, protocol };
}

/**
 * Published ports as requested (HostConfig.PortBindings), so they compare equal to the spec that
 * created them; where the engine picked the host port (requested '' or '0') the actual port is
 * taken from NetworkSettings.Ports, which is only filled while the container runs. A container
 * created with `--publish-all` has no requested bindings, so the actual ones are reported.
 */
function mapPorts(raw: RawContainerInspect): PublishedPort[] {
  const requested = raw.HostConfig?.PortBindings ?? {};
  const actual = raw.NetworkSettings?.Ports ?? {};
  const hasRequested = Object.values(requested).some((b) => (b?.length ?? 0) > 0);
  const ports: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(hasRequested ? requested : actual)) {
    const parsed = parsePortKey(key);
    if (!parsed || !bindings) continue;
    for (const binding of bindings) {
      const hostIp = binding.HostIp ?? '';
      let hostPort = Number(binding.HostPort || 0);
      if (hostPort === 0) {
        const live = actual[key] ?? [];
        const match =
          live.find((b) => (b.HostIp ?? '') === hostIp) ?? (hostIp === '' ? live[0] : undefined);
        hostPort = Number(match?.HostPort || 0);
      }
      ports.push({ ...parsed, hostIp, hostPort });
    }
  }
  return ports.sort(
    (a, b) =>
      a.container - b.container ||
      a.protocol.localeCompare(b.protocol) ||
      a.hostIp.localeCompare(b.hostIp) ||
      a.hostPort - b.hostPort,
  );
}

/**
 * Maps `GET /containers/{id}/json` to ContainerInfo. `health` is 'none' when neither the container
 * nor its image defines a healthcheck. `env` is what the process sees, image defaults (PATH …)
 * included. Mounts are the named (and anonymous) volumes; bind mounts are not ksad's.
 */
export function fromInspect(raw: RawContainerInspect): ContainerInfo {
  const health = raw.State.Health?.Status;
  return {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ''),
    image: raw.Config.Image,
    imageId: raw.Image,
    labels: { ...(raw.Config.Labels ?? {}) },
    state: toContainerState(raw.State.Status),
    health: HEALTH_STATES.find((s) => s === health) ?? 'none',
    healthLog: (raw.State.Health?.Log ?? [])
      .slice(-HEALTH_LOG_ENTRIES)
      .map((entry) => probeLine(entry.ExitCode ?? '?', entry.Output ?? '')),
    exitCode: raw.State.ExitCode ?? 0,
    env: parseEnv(raw.Config.Env),
    ports: mapPorts(raw),
    mounts: (raw.Mounts ?? [])
      .filter((m) => m.Type === 'volume' && m.Name)
      .map((m): VolumeMount => ({ volume: m.Name ?? '', target: m.Destination, readOnly: !m.RW }))
      .sort((a, b) => a.target.localeCompare(b.target)),
    networks: Object.keys(raw.NetworkSettings?.Networks ?? {}).sort(),
    createdAt: raw.Created,
    ...(raw.HostConfig ? { settings: settingsOf(raw.HostConfig) } : {}),
  };
}

/** The host settings ksad sets, as `HostConfig` reports them (unset reads as none). */
function settingsOf(host: NonNullable<RawContainerInspect['HostConfig']>): ContainerSettings {
  return {
    memoryBytes: host.Memory ?? 0,
    nanoCpus: host.NanoCpus ?? 0,
    // An empty name is the engine's "no" (no restart).
    restartPolicy: host.RestartPolicy?.Name || 'no',
    capAdd: [...(host.CapAdd ?? [])].sort(),
    privileged: host.Privileged ?? false,
    init: host.Init ?? false,
    readOnlyRootFilesystem: host.ReadonlyRootfs ?? false,
  };
}

/** Maps `GET /version`. */
export function fromVersion(
  raw: { Version: string; ApiVersion: string; Os: string; Arch: string },
  endpoint: string,
): EngineInfo {
  return { version: raw.Version, apiVersion: raw.ApiVersion, os: raw.Os, arch: raw.Arch, endpoint };
}

/** Maps `GET /images/{name}/json`. */
export function fromImageInspect(raw: {
  Id: string;
  RepoDigests?: Nullable<string[]>;
  RepoTags?: Nullable<string[]>;
  RootFS?: Nullable<{ Layers?: Nullable<string[]> }>;
}): ImageInfo {
  const info: ImageInfo = {
    id: raw.Id,
    repoDigests: [...(raw.RepoDigests ?? [])],
    repoTags: [...(raw.RepoTags ?? [])],
  };
  const layers = raw.RootFS?.Layers;
  if (layers) info.layers = [...layers];
  return info;
}

/** Maps an entry of `GET /networks`. */
export function fromNetwork(raw: {
  Id: string;
  Name: string;
  Labels?: Nullable<Record<string, string>>;
}): NetworkInfo {
  return { id: raw.Id, name: raw.Name, labels: { ...(raw.Labels ?? {}) } };
}

/** Maps `GET /volumes/{name}` or an entry of `GET /volumes`. */
export function fromVolume(raw: {
  Name: string;
  Labels?: Nullable<Record<string, string>>;
  CreatedAt?: Nullable<string>;
}): VolumeInfo {
  return { name: raw.Name, labels: { ...(raw.Labels ?? {}) }, createdAt: raw.CreatedAt ?? '' };
}

/**
 * Turns the body of `GET /containers/{id}/logs` into text. Without a TTY the engine multiplexes
 * stdout and stderr into frames (1 byte stream, 3 bytes padding, 4 bytes big-endian length); with a
 * TTY it sends the raw bytes. A body that does not parse as frames is taken as raw.
 */
export function demultiplexLogs(body: Buffer): string {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    if (body.length - offset < 8) return body.toString('utf8');
    const stream = body[offset];
    const padding = body.readUIntBE(offset + 1, 3);
    const length = body.readUInt32BE(offset + 4);
    if (
      (stream !== 0 && stream !== 1 && stream !== 2) ||
      padding !== 0 ||
      offset + 8 + length > body.length
    ) {
      return body.toString('utf8');
    }
    chunks.push(body.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return Buffer.concat(chunks).toString('utf8');
}
