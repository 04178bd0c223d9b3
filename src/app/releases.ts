import type { ContainerInfo, HealthState } from '../core/engine-model.js';
import { KsadError } from '../core/errors.js';
import type { ReleaseRecord, RemovalRecord } from '../core/release.js';
import { parseRouteLabel } from '../core/ingress.js';
import { Label } from '../core/labels.js';
import type { Clock } from '../ports/clock.js';
import type { DeployTarget } from '../ports/deploy-target.js';
import type { Operator, ProcessProbe } from '../ports/identity.js';
import type { Progress } from '../ports/progress.js';
import type { ReleaseStore } from '../ports/release-store.js';
import { lockRequest, withLock } from './lock.js';

export interface ServiceStatus {
  service: string;
  container: string | null;
  state: ContainerInfo['state'] | 'missing';
  health: HealthState | 'missing';
  ports: string[];
  /** Its route through the host ingress, from its container; null when it has none. */
  route: { hosts: string[]; path: string; tls: string; port: number } | null;
}

export interface ReleaseStatus {
  app: string;
  version: string;
  revision: number;
  status: ReleaseRecord['status'];
  /** healthy: every service runs (and is healthy where it has a check); degraded otherwise. */
  health: 'healthy' | 'degraded' | 'stopped';
  mou: ReleaseRecord['mou'];
  /**
   * How the manifest's signature was verified when this revision was deployed: `verified` (by
   * `signatureKeyId`) or `unsigned` (the host allowed it); an invalid one is never deployed. null
   * for records written before ksad kept it.
   */
  signature: 'verified' | 'unsigned' | null;
  signatureKeyId: string | null;
  deployedBy: string;
  deployedAt: string;
  services: ServiceStatus[];
}

/** The latest record of each app that has not been uninstalled, with its containers' live state. */
export async function releaseStatuses(
  ctx: { store: ReleaseStore; target: DeployTarget },
  app?: string,
): Promise<ReleaseStatus[]> {
  const records = await ctx.store.releases(app);
  const latest = new Map<string, ReleaseRecord>();
  for (const r of records) {
    if (r.status === 'deployed') latest.set(r.app, r);
  }
  if (app !== undefined && !latest.has(app)) {
    throw new KsadError('NOT_FOUND', `${app} is not deployed on this host`, {
      suggestions: ['list what is deployed: ksad list', `deploy it: ksad deploy ${app}`],
    });
  }
  const { containers } = await ctx.target.actual();
  return [...latest.values()].map((r) => statusOf(r, containers));
}

function statusOf(record: ReleaseRecord, containers: readonly ContainerInfo[]): ReleaseStatus {
  const services: ServiceStatus[] = Object.entries(record.services)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, s]) => {
      const c = containers.find((x) => x.name === s.containerName);
      if (!c)
        return {
          service,
          container: null,
          state: 'missing',
          health: 'missing',
          ports: [],
          route: null,
        };
      const route = parseRouteLabel(c.labels[Label.route]);
      return {
        service,
        container: c.name,
        state: c.state,
        health: c.health,
        ports: c.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.container}/${p.protocol}`),
        route: route
          ? { hosts: route.hosts, path: route.path, tls: route.tls, port: route.port }
          : null,
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
    signature:
      record.signature === undefined
        ? null
        : record.signature.status === 'verified'
          ? 'verified'
          : 'unsigned',
    signatureKeyId: record.signature?.keyId ?? null,
    deployedBy: record.deployedBy,
    deployedAt: record.deployedAt,
    services,
  };
}

export interface UninstallContext {
  store: ReleaseStore;
  target: DeployTarget;
  clock: Clock;
  operator: Operator;
  probe: ProcessProbe;
  progress: Progress;
  /**
   * Asks the operator to confirm `--purge-data` (on a terminal: type the app's name); absent off
   * a terminal, where only `--yes` confirms.
   */
  confirm?: (app: string) => Promise<boolean>;
}

export interface UninstallResult {
  app: string;
  removedContainers: string[];
  removedNetwork: boolean;
  /** Volumes kept (without --purge-data) or removed (with it). */
  volumes: { kept: string[]; removed: string[] };
  secretsRemoved: boolean;
  /** The evidence the host keeps that the app ran (shown by `history` and `audit`). */
  removal: RemovalRecord;
}

/** `--purge-data` goes ahead only when confirmed: `--yes`, or the app's name typed on a terminal. */
async function confirmPurge(ctx: UninstallContext, app: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!ctx.confirm) {
    throw new KsadError(
      'USAGE',
      `--purge-data deletes the data of ${app} for good and needs confirmation; nothing was changed`,
      { suggestions: [`confirm it: ksad uninstall ${app} --purge-data --yes`] },
    );
  }
  if (!(await ctx.confirm(app))) {
    throw new KsadError('USAGE', `${app} was not confirmed; nothing was changed`, {
      suggestions: [`type the app name (${app}) when asked, or pass --yes`],
    });
  }
}

/** The removal evidence: every revision the host recorded, earlier removals' included. */
function removalRecord(
  ctx: UninstallContext,
  app: string,
  records: readonly ReleaseRecord[],
  earlier: RemovalRecord | undefined,
  done: { command: string; purgedData: boolean; volumesRemoved: string[] },
): RemovalRecord {
  const revisions = new Map((earlier?.revisions ?? []).map((r) => [r.revision, r]));
  for (const r of records) {
    revisions.set(r.revision, {
      revision: r.revision,
      version: r.version,
      status: r.status === 'deployed' ? 'uninstalled' : r.status,
      deployedBy: r.deployedBy,
      deployedAt: r.deployedAt,
    });
  }
  return {
    app,
    removedAt: ctx.clock.now().toISOString(),
    removedBy: `${ctx.operator.user}@${ctx.operator.hostname}`,
    ...done,
    revisions: [...revisions.values()].sort((a, b) => a.revision - b.revision),
  };
}

/**
 * Stops the app's services in reverse dependency order (each level in parallel), removes its
 * containers and network, and records the uninstall. Data volumes and secrets stay unless
 * `purgeData`, so a later install finds its data again.
 */
export async function uninstallApp(
  ctx: UninstallContext,
  app: string,
  opts: { purgeData: boolean; command: string; yes?: boolean },
): Promise<UninstallResult> {
  if (opts.purgeData) await confirmPurge(ctx, app, opts.yes === true);
  return withLock(ctx.store, app, lockRequest(ctx, opts.command), async () => {
    const [records, actual, secrets, [earlier]] = await Promise.all([
      ctx.store.releases(app),
      ctx.target.actual(app),
      // Damaged secrets still belong to the app: --purge-data removes them too.
      ctx.store.secrets(app).catch(() => ({ damaged: '' })),
      ctx.store.removals(app),
    ]);
    // Data volumes or secrets alone (left by a failed first install) still belong to the app, so
    // --purge-data can remove them.
    const nothing =
      records.length === 0 &&
      actual.containers.length === 0 &&
      actual.networks.length === 0 &&
      actual.volumes.length === 0 &&
      Object.keys(secrets).length === 0;
    if (nothing) {
      throw new KsadError('NOT_FOUND', `${app} is not installed on this host`, {
        suggestions: ['see what is: ksad list'],
      });
    }
    const current = [...records].reverse().find((r) => r.status === 'deployed');
    const removed = await ctx.target.remove(
      app,
      { levels: current?.levels ?? [], purgeData: opts.purgeData },
      ctx.progress,
    );
    const removal = removalRecord(ctx, app, records, earlier, {
      command: opts.command,
      purgedData: opts.purgeData,
      volumesRemoved: opts.purgeData ? removed.volumes : [],
    });
    // The evidence is written before the records go, so a kill in between loses neither.
    await ctx.store.saveRemoval(removal);
    if (opts.purgeData) {
      await ctx.progress.step('Remove secrets and history', async () => {
        await ctx.store.deleteSecrets(app);
        await ctx.store.deleteReleases(app);
      });
    } else if (current) {
      await ctx.store.saveRelease({
        ...current,
        status: 'uninstalled',
        description: `uninstall ${current.version}`,
      });
    }
    return {
      app,
      removedContainers: removed.removedContainers,
      removedNetwork: removed.removedNetwork,
      volumes: opts.purgeData
        ? { kept: [], removed: removed.volumes }
        : { kept: removed.volumes, removed: [] },
      secretsRemoved: opts.purgeData,
      removal,
    };
  });
}
