import type { ContainerInfo, HealthState } from '../core/engine-model.js';
import { KsadError } from '../core/errors.js';
import { Label } from '../core/labels.js';
import type { ReleaseRecord } from '../core/release.js';
import type { Clock } from '../ports/clock.js';
import type { DockerEngine } from '../ports/docker-engine.js';
import type { Operator, ProcessProbe } from '../ports/identity.js';
import type { Progress } from '../ports/progress.js';
import { HostState } from './host-state.js';
import { actualState } from './prepare.js';

export interface ServiceStatus {
  service: string;
  container: string | null;
  state: ContainerInfo['state'] | 'missing';
  health: HealthState | 'missing';
  ports: string[];
}

export interface ReleaseStatus {
  app: string;
  version: string;
  revision: number;
  status: ReleaseRecord['status'];
  /** healthy: every service runs (and is healthy where it has a check); degraded otherwise. */
  health: 'healthy' | 'degraded' | 'stopped';
  mou: ReleaseRecord['mou'];
  deployedBy: string;
  deployedAt: string;
  services: ServiceStatus[];
}

/** The latest record of each app that has not been uninstalled, with its containers' live state. */
export async function releaseStatuses(
  engine: DockerEngine,
  app?: string,
): Promise<ReleaseStatus[]> {
  const state = new HostState(engine);
  const records = await state.releases(app);
  const latest = new Map<string, ReleaseRecord>();
  for (const r of records) {
    if (r.status === 'deployed') latest.set(r.app, r);
  }
  if (app !== undefined && !latest.has(app)) {
    throw new KsadError('NOT_FOUND', `${app} is not deployed on this host`, {
      suggestions: ['list what is deployed: ksad list', `deploy it: ksad deploy ${app}`],
    });
  }
  const containers = await engine.listContainers({
    [Label.managed]: 'true',
    [Label.kind]: 'container',
  });
  return [...latest.values()].map((r) => statusOf(r, containers));
}

function statusOf(record: ReleaseRecord, containers: readonly ContainerInfo[]): ReleaseStatus {
  const services: ServiceStatus[] = Object.entries(record.services)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, s]) => {
      const c = containers.find((x) => x.name === s.containerName);
      if (!c) return { service, container: null, state: 'missing', health: 'missing', ports: [] };
      return {
        service,
        container: c.name,
        state: c.state,
        health: c.health,
        ports: c.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.container}/${p.protocol}`),
      };
    });
  const up = services.filter(
    (s) => s.state === 'running' && (s.health === 'none' || s.health === 'healthy'),
  );
  const health =
    up.length === services.length
      ? 'healthy'
      : services.every((s) => s.state !== 'running')
        ? 'stopped'
        : 'degraded';
  return {
    app: record.app,
    version: record.version,
    revision: record.revision,
    status: record.status,
    health,
    mou: record.mou,
    deployedBy: record.deployedBy,
    deployedAt: record.deployedAt,
    services,
  };
}

export interface UninstallContext {
  engine: DockerEngine;
  clock: Clock;
  operator: Operator;
  probe: ProcessProbe;
  progress: Progress;
}

export interface UninstallResult {
  app: string;
  removedContainers: string[];
  removedNetwork: boolean;
  /** Volumes kept (without --purge-data) or removed (with it). */
  volumes: { kept: string[]; removed: string[] };
  secretsRemoved: boolean;
}

/**
 * Stops the app's services in reverse dependency order (each level in parallel), removes its
 * containers and network, and records the uninstall. Data volumes and secrets stay unless
 * `purgeData`, so a later install finds its data again.
 */
export async function uninstallApp(
  ctx: UninstallContext,
  app: string,
  opts: { purgeData: boolean; command: string },
): Promise<UninstallResult> {
  const state = new HostState(ctx.engine);
  const release = await state.lock(app, ctx.operator, opts.command, ctx.probe, ctx.clock.now());
  try {
    const records = await state.releases(app);
    const actual = await actualState(ctx.engine, app);
    // Data volumes or secrets alone (left by a failed first install) still belong to the app, so
    // --purge-data can remove them.
    const hasSecrets = Object.keys(await state.secrets(app)).length > 0;
    if (
      records.length === 0 &&
      actual.containers.length === 0 &&
      actual.networks.length === 0 &&
      actual.volumes.length === 0 &&
      !hasSecrets
    ) {
      throw new KsadError('NOT_FOUND', `${app} is not installed on this host`, {
        suggestions: ['see what is: ksad list'],
      });
    }
    const current = [...records].reverse().find((r) => r.status === 'deployed');
    const levels = current?.levels ?? [];
    const byService = new Map<string, ContainerInfo[]>();
    for (const c of actual.containers) {
      const service = c.labels[Label.service] ?? '';
      byService.set(service, [...(byService.get(service) ?? []), c]);
    }
    const ordered = [...levels]
      .reverse()
      .map((level) => level.flatMap((s) => byService.get(s) ?? []));
    const inLevels = new Set(levels.flat());
    ordered.unshift(actual.containers.filter((c) => !inLevels.has(c.labels[Label.service] ?? '')));
    const removed: string[] = [];
    await ctx.progress.step(
      `Stop and remove ${actual.containers.length} container(s)`,
      async (detail) => {
        for (const group of ordered) {
          if (group.length === 0) continue;
          detail(group.map((c) => c.name).join(', '));
          await Promise.all(
            group.map(async (c) => {
              if (c.state === 'running' || c.state === 'restarting')
                await ctx.engine.stopContainer(c.id, 10);
              await ctx.engine.removeContainer(c.id, { force: true });
              removed.push(c.name);
            }),
          );
        }
      },
    );
    const removedNetwork = actual.networks.length > 0;
    await Promise.all(actual.networks.map((n) => ctx.engine.removeNetwork(n.id)));
    const volumeNames = actual.volumes.map((v) => v.name).sort();
    if (opts.purgeData) {
      await ctx.progress.step('Remove data volumes, secrets and history', async () => {
        await Promise.all(volumeNames.map((v) => ctx.engine.removeVolume(v)));
        await state.deleteSecrets(app);
        await state.deleteReleases(app);
      });
    } else if (current) {
      await state.saveRelease({
        ...current,
        status: 'uninstalled',
        description: `uninstall ${current.version}`,
      });
    }
    return {
      app,
      removedContainers: removed.sort(),
      removedNetwork,
      volumes: opts.purgeData
        ? { kept: [], removed: volumeNames }
        : { kept: volumeNames, removed: [] },
      secretsRemoved: opts.purgeData,
    };
  } finally {
    await release();
  }
}
