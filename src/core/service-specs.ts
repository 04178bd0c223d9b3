import { createHash } from 'node:crypto';
import type { ConfigValue } from './config.js';
import { nearest } from './suggest.js';
import { parseDuration, parseSize } from './duration.js';
import { KsadError } from './errors.js';
import { deployabilityErrors } from './lint/index.js';
import { dependencyLevels } from './graph.js';
import { Label, managedLabels, names } from './labels.js';
import { interpolate, type Reference } from './references.js';
import type { Manifest, ResourcesSpec, ServiceSpec } from './schema/manifest.js';
import type { Overlay } from './schema/overlay.js';
import { maskSecrets } from './secrets.js';
import { routeLabel, upstreamAlias, type Route } from './ingress.js';
import type {
  ContainerSpec,
  HealthcheckConfig,
  Labels,
  PublishedPort,
  VolumeMount,
} from './engine-model.js';

/** Where published ports listen unless the host profile says otherwise: reachable from the host only. */
export const DEFAULT_BIND_ADDRESS = '127.0.0.1';

export type DependencyCondition = 'service_started' | 'service_healthy';

export interface DesiredStateInput {
  manifest: Manifest;
  /** `sha256:<hex>` of the manifest file bytes. */
  manifestDigest: string;
  /** Resolved config values (`resolveConfig`). */
  config: Readonly<Record<string, ConfigValue>>;
  /** Secret values by name (`planSecrets`). */
  secrets: Readonly<Record<string, string>>;
  region: { code: string; name: string };
  /** The revision this deploy will record. */
  revision: number;
  /** Host address published ports bind to; defaults to `DEFAULT_BIND_ADDRESS`. */
  bindAddress?: string;
  /** Merged overlay `services` (resources and environment; a `null` variable removes it). */
  serviceOverrides?: Overlay['services'];
  /** The target's name for a service (default `ksad-<app>-<service>`, a Docker host's). */
  serviceName?: (app: string, service: string) => string;
  /** The app's route through the host ingress (`resolveRoute`), if it has one. */
  route?: Route;
}

export interface DesiredService {
  service: string;
  spec: ContainerSpec;
  /** Hash of the runtime-relevant spec (also in `spec.labels`); equal hashes mean keep the container. */
  configHash: string;
  dependsOn: Record<string, DependencyCondition>;
  /** Whether the container has a healthcheck (so "started" can wait for "healthy"). */
  healthcheck: boolean;
  /** Environment variables whose value contains a secret: never print their values. */
  secretEnv: string[];
  /** The manifest secrets this service's settings refer to, by name (a Swarm mounts them as files). */
  secretNames: string[];
  /**
   * Set when the ingress routes to this service: the route and the container's own network alias
   * (the proxy's upstream), so an upgrade switches traffic instead of stopping and starting.
   */
  ingress?: { route: Route; upstream: string };
}

export interface DesiredVolume {
  /** Docker volume name, `ksad-<app>-<volume>`. */
  name: string;
  /** The manifest's volume name. */
  volume: string;
  labels: Labels;
}

/** Everything one release should be on a host, before comparing it with what is there. */
export interface DesiredState {
  app: {
    name: string;
    publisher: string;
    version: string;
    revision: number;
    manifestDigest: string;
  };
  network: { name: string; labels: Labels };
  volumes: DesiredVolume[];
  /** In start order (dependency levels, then by name). */
  services: DesiredService[];
  /** Start order: each level's services can start in parallel once the previous level is up. */
  levels: string[][];
  /** The app's route through the host ingress, if it has one. */
  route?: Route;
}

/**
 * Labels that change on a re-deploy without any change to what runs: a new revision, a version
 * bump that kept the same images and settings, a manifest edit elsewhere. Leaving them out of the
 * hash is what lets such a deploy keep containers, as Compose does.
 */
const VOLATILE_LABELS: readonly string[] = [
  Label.revision,
  Label.version,
  Label.manifestDigest,
  Label.configHash,
];

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted at every depth, so equal specs hash equal whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A value interpolated twice: with the secret itself (to run) and with its hash (to hash). */
interface Rendered {
  real: string;
  hashed: string;
  usesSecret: boolean;
}

/**
 * Builds the desired containers, network and volumes of a release from its manifest, config,
 * secrets and overlays: every reference interpolated, durations and sizes converted, names and
 * labels from `labels.ts`, and a config hash per service. Pure: the same input gives the same state.
 *
 * The config hash is sha256 over the canonical JSON of the ContainerSpec without the volatile
 * labels (revision, version, manifest digest) and with each secret replaced by its own sha256: an
 * unchanged re-deploy hashes the same, a rotated secret changes the hash, and the label never
 * carries anything from which a secret could be read.
 *
 * @throws KsadError('INVALID') listing every reference that cannot be resolved, unsupported
 *   volume, bad dependency and unknown overridden service; or naming a dependency cycle.
 */
export function buildDesiredState(input: DesiredStateInput): DesiredState {
  const { manifest } = input;
  const app = manifest.name;
  const bindAddress = input.bindAddress ?? DEFAULT_BIND_ADDRESS;
  // What lint refuses for a host (unsafe settings, host paths, unmet dependencies), in its words.
  const problems: string[] = deployabilityErrors({ file: '', manifest }, undefined).map(
    (d) => `${d.path}: ${d.message}`,
  );
  const levels = dependencyLevels(manifest.services);

  // The secrets the service being built refers to; reset for each service.
  let referenced = new Set<string>();
  const render = (value: string, path: string): Rendered => {
    let usesSecret = false;
    // Why the last lookup found nothing, in the user's terms; `interpolate` only knows "no value".
    let why: string | undefined;
    const lookup =
      (hashSecrets: boolean) =>
      (ref: Reference): string | undefined => {
        why = undefined;
        switch (ref.kind) {
          case 'config':
            if (!Object.hasOwn(manifest.config, ref.key)) {
              why = unknownName('config key', ref.key, Object.keys(manifest.config));
              return undefined;
            }
            // An optional key without a value reads as empty, as an unset variable does in Compose.
            return Object.hasOwn(input.config, ref.key) ? String(input.config[ref.key]) : '';
          case 'secret': {
            if (!Object.hasOwn(manifest.secrets, ref.name)) {
              why = unknownName('secret', ref.name, Object.keys(manifest.secrets));
              return undefined;
            }
            if (!Object.hasOwn(input.secrets, ref.name)) {
              why = `secret ${ref.name} has no value; supply it (KSAD_SECRET_${ref.name})`;
              return undefined;
            }
            usesSecret = true;
            referenced.add(ref.name);
            const secret = input.secrets[ref.name] ?? '';
            return hashSecrets ? `sha256:${sha256(secret)}` : secret;
          }
          case 'service':
            if (!Object.hasOwn(manifest.services, ref.service)) {
              why = unknownName('service', ref.service, Object.keys(manifest.services));
              return undefined;
            }
            // The service name is its network alias, so it is also its DNS name on the release network.
            return ref.service;
          case 'release':
            return app;
          case 'region':
            return ref.field === 'code' ? input.region.code : input.region.name;
        }
      };
    const onMissing = (raw: string, reason: string): void => {
      problems.push(`${path}: ${raw}: ${why ?? reason}`);
      why = undefined;
    };
    const real = interpolate(value, lookup(false), onMissing);
    const hashed = interpolate(value, lookup(true), () => undefined);
    return { real, hashed, usesSecret };
  };

  const overrides = input.serviceOverrides ?? {};
  for (const name of Object.keys(overrides)) {
    if (!Object.hasOwn(manifest.services, name))
      problems.push(`services.${name}: ${app} has no service "${name}"`);
  }

  const volumeNames = new Set<string>();
  const built: Array<{
    service: string;
    real: ContainerSpec;
    hashed: ContainerSpec;
    secretEnv: string[];
    secretNames: string[];
    def: ServiceSpec;
  }> = [];
  const serviceName = input.serviceName ?? names.container;

  for (const service of levels.flat()) {
    const def = manifest.services[service];
    if (def === undefined) continue;
    referenced = new Set<string>();
    const base = `services.${service}`;
    const override = Object.hasOwn(overrides, service) ? overrides[service] : undefined;

    const env: Record<string, string> = { ...def.environment };
    for (const [key, value] of Object.entries(override?.environment ?? {})) {
      if (value === null) delete env[key];
      else env[key] = value;
    }
    const realEnv: Record<string, string> = {};
    const hashedEnv: Record<string, string> = {};
    const secretEnv: string[] = [];
    for (const key of Object.keys(env).sort()) {
      const r = render(env[key] ?? '', `${base}.environment.${key}`);
      realEnv[key] = r.real;
      hashedEnv[key] = r.hashed;
      if (r.usesSecret) secretEnv.push(key);
    }

    const renderList = (
      list: string[] | undefined,
      field: string,
    ): { real?: string[]; hashed?: string[] } => {
      if (list === undefined) return {};
      const rs = list.map((v, i) => render(v, `${base}.${field}[${i}]`));
      return { real: rs.map((r) => r.real), hashed: rs.map((r) => r.hashed) };
    };
    const command = renderList(def.command, 'command');
    const entrypoint = renderList(def.entrypoint, 'entrypoint');

    const ports: PublishedPort[] = [];
    const routed = input.route?.service === service ? input.route : undefined;
    def.ports.forEach((port, i) => {
      if (port.host === undefined) return;
      // The ingress reaches a routed port on the release network: it is not published.
      if (routed !== undefined && port.container === routed.port && port.protocol === 'tcp') return;
      let hostPort: number | undefined = typeof port.host === 'number' ? port.host : undefined;
      if (typeof port.host === 'string') {
        const before = problems.length;
        const text = render(port.host, `${base}.ports[${i}].host`).real;
        const n = Number(text);
        if (text !== '' && Number.isInteger(n) && n >= 1 && n <= 65535) hostPort = n;
        else if (problems.length > before) return;
        else if (text !== '')
          problems.push(
            `${base}.ports[${i}].host: ${port.host} is "${text}", not a port number (1-65535)`,
          );
        else
          problems.push(
            `${base}.ports[${i}].host: ${port.host} has no value; set it in an overlay`,
          );
      }
      if (hostPort !== undefined)
        ports.push({
          container: port.container,
          protocol: port.protocol,
          hostIp: bindAddress,
          hostPort,
        });
    });

    const mounts: VolumeMount[] = [];
    // Host paths and unnamed volumes are refused with lint's own rule (deployabilityErrors).
    for (const v of def.volumes) {
      if (v.source !== undefined || v.name === undefined) continue;
      volumeNames.add(v.name);
      mounts.push({ volume: names.volume(app, v.name), target: v.path, readOnly: v.readOnly });
    }

    let healthcheck: { real: HealthcheckConfig; hashed: HealthcheckConfig } | undefined;
    if (def.healthcheck !== undefined) {
      const h = def.healthcheck;
      const test = h.test.map((t, i) => render(t, `${base}.healthcheck.test[${i}]`));
      const timing = {
        intervalMs: parseDuration(h.interval),
        timeoutMs: parseDuration(h.timeout),
        retries: h.retries,
        startPeriodMs: parseDuration(h.startPeriod),
      };
      healthcheck = {
        real: { test: test.map((t) => t.real), ...timing },
        hashed: { test: test.map((t) => t.hashed), ...timing },
      };
    }

    const resources = withOverrides(def.resources, override?.resources);
    const constraints = override?.placement?.constraints ?? [];
    const common = {
      name: serviceName(app, service),
      image: def.image,
      ...(def.workingDir !== undefined ? { workingDir: def.workingDir } : {}),
      ...(def.user !== undefined ? { user: def.user } : {}),
      labels: managedLabels('container', {
        [Label.app]: app,
        [Label.publisher]: manifest.publisher,
        [Label.service]: service,
        ...(routed !== undefined ? { [Label.route]: routeLabel(routed) } : {}),
      }),
      ports,
      mounts,
      network: names.network(app),
      aliases: [service],
      ...(resources.cpus !== undefined ? { nanoCpus: Math.round(resources.cpus * 1e9) } : {}),
      ...(resources.memory !== undefined ? { memoryBytes: parseSize(resources.memory) } : {}),
      restartPolicy: def.restart,
      init: def.init,
      readOnlyRootFilesystem: def.readOnlyRootFilesystem,
      stopTimeoutSec: Math.ceil(parseDuration(def.stopGracePeriod) / 1000),
      // Only when an overlay sets them, so a release without them hashes as it always did.
      ...(override?.replicas !== undefined && override.replicas !== null
        ? { replicas: override.replicas }
        : {}),
      ...(constraints.length > 0 ? { placement: [...constraints] } : {}),
    };
    const real: ContainerSpec = {
      ...common,
      env: realEnv,
      ...(command.real !== undefined ? { command: command.real } : {}),
      ...(entrypoint.real !== undefined ? { entrypoint: entrypoint.real } : {}),
      ...(healthcheck !== undefined ? { healthcheck: healthcheck.real } : {}),
    };
    const hashed: ContainerSpec = {
      ...common,
      env: hashedEnv,
      ...(command.hashed !== undefined ? { command: command.hashed } : {}),
      ...(entrypoint.hashed !== undefined ? { entrypoint: entrypoint.hashed } : {}),
      ...(healthcheck !== undefined ? { healthcheck: healthcheck.hashed } : {}),
    };
    built.push({ service, real, hashed, secretEnv, secretNames: [...referenced].sort(), def });
  }

  if (problems.length > 0) {
    throw new KsadError(
      'INVALID',
      `${app} ${manifest.version} cannot be deployed as configured (${problems.length} problem${problems.length === 1 ? '' : 's'})`,
      {
        details: problems,
        suggestions: ['fix the overlay or supply the missing values, then run `ksad plan` again'],
      },
    );
  }

  const services: DesiredService[] = built.map(
    ({ service, real, hashed, secretEnv, secretNames, def }) => {
      const configHash = sha256(canonicalJson(withoutLabels(hashed, VOLATILE_LABELS)));
      const route = input.route?.service === service ? input.route : undefined;
      const upstream = route !== undefined ? upstreamAlias(app, service, configHash) : undefined;
      const labels: Labels = {
        ...real.labels,
        ...(upstream !== undefined ? { [Label.upstream]: upstream } : {}),
        [Label.version]: manifest.version,
        [Label.revision]: String(input.revision),
        [Label.manifestDigest]: input.manifestDigest,
        [Label.configHash]: configHash,
      };
      return {
        service,
        spec: {
          ...real,
          labels,
          aliases: upstream !== undefined ? [...real.aliases, upstream] : real.aliases,
        },
        configHash,
        ...(route !== undefined && upstream !== undefined ? { ingress: { route, upstream } } : {}),
        dependsOn: Object.fromEntries(
          Object.entries(def.dependsOn).map(([dep, d]) => [dep, d.condition]),
        ),
        healthcheck: def.healthcheck !== undefined,
        secretEnv,
        secretNames,
      };
    },
  );

  const appLabels = { [Label.app]: app, [Label.publisher]: manifest.publisher };
  return {
    app: {
      name: app,
      publisher: manifest.publisher,
      version: manifest.version,
      revision: input.revision,
      manifestDigest: input.manifestDigest,
    },
    network: { name: names.network(app), labels: managedLabels('network', appLabels) },
    volumes: [...volumeNames].sort().map((volume) => ({
      name: names.volume(app, volume),
      volume,
      labels: managedLabels('volume', { ...appLabels, [Label.volume]: volume }),
    })),
    services,
    levels,
    ...(input.route !== undefined ? { route: input.route } : {}),
  };
}

function unknownName(kind: string, name: string, known: string[]): string {
  const guess = nearest(name, known);
  return `there is no ${kind} "${name}"${guess !== undefined ? `; did you mean "${guess}"?` : ''}`;
}

/** The manifest's limits with an overlay's on top; a `null` in the overlay removes the limit. */
function withOverrides(
  base: ResourcesSpec,
  override: { cpus?: number | null | undefined; memory?: string | null | undefined } | undefined,
): ResourcesSpec {
  const out: ResourcesSpec = { ...base };
  if (override?.cpus === null) delete out.cpus;
  else if (override?.cpus !== undefined) out.cpus = override.cpus;
  if (override?.memory === null) delete out.memory;
  else if (override?.memory !== undefined) out.memory = override.memory;
  return out;
}

function withoutLabels(spec: ContainerSpec, drop: readonly string[]): ContainerSpec {
  return {
    ...spec,
    labels: Object.fromEntries(Object.entries(spec.labels).filter(([k]) => !drop.includes(k))),
  };
}

function maskDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return maskSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => maskDeep(v, secrets)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [maskSecrets(k, secrets), maskDeep(v, secrets)]),
    ) as T;
  }
  return value;
}

/**
 * The desired state with every occurrence of a secret value replaced by `********`, for
 * `ksad render`, plans and logs. Masks by value, not by field, so a secret that an overlay
 * copied into an unexpected place (a command argument, a URL) is hidden too.
 */
export function renderDesiredState(
  state: DesiredState,
  secretValues: Iterable<string> | Readonly<Record<string, string>>,
): DesiredState {
  const list =
    Symbol.iterator in Object(secretValues)
      ? [...(secretValues as Iterable<string>)]
      : Object.values(secretValues as Readonly<Record<string, string>>);
  return maskDeep(state, list);
}
