import { Label } from './labels.js';
import type { DesiredService, DesiredState } from './service-specs.js';
import { containerDrift, listOrNone, mountText, portText } from './container-drift.js';
import type { ContainerInfo, NetworkInfo, VolumeInfo } from './engine-model.js';

export type PlanAction = 'create' | 'recreate' | 'keep' | 'remove';

export interface NetworkPlan {
  name: string;
  action: 'create' | 'keep';
  reason: string;
}

export interface VolumePlan {
  /** Docker volume name. */
  name: string;
  /** The manifest's volume name ('' for a volume of ours whose label is missing). */
  volume: string;
  /** Plans never remove a volume: data outlives the services that used it. */
  action: 'create' | 'keep';
  reason: string;
  /** False for a volume no service of the desired state mounts any more. */
  inUse: boolean;
}

export interface ServicePlan {
  service: string;
  /** Container name: the desired one, or the actual one for a removal. */
  container: string;
  action: PlanAction;
  /** Why, for humans; never contains an environment value. */
  reason: string;
  /** The existing container the action is about (recreate, keep, remove). */
  containerId?: string;
  /** The config hash the container will carry (absent for a removal). */
  configHash?: string;
  /**
   * How a created or recreated service takes over: `ingress` (the new container starts beside the
   * old one, the proxy switches requests once it is healthy, the old one drains), `stop-start`
   * (the old container stops first, as for raw TCP ports), or `start` (nothing to take over from).
   */
  switch?: SwitchKind;
}

export type SwitchKind = 'ingress' | 'stop-start' | 'start';

/** What a deploy would do, as data; `ksad plan` prints it and the deploy use-case executes it. */
export interface Plan {
  app: string;
  revision: number;
  network: NetworkPlan;
  volumes: VolumePlan[];
  /** Desired services in start order, then removals by name. */
  services: ServicePlan[];
  /** Start order of the desired services; stop in reverse. */
  levels: string[][];
  /** Resources that carry ksad's names but not its labels: the deploy must refuse rather than take them over. */
  conflicts: string[];
  /** True when any action is not `keep`. */
  changes: boolean;
  /** Count of actions over the network, volumes and services. */
  summary: Record<PlanAction, number>;
}

export interface ActualState {
  containers: readonly ContainerInfo[];
  networks: readonly NetworkInfo[];
  volumes: readonly VolumeInfo[];
}

function ownedBy(labels: Readonly<Record<string, string>>, app: string, kind: string): boolean {
  return (
    labels[Label.managed] === 'true' && labels[Label.app] === app && labels[Label.kind] === kind
  );
}

/** The engine reports names with a leading slash; ksad's names have none. */
function bareName(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

/**
 * Why a container must be recreated, from the fields the engine shows: every difference named
 * (environment variables by name only: their values may hold secrets), whether or not its config
 * hash label matches. A label copied onto a container made by hand, a `docker update`, a
 * disconnected network or a rename leave the hash as it was, so the live settings decide too.
 */
function explainChange(desired: DesiredService, actual: ContainerInfo): string[] {
  const drift = containerDrift(desired.spec, actual);
  const hash = actual.labels[Label.configHash];
  if (hash === desired.configHash)
    return drift.length === 0 ? [] : [`drifted: ${drift.map((d) => d.message).join(', ')}`];
  const reasons: string[] = [];
  if (hash === undefined)
    reasons.push('container has no config hash (made by another tool or an older ksad)');
  const spec = desired.spec;
  const has = (what: string): boolean => drift.some((d) => d.what === what);
  if (has('image')) reasons.push(`image changed: ${actual.image} → ${spec.image}`);
  const env = drift.filter((d) => d.what.startsWith('environment '));
  if (env.length > 0)
    reasons.push(
      `config changed: ${env.map((d) => `environment.${d.what.slice('environment '.length)}`).join(', ')}`,
    );
  if (has('ports'))
    reasons.push(
      `ports changed: ${listOrNone(spec.ports.map(portText))} (was ${listOrNone(actual.ports.map(portText))})`,
    );
  if (has('mounts'))
    reasons.push(
      `volumes changed: ${listOrNone(spec.mounts.map(mountText))} (was ${listOrNone(actual.mounts.map(mountText))})`,
    );
  if ((actual.labels[Label.route] ?? '') !== (spec.labels[Label.route] ?? ''))
    reasons.push(
      spec.labels[Label.route] === undefined
        ? 'no longer routed by the ingress'
        : actual.labels[Label.route] === undefined
          ? 'now routed by the ingress'
          : 'ingress route changed',
    );
  if (has('network'))
    reasons.push(`network changed: ${spec.network} (was ${listOrNone(actual.networks)})`);
  const named = new Set(['image', 'ports', 'mounts', 'network']);
  for (const d of drift)
    if (!named.has(d.what) && !d.what.startsWith('environment ')) reasons.push(d.message);
  if (reasons.length === 0) {
    reasons.push(
      'config changed: command, entrypoint, healthcheck, resources, restart or other settings',
    );
  }
  return reasons;
}

/** Why a container in this state cannot be kept, or undefined when it is up. */
function explainState(actual: ContainerInfo): string | undefined {
  switch (actual.state) {
    case 'running':
      return actual.health === 'unhealthy' ? 'container unhealthy' : undefined;
    case 'exited':
      return `container stopped (exited ${actual.exitCode})`;
    case 'dead':
      return `container dead (exit code ${actual.exitCode})`;
    case 'created':
      return 'container created but never started';
    case 'paused':
      return 'container paused';
    case 'restarting':
      return `container restarting (last exit code ${actual.exitCode})`;
    case 'removing':
      return 'container being removed';
  }
}

/**
 * Compares the desired state of a release with what its host has and decides, for the network,
 * each volume and each service, whether to create, recreate, keep or remove it (Compose's
 * convergence). Pure data: nothing is touched here.
 *
 * - A service is kept when its container runs with the desired config hash; otherwise it is
 *   recreated, with the differences the engine shows as the reason, or created when missing.
 * - A service is not recreated because a dependency is: dependents reach it through its network
 *   alias, which the new container keeps, and the executor waits for `service_healthy`
 *   dependencies level by level.
 * - Containers of services the manifest no longer has are removed; their volumes are kept.
 * - Resources with ksad's names that are not ksad's are listed in `conflicts`, not touched.
 */
export function planDeploy(desired: DesiredState, actual: ActualState): Plan {
  const app = desired.app.name;
  const conflicts: string[] = [];

  const existingNetwork = actual.networks.find((n) => n.name === desired.network.name);
  let network: NetworkPlan;
  if (existingNetwork === undefined) {
    network = { name: desired.network.name, action: 'create', reason: 'network missing' };
  } else if (!ownedBy(existingNetwork.labels, app, 'network')) {
    conflicts.push(`network ${existingNetwork.name} exists but is not managed by ksad for ${app}`);
    network = {
      name: desired.network.name,
      action: 'keep',
      reason: 'exists, not managed by ksad (conflict)',
    };
  } else {
    network = { name: desired.network.name, action: 'keep', reason: 'exists' };
  }

  const volumes: VolumePlan[] = desired.volumes.map((v) => {
    const existing = actual.volumes.find((a) => a.name === v.name);
    if (existing === undefined)
      return {
        name: v.name,
        volume: v.volume,
        action: 'create',
        reason: 'volume missing',
        inUse: true,
      };
    if (!ownedBy(existing.labels, app, 'volume')) {
      conflicts.push(
        `volume ${v.name} exists but is not managed by ksad for ${app}; ksad will not mount data it does not own`,
      );
      return {
        name: v.name,
        volume: v.volume,
        action: 'keep',
        reason: 'exists, not managed by ksad (conflict)',
        inUse: true,
      };
    }
    return { name: v.name, volume: v.volume, action: 'keep', reason: 'exists', inUse: true };
  });
  const desiredVolumeNames = new Set(desired.volumes.map((v) => v.name));
  for (const v of [...actual.volumes].sort((a, b) => a.name.localeCompare(b.name))) {
    if (desiredVolumeNames.has(v.name) || !ownedBy(v.labels, app, 'volume')) continue;
    volumes.push({
      name: v.name,
      volume: v.labels[Label.volume] ?? '',
      action: 'keep',
      reason: 'no longer mounted by any service; its data is kept (plans never remove volumes)',
      inUse: false,
    });
  }

  const ours = actual.containers.filter((c) => ownedBy(c.labels, app, 'container'));
  const desiredNames = new Set(desired.services.map((s) => s.spec.name));
  for (const c of actual.containers) {
    if (!ownedBy(c.labels, app, 'container') && desiredNames.has(bareName(c.name))) {
      conflicts.push(`container ${bareName(c.name)} exists but is not managed by ksad for ${app}`);
    }
  }

  const services: ServicePlan[] = [];
  const claimed = new Set<string>();
  for (const d of desired.services) {
    const candidates = ours.filter((c) => c.labels[Label.service] === d.service);
    // Prefer the container with the expected name; a leftover with another name is a duplicate.
    const current =
      candidates.find((c) => bareName(c.name) === d.spec.name) ??
      [...candidates].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    const base = { service: d.service, container: d.spec.name, configHash: d.configHash };
    const routed = d.ingress !== undefined;
    if (current === undefined) {
      services.push({
        ...base,
        action: 'create',
        reason: 'container missing',
        switch: routed ? 'ingress' : 'start',
      });
      continue;
    }
    claimed.add(current.id);
    const reasons = explainChange(d, current);
    const stateProblem = explainState(current);
    if (stateProblem !== undefined) reasons.push(stateProblem);
    const keep = reasons.length === 0;
    // Only an old container that was itself routed can keep serving while the new one starts.
    const switchKind: SwitchKind =
      routed && current.labels[Label.upstream] !== undefined && current.state === 'running'
        ? 'ingress'
        : 'stop-start';
    services.push({
      ...base,
      containerId: current.id,
      action: keep ? 'keep' : 'recreate',
      reason: keep ? 'up to date' : reasons.join('; '),
      ...(keep ? {} : { switch: switchKind }),
    });
  }

  const desiredServices = new Set(desired.services.map((s) => s.service));
  const removals: ServicePlan[] = ours
    .filter((c) => !claimed.has(c.id))
    .map((c) => {
      const service = c.labels[Label.service] ?? '';
      return {
        service,
        container: bareName(c.name),
        containerId: c.id,
        action: 'remove' as const,
        reason: desiredServices.has(service)
          ? `another container of service ${service}`
          : service === ''
            ? 'container of this app without a service label'
            : 'service no longer in manifest',
      };
    })
    .sort((a, b) => a.service.localeCompare(b.service) || a.container.localeCompare(b.container));
  services.push(...removals);

  const summary: Record<PlanAction, number> = { create: 0, recreate: 0, keep: 0, remove: 0 };
  for (const { action } of [network, ...volumes, ...services]) summary[action] += 1;
  return {
    app,
    revision: desired.app.revision,
    network,
    volumes,
    services,
    levels: desired.levels.map((level) => [...level]),
    conflicts,
    changes: summary.create + summary.recreate + summary.remove > 0,
    summary,
  };
}
