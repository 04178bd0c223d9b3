import {
  auditHost,
  currentReleases,
  parseReleaseVolumes,
  type AuditReport,
} from '../core/audit.js';
import type { Catalog } from '../core/catalog-model.js';
import type { Clock } from '../ports/clock.js';
import type { ContainerInfo, ImageInfo } from '../core/engine-model.js';
import { KsadError } from '../core/errors.js';
import { Label } from '../core/labels.js';
import type { DockerEngine } from '../ports/docker-engine.js';
import { calendarOf } from './calendar.js';
import { HostState } from './host-state.js';

export interface AuditContext {
  engine: DockerEngine;
  catalog: Catalog;
  clock: Clock;
}

export interface AuditOptions {
  /** Audit only this app. */
  app?: string;
  /**
   * `YYYY-MM-DD`: judge MoUs on this day (`--date`). Without it, today in the host's zone.
   */
  today?: string | undefined;
  /** ISO timestamp recorded in the report; default the clock's instant. */
  generatedAt?: string;
}

/**
 * Audits the host: reads everything ksad labelled (three list calls, then an inspect per pinned
 * image and per missing container) and hands it to the pure `auditHost`. Read-only: it takes no
 * lock, so it can run while a deploy does, and changes nothing.
 *
 * @throws KsadError('NOT_FOUND') when the host has no profile, or when `app` is given and the
 *   host has neither a release nor any resource of it.
 */
export async function auditApps(ctx: AuditContext, opts: AuditOptions): Promise<AuditReport> {
  const managed = { [Label.managed]: 'true' };
  const [info, profile, containers, networks, volumes] = await Promise.all([
    ctx.engine.info(),
    new HostState(ctx.engine).requireProfile(),
    ctx.engine.listContainers(managed),
    ctx.engine.listNetworks(managed),
    ctx.engine.listVolumes(managed),
  ]);
  const calendar = calendarOf(ctx.clock, { host: profile, date: opts.today });
  const current = currentReleases(parseReleaseVolumes(volumes), opts.app);
  if (opts.app !== undefined && current.length === 0) {
    const ofApp = (labels: Readonly<Record<string, string>>): boolean =>
      labels[Label.app] === opts.app;
    const any = [...containers, ...networks, ...volumes].some((r) => ofApp(r.labels));
    if (!any) {
      throw new KsadError(
        'NOT_FOUND',
        `${opts.app} is not deployed on this host and nothing of it is left`,
        {
          suggestions: ['audit the whole host: ksad audit', 'list what is deployed: ksad list'],
        },
      );
    }
  }

  const refs = [
    ...new Set(current.flatMap((r) => Object.values(r.services).map((s) => s.image))),
  ].sort();
  const names = new Set(containers.map((c) => c.name));
  const absent = current
    .flatMap((r) => Object.values(r.services).map((s) => s.containerName))
    .filter((n) => !names.has(n));
  const [inspected, strays] = await Promise.all([
    Promise.all(refs.map(async (ref) => [ref, await ctx.engine.inspectImage(ref)] as const)),
    Promise.all(
      absent.map(async (name) => [name, await ctx.engine.inspectContainer(name)] as const),
    ),
  ]);
  const images: Record<string, ImageInfo | null> = Object.fromEntries(inspected);
  const unlabelled: Record<string, ContainerInfo> = {};
  for (const [name, c] of strays) if (c) unlabelled[name] = c;

  const report = auditHost({
    profile,
    engine: { endpoint: info.endpoint, version: info.version },
    catalog: ctx.catalog,
    volumes,
    containers,
    networks,
    unlabelled,
    images,
    today: calendar.date,
    generatedAt: opts.generatedAt ?? ctx.clock.now().toISOString(),
    ...(opts.app !== undefined ? { app: opts.app } : {}),
  });
  return { ...report, calendar };
}
