import { auditHost, currentReleases, type AuditReport } from '../core/audit/index.js';
import type { Catalog } from '../core/catalog-model.js';
import type { Clock } from '../ports/clock.js';
import { KsadError } from '../core/errors.js';
import { Label } from '../core/labels.js';
import type { DeployTarget } from '../ports/deploy-target.js';
import type { ReleaseStore } from '../ports/release-store.js';
import { calendarOf } from './calendar.js';
import type { AuditIngressInput, ServedCertificateInput } from '../core/audit/ingress-findings.js';
import type { CertificateProbe, IngressControl } from '../ports/ingress.js';

/**
 * The ingress's live routes and the certificate it serves for each host name, read as a TLS
 * client would (from the host, on its HTTPS port). Certificates are judged at the clock's
 * instant, or at the start of `--date`.
 */
async function ingressInput(
  ctx: AuditContext,
  today: string | undefined,
): Promise<AuditIngressInput | null | undefined> {
  if (!ctx.ingress) return undefined;
  const state = await ctx.ingress.state();
  if (state?.state !== 'running') return null;
  const address = state.bindAddress === '0.0.0.0' ? '127.0.0.1' : state.bindAddress;
  const hosts = [
    ...new Set(state.routes.filter((l) => l.route.tls !== 'none').flatMap((l) => l.route.hosts)),
  ];
  const certificates: Record<string, ServedCertificateInput | null> = {};
  await Promise.all(
    hosts.map(async (host) => {
      const served = ctx.certificates
        ? await ctx.certificates.served(address, state.httpsPort, host)
        : null;
      certificates[host] = served ? { host, ...served } : null;
    }),
  );
  const now = today !== undefined ? new Date(`${today}T00:00:00Z`) : ctx.clock.now();
  return { routes: state.routes, certificates, now };
}

export interface AuditContext {
  store: ReleaseStore;
  target: DeployTarget;
  catalog: Catalog;
  clock: Clock;
  /** The host ingress and a TLS client to read its certificates; without them routes go unchecked. */
  ingress?: IngressControl;
  certificates?: CertificateProbe;
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
 * Audits the host: reads everything the release store holds and everything the target runs with
 * ksad's labels, then an inspect per pinned image and per missing container, and hands it to the
 * pure `auditHost`. Read-only: it takes no lock, so it can run while a deploy does, and changes
 * nothing.
 *
 * @throws KsadError('NOT_FOUND') when the host has no profile, or when `app` is given and the
 *   host has neither a release nor any resource of it.
 */
export async function auditApps(ctx: AuditContext, opts: AuditOptions): Promise<AuditReport> {
  const [info, profile, stored, inventory, removals] = await Promise.all([
    ctx.target.facts(),
    ctx.store.requireProfile(),
    ctx.store.snapshot(),
    ctx.target.inventory(),
    ctx.store.removals(opts.app),
  ]);
  const calendar = calendarOf(ctx.clock, { host: profile, date: opts.today });
  const current = currentReleases(stored.records, opts.app);
  if (opts.app !== undefined && current.length === 0) {
    const ofApp = (labels: Readonly<Record<string, string>>): boolean =>
      labels[Label.app] === opts.app;
    const { containers, networks, volumes } = inventory;
    const any =
      [...containers, ...networks, ...volumes].some((r) => ofApp(r.labels)) ||
      stored.records.some((r) => ('record' in r ? r.record.app : r.app) === opts.app) ||
      stored.secrets.some((s) => s.app === opts.app) ||
      removals.length > 0;
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
  const present = new Set(inventory.containers.map((c) => c.name));
  const absent = current
    .flatMap((r) => Object.values(r.services).map((s) => s.containerName))
    .filter((n) => !present.has(n));
  // An image loaded from a bundle has no registry digest: the engine knows it by its config digest.
  const loadedAs = new Map(current.flatMap((r) => Object.entries(r.catalog.bundle?.images ?? {})));
  const [byRef, unlabelled, byId] = await Promise.all([
    ctx.target.images(refs),
    ctx.target.unlabelled(absent),
    ctx.target.images([...new Set(loadedAs.values())]),
  ]);
  const images = { ...byRef };
  for (const [ref, id] of loadedAs) if (images[ref] == null) images[ref] = byId[id] ?? null;

  const report = auditHost({
    ingress: await ingressInput(ctx, opts.today),
    profile,
    serviceName: ctx.target.serviceName,
    engine: { endpoint: info.endpoint, version: info.version },
    catalog: ctx.catalog,
    records: stored.records,
    secrets: stored.secrets,
    locks: stored.locks,
    ...inventory,
    unlabelled,
    images,
    today: calendar.date,
    generatedAt: opts.generatedAt ?? ctx.clock.now().toISOString(),
    ...(opts.app !== undefined ? { app: opts.app } : {}),
  });
  const running = new Set(currentReleases(stored.records).map((r) => r.app));
  return { ...report, calendar, removed: removals.filter((r) => !running.has(r.app)) };
}
