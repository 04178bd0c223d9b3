import { settingsDrift } from './container-drift.js';
import semver from 'semver';
import type { Calendar } from './calendar.js';
import type { Catalog, LoadedManifest, LoadedMou } from './catalog-model.js';
import type {
  ContainerInfo,
  ImageInfo,
  NetworkInfo,
  PublishedPort,
  VolumeInfo,
  VolumeMount,
} from './engine-model.js';
import { isKsadError } from './errors.js';
import type { StoredLock, StoredRecord, StoredSecrets } from './host-records.js';
import { Label, names, PARKED_SUFFIX } from './labels.js';
import { coverage, daysBetween, mouStatus, regionAndParents, type MouStatus } from './mou-rules.js';
import type { HostProfile, ReleaseRecord, RemovalRecord } from './release.js';
import { buildDesiredState, type DesiredState } from './service-specs.js';
import {
  auditRoutes,
  type AuditIngressInput,
  type AuditRoute,
  type IngressFinding,
} from './audit-ingress.js';
import { parseRouteLabel, resolveRoute } from './ingress.js';

/*
 * `ksad audit`: evidence about a host, read from the host alone (release records, containers,
 * networks, volumes, images) and compared with the catalog as it is today. Pure: every input,
 * the date included, comes in as a value.
 */

/** Version of the JSON shape below; bumped only when a field changes meaning or goes away. */
export const AUDIT_SCHEMA_VERSION = 1;

export type FindingCategory = 'mou' | 'drift' | 'integrity' | 'outdated' | 'orphan' | 'ingress';
export const FINDING_CATEGORIES: readonly FindingCategory[] = [
  'mou',
  'drift',
  'integrity',
  'outdated',
  'orphan',
  'ingress',
];

/** `error` and `warning` need someone to act (`--strict` fails on them); `info` is context. */
export type FindingSeverity = 'error' | 'warning' | 'info';
export const FINDING_SEVERITIES: readonly FindingSeverity[] = ['error', 'warning', 'info'];

export type FindingCode =
  // mou
  | 'mou-expired'
  | 'mou-not-yet-valid'
  | 'mou-expiring'
  | 'mou-missing'
  | 'mou-no-longer-covers'
  | 'mou-overridden'
  | 'mou-changed'
  // drift
  | 'container-missing'
  | 'container-stopped'
  | 'container-stopped-by-operator'
  | 'container-unhealthy'
  | 'container-modified'
  | 'network-missing'
  | 'volume-missing'
  | 'secrets-missing'
  | 'drift-unverified'
  // integrity
  | 'manifest-missing'
  | 'manifest-changed'
  | 'manifest-moved'
  | 'image-not-in-manifest'
  | 'image-digest-mismatch'
  | 'image-unverified'
  | 'record-damaged'
  | 'history-gap'
  // outdated
  | 'newer-version'
  | 'newer-version-uncovered'
  // orphan
  | 'orphan-container'
  | 'orphan-network'
  | 'orphan-volume'
  | 'orphan-secrets'
  | 'kept-data'
  | 'unused-volume'
  | 'lock-held'
  // ingress
  | IngressFinding['code'];

/**
 * One thing an auditor should know. Never carries a secret or an environment value: environment
 * variables are named, not shown.
 */
export interface AuditFinding {
  /** The app the finding is about; '' for a resource without an app label. */
  app: string;
  /** Deployed version, '' when the app has no deployed release. */
  version: string;
  /** Deployed revision, null when the app has no deployed release. */
  revision: number | null;
  category: FindingCategory;
  severity: FindingSeverity;
  /** Stable machine-readable kind, e.g. `container-stopped`. */
  code: FindingCode;
  /** What it is about: `service web (ksad-app-web)`, `volume ksad-app-data`, `MoU 119/…`. */
  subject: string;
  message: string;
}

/** Where the release's MoU stands today, judged against the current catalog. */
export type AuditMouStatus = MouStatus | 'missing-from-catalog' | 'overridden';

export interface AuditMou {
  kind: 'mou' | 'override';
  status: AuditMouStatus;
  /** MoU number and catalog slug (null for an override). */
  number: string | null;
  slug: string | null;
  /** validUntil from the catalog, or as recorded when the MoU is gone from the catalog. */
  validUntil: string | null;
  /** Days from the audit date to validUntil (negative once expired). */
  daysLeft: number | null;
  /** Whether the MoU (still) grants this app version to the host's region; null when unknown. */
  covers: boolean | null;
  /** The reason recorded with an override. */
  reason: string | null;
}

export type ServiceDrift = 'in-sync' | 'missing' | 'stopped' | 'modified' | 'unhealthy';

export interface AuditService {
  service: string;
  container: string;
  /** The container's state, or `missing`. */
  state: ContainerInfo['state'] | 'missing';
  health: ContainerInfo['health'] | 'missing';
  /** Image reference pinned by the release. */
  image: string;
  drift: ServiceDrift;
  /** What differs, by field and variable name only: `environment DB_HOST`, `image`, `ports`. */
  differences: string[];
}

export interface AuditApp {
  app: string;
  publisher: string;
  version: string;
  revision: number;
  description: string;
  deployedBy: string;
  deployedAt: string;
  /** Catalog the release was deployed from, as recorded. */
  catalog: { name: string; commit: string | null };
  manifest: {
    file: string;
    digest: string;
    /** present: the catalog holds a manifest with this digest; changed: the file now has another digest; missing: neither. */
    status: 'present' | 'changed' | 'missing';
  };
  mou: AuditMou;
  services: AuditService[];
  /** Its routes through the host ingress, with the certificates served for them. */
  routes: AuditRoute[];
  /** Overall drift: in-sync only when every service is. */
  drift: 'in-sync' | 'drifted' | 'unverified';
  updates: {
    /** Newest version above the deployed one that an active MoU grants to the host's region. */
    latestCovered: string | null;
    /** semver.diff between deployed and latestCovered. */
    change: 'major' | 'minor' | 'patch' | 'prerelease' | null;
    /** Newest version above the deployed one in the catalog, granted or not. */
    newestInCatalog: string | null;
  };
  findings: AuditFinding[];
}

export interface AuditSummary {
  apps: number;
  findings: number;
  /** Findings with severity error or warning: what `--strict` fails on. */
  actionable: number;
  bySeverity: Record<FindingSeverity, number>;
  byCategory: Record<FindingCategory, number>;
}

/**
 * The JSON `ksad audit --format json` (and `--json`) prints. Stable: fields are only added.
 *
 * ```
 * {
 *   schemaVersion: 1,
 *   generatedAt: "2026-03-01T02:03:04.000Z",   // when the report was made (ISO, UTC)
 *   asOf: "2026-03-01",                          // the date MoUs are judged on (--date)
 *   calendar: { date, zone, utcOffset, source: host, fixed },  // asOf's zone (ksad audit adds it)
 *   host: { name, region: { code, name }, engine: { endpoint, version } },
 *   catalog: { name, commit: string|null },      // the catalog audited against
 *   scope: string|null,                          // the APP argument
 *   summary: { apps, findings, actionable, bySeverity: {error,warning,info},
 *              byCategory: {mou,drift,integrity,outdated,orphan} },
 *   apps: [{
 *     app, publisher, version, revision, description, deployedBy, deployedAt,
 *     catalog: { name, commit },                 // as recorded at deploy time
 *     manifest: { file, digest, status: present|changed|missing },
 *     mou: { kind: mou|override, status: active|expiring|expired|not-yet-valid|missing-from-catalog|overridden,
 *            number, slug, validUntil, daysLeft, covers, reason },
 *     services: [{ service, container, state, health, image, drift: in-sync|missing|stopped|modified|unhealthy,
 *                  differences: ["environment DB_HOST", "image", …] }],
 *     drift: in-sync|drifted|unverified,
 *     updates: { latestCovered, change: major|minor|patch|prerelease|null, newestInCatalog },
 *     findings: [Finding]
 *   }],
 *   hostFindings: [Finding]                      // resources that belong to no deployed app
 * }
 * Finding = { app, version, revision, category: mou|drift|integrity|outdated|orphan,
 *             severity: error|warning|info, code, subject, message }
 * ```
 * No field ever holds a secret or an environment variable's value.
 */
export interface AuditReport {
  schemaVersion: typeof AUDIT_SCHEMA_VERSION;
  generatedAt: string;
  asOf: string;
  /** The zone `asOf` was taken in (the host's); added by the use-case that read the profile. */
  calendar?: Calendar;
  host: {
    name: string;
    region: { code: string; name: string };
    engine: { endpoint: string; version: string };
  };
  catalog: { name: string; commit: string | null };
  scope: string | null;
  summary: AuditSummary;
  apps: AuditApp[];
  hostFindings: AuditFinding[];
  /**
   * Apps uninstalled from the host that do not run now, with the evidence it keeps of them;
   * added by the use-case that read the store.
   */
  removed?: RemovalRecord[];
}

/** A stored release record, parsed; damaged ones are findings, not failures. */
export type RecordEntry = StoredRecord;

/** Everything the audit reads from the host and the catalog. */
export interface AuditInput {
  profile: HostProfile;
  /** The target's name for a service (default: a Docker host's `ksad-<app>-<service>`). */
  serviceName?: (app: string, service: string) => string;
  engine: { endpoint: string; version: string };
  catalog: Catalog;
  /** The release store's records, secrets and locks, as read (damaged ones included). */
  records: readonly StoredRecord[];
  secrets: readonly StoredSecrets[];
  locks: readonly StoredLock[];
  /** Every volume labelled `id.ksad.managed=true` that is not the release store's own. */
  volumes: readonly VolumeInfo[];
  /** Every container labelled `id.ksad.managed=true` that is not the release store's own. */
  containers: readonly ContainerInfo[];
  /** Every network labelled `id.ksad.managed=true`. */
  networks: readonly NetworkInfo[];
  /**
   * Containers found by a release's container name that are missing from `containers` (they
   * exist but lost ksad's labels), by name.
   */
  unlabelled: Readonly<Record<string, ContainerInfo>>;
  /** `inspectImage` of every image reference pinned by an audited release (null: not on the host). */
  images: Readonly<Record<string, ImageInfo | null>>;
  /** `YYYY-MM-DD`: the day MoUs are judged on. */
  today: string;
  /** ISO timestamp of the audit. */
  generatedAt: string;
  /** Audit only this app. */
  app?: string;
  /** The host ingress (routes and served certificates); null when there is none, absent: not checked. */
  ingress?: AuditIngressInput | null | undefined;
}

/** The running (latest `deployed`) record of each app, optionally of one app only. */
export function currentReleases(entries: readonly RecordEntry[], app?: string): ReleaseRecord[] {
  const latest = new Map<string, ReleaseRecord>();
  for (const e of entries) {
    if (!('record' in e) || e.record.status !== 'deployed') continue;
    if (app !== undefined && e.record.app !== app) continue;
    const seen = latest.get(e.record.app);
    if (!seen || seen.revision < e.record.revision) latest.set(e.record.app, e.record);
  }
  return [...latest.values()].sort((a, b) => a.app.localeCompare(b.app));
}

/**
 * Audits a host: for each deployed app (or only `input.app`) its MoU, drift, integrity and
 * available updates; plus resources carrying ksad's labels that belong to no release.
 *
 * Drift is judged against the container spec rebuilt from the manifest (found in the catalog by
 * the recorded digest), the recorded configuration and the host's stored secrets, because a
 * container recreated by hand keeps ksad's labels, config hash included. When the rebuilt spec
 * does not hash to the recorded one (a release recorded before service overrides were, or a secret is
 * not stored), image, ports, mounts and network are still compared, the environment is not, and
 * an `info` finding says so.
 */
export function auditHost(input: AuditInput): AuditReport {
  const entries = input.records;
  const current = currentReleases(entries, input.app);
  const deployed = new Map(current.map((r) => [r.app, r]));
  const inScope = (app: string): boolean => input.app === undefined || app === input.app;
  const secretsByApp = new Map(input.secrets.map((s) => [s.app, s.values]));
  const apps = current.map((r) => auditApp(input, r, secretsByApp.get(r.app)));
  const byApp = new Map(apps.map((a) => [a.app, a]));
  const hostFindings: AuditFinding[] = [];
  const add = (f: AuditFinding): void => {
    const target = byApp.get(f.app);
    if (target) target.findings.push(f);
    else hostFindings.push(f);
  };

  for (const e of entries) {
    if ('damaged' in e && inScope(e.app)) {
      add(
        finding(
          deployed.get(e.app) ?? e.app,
          'integrity',
          'error',
          'record-damaged',
          e.where,
          `the release record on ${e.where} is damaged or was edited by hand`,
        ),
      );
    }
  }
  for (const f of orphanFindings(input, entries, deployed)) {
    if (inScope(f.app)) add(f);
  }
  for (const f of historyGaps(entries, input.profile.policy.historyLimit, deployed)) {
    if (inScope(f.app)) add(f);
  }

  for (const a of apps) a.findings.sort(byFindingOrder);
  hostFindings.sort(byFindingOrder);
  const all = [...apps.flatMap((a) => a.findings), ...hostFindings];
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    generatedAt: input.generatedAt,
    asOf: input.today,
    host: {
      name: input.profile.name,
      region: { ...input.profile.region },
      engine: { ...input.engine },
    },
    catalog: { name: input.catalog.name, commit: input.catalog.commit ?? null },
    scope: input.app ?? null,
    summary: summarize(apps.length, all),
    apps,
    hostFindings,
  };
}

function summarize(apps: number, findings: readonly AuditFinding[]): AuditSummary {
  const bySeverity: Record<FindingSeverity, number> = { error: 0, warning: 0, info: 0 };
  const byCategory: Record<FindingCategory, number> = {
    mou: 0,
    drift: 0,
    integrity: 0,
    outdated: 0,
    orphan: 0,
    ingress: 0,
  };
  for (const f of findings) {
    bySeverity[f.severity] += 1;
    byCategory[f.category] += 1;
  }
  return {
    apps,
    findings: findings.length,
    actionable: bySeverity.error + bySeverity.warning,
    bySeverity,
    byCategory,
  };
}

const SEVERITY_ORDER: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };

function byFindingOrder(a: AuditFinding, b: AuditFinding): number {
  return (
    a.app.localeCompare(b.app) ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    FINDING_CATEGORIES.indexOf(a.category) - FINDING_CATEGORIES.indexOf(b.category) ||
    a.subject.localeCompare(b.subject) ||
    a.message.localeCompare(b.message)
  );
}

function finding(
  about: ReleaseRecord | string,
  category: FindingCategory,
  severity: FindingSeverity,
  code: FindingCode,
  subject: string,
  message: string,
): AuditFinding {
  const base =
    typeof about === 'string'
      ? { app: about, version: '', revision: null }
      : { app: about.app, version: about.version, revision: about.revision };
  return { ...base, category, severity, code, subject, message };
}

// ---------------------------------------------------------------------------------------------
// One deployed app

function auditApp(
  input: AuditInput,
  record: ReleaseRecord,
  storedSecrets: Record<string, string> | null | undefined,
): AuditApp {
  const findings: AuditFinding[] = [];
  const add = (
    category: FindingCategory,
    severity: FindingSeverity,
    code: FindingCode,
    subject: string,
    message: string,
  ): void => {
    findings.push(finding(record, category, severity, code, subject, message));
  };

  const { loaded, status: manifestStatus } = findManifest(input.catalog, record, add);
  const mou = auditMou(input, record, loaded, add);
  const rebuilt = rebuild(input, record, loaded, storedSecrets, add);
  const services = auditServices(input, record, loaded, rebuilt, add);
  const updates = auditUpdates(input, record, add);
  const routed = auditRoutes(record.app, input.containers, input.ingress);
  for (const f of routed.findings) add('ingress', f.severity, f.code, f.subject, f.message);
  const drifted =
    services.some((s) => s.drift !== 'in-sync') ||
    findings.some((f) => f.category === 'drift' && f.severity !== 'info');
  const unverified = findings.some((f) => f.code === 'drift-unverified');

  return {
    app: record.app,
    publisher: record.publisher,
    version: record.version,
    revision: record.revision,
    description: record.description,
    deployedBy: record.deployedBy,
    deployedAt: record.deployedAt,
    catalog: { name: record.catalog.name, commit: record.catalog.commit ?? null },
    manifest: { file: record.manifestFile, digest: record.manifestDigest, status: manifestStatus },
    mou,
    services,
    routes: routed.routes,
    drift: drifted ? 'drifted' : unverified ? 'unverified' : 'in-sync',
    updates,
    findings,
  };
}

type Add = (
  category: FindingCategory,
  severity: FindingSeverity,
  code: FindingCode,
  subject: string,
  message: string,
) => void;

function findManifest(
  catalog: Catalog,
  record: ReleaseRecord,
  add: Add,
): { loaded: LoadedManifest | undefined; status: AuditApp['manifest']['status'] } {
  const subject = `manifest ${record.manifestFile}`;
  const byDigest = catalog.manifests.find((m) => m.digest === record.manifestDigest);
  const atFile = catalog.manifests.find((m) => m.file === record.manifestFile);
  if (byDigest) {
    const { name, publisher, version } = byDigest.manifest;
    if (name !== record.app || publisher !== record.publisher || version !== record.version) {
      add(
        'integrity',
        'error',
        'manifest-changed',
        subject,
        `the manifest with the recorded digest describes ${publisher}/${name}@${version}, not ${record.publisher}/${record.app}@${record.version}`,
      );
    } else if (byDigest.file !== record.manifestFile) {
      add(
        'integrity',
        'info',
        'manifest-moved',
        subject,
        `manifest moved in catalog: now at ${byDigest.file} (same digest)`,
      );
    }
    return { loaded: byDigest, status: 'present' };
  }
  if (atFile) {
    add(
      'integrity',
      'error',
      'manifest-changed',
      subject,
      `manifest changed in catalog: ${atFile.file} now has digest ${atFile.digest}; the release was deployed from ${record.manifestDigest}`,
    );
    return { loaded: undefined, status: 'changed' };
  }
  add(
    'integrity',
    'error',
    'manifest-missing',
    subject,
    `manifest ${record.manifestDigest} (${record.manifestFile}) is not in catalog "${catalog.name}" (deployed from catalog "${record.catalog.name}")`,
  );
  return { loaded: undefined, status: 'missing' };
}

/** Does `mou` grant `app@version` of `publisherCode` to `region` (or a coarser code above it)? */
function grants(
  mou: LoadedMou['mou'],
  publisherCode: string,
  app: string,
  version: string,
  region: string,
): string | null {
  if (mou.grantor !== publisherCode)
    return `its grantor is ${mou.grantor}, not the publisher's region ${publisherCode}`;
  const regions = new Set(regionAndParents(region));
  if (!mou.grantees.some((g) => regions.has(g)))
    return `it no longer lists region ${region} as a grantee`;
  const entry = mou.apps.find((a) => a.name === app);
  if (!entry) return `it no longer lists ${app}`;
  if (
    entry.versions !== undefined &&
    !semver.satisfies(version, entry.versions, { includePrerelease: true })
  ) {
    return `it covers versions ${entry.versions} only, not ${version}`;
  }
  return null;
}

function auditMou(
  input: AuditInput,
  record: ReleaseRecord,
  loaded: LoadedManifest | undefined,
  add: Add,
): AuditMou {
  const region = input.profile.region;
  if (record.mou.kind === 'override') {
    const nowCovering = loaded
      ? coverage(input.catalog, loaded, region.code, input.today).covering[0]
      : undefined;
    add(
      'mou',
      'warning',
      'mou-overridden',
      'MoU',
      `deployed without an MoU (overridden; reason: "${record.mou.reason}")${nowCovering ? `; MoU ${nowCovering.mou.number} now grants it` : ''}`,
    );
    return {
      kind: 'override',
      status: 'overridden',
      number: null,
      slug: null,
      validUntil: null,
      daysLeft: null,
      covers: null,
      reason: record.mou.reason,
    };
  }
  const rec = record.mou;
  const subject = `MoU ${rec.number}`;
  const found =
    input.catalog.mous.find((m) => m.slug === rec.slug) ??
    input.catalog.mous.find((m) => m.mou.number === rec.number);
  if (!found) {
    add(
      'mou',
      'error',
      'mou-missing',
      subject,
      `MoU ${rec.number} (${rec.slug}) is missing from catalog "${input.catalog.name}"; recorded valid until ${rec.validUntil}`,
    );
    return {
      kind: 'mou',
      status: 'missing-from-catalog',
      number: rec.number,
      slug: rec.slug,
      validUntil: rec.validUntil,
      daysLeft: daysBetween(input.today, rec.validUntil),
      covers: null,
      reason: null,
    };
  }
  const { mou } = found;
  const status = mouStatus(mou, input.today);
  const daysLeft = daysBetween(input.today, mou.validUntil);
  if (mou.validUntil !== rec.validUntil) {
    add(
      'mou',
      'info',
      'mou-changed',
      subject,
      `MoU validity changed in catalog: valid until ${mou.validUntil} (recorded at deploy: ${rec.validUntil})`,
    );
  }
  if (status === 'expired') {
    add(
      'mou',
      'error',
      'mou-expired',
      subject,
      `MoU ${mou.number} expired on ${mou.validUntil} (${-daysLeft} days ago)`,
    );
  } else if (status === 'not-yet-valid') {
    add(
      'mou',
      'error',
      'mou-not-yet-valid',
      subject,
      `MoU ${mou.number} is not valid until ${mou.validFrom}`,
    );
  } else if (status === 'expiring') {
    add(
      'mou',
      'warning',
      'mou-expiring',
      subject,
      `MoU ${mou.number} expires on ${mou.validUntil} (in ${daysLeft} days); start the renewal`,
    );
  }
  const publisher = input.catalog.members.find((m) => m.slug === record.publisher);
  let covers: boolean | null = null;
  if (publisher) {
    const why = grants(mou, publisher.member.code, record.app, record.version, region.code);
    covers = why === null;
    if (why !== null) {
      add(
        'mou',
        'error',
        'mou-no-longer-covers',
        subject,
        `MoU ${mou.number} no longer grants ${record.app}@${record.version} to ${region.name} (${region.code}): ${why}`,
      );
    }
  }
  return {
    kind: 'mou',
    status,
    number: mou.number,
    slug: found.slug,
    validUntil: mou.validUntil,
    daysLeft,
    covers,
    reason: null,
  };
}

/** The route a record's overlay gave, with the certificate its container carries. */
function recordedRoute(
  input: AuditInput,
  record: ReleaseRecord,
  loaded: LoadedManifest,
): { route?: NonNullable<ReturnType<typeof resolveRoute>['route']> } {
  if (record.ingress === undefined) return {};
  const certificate = input.containers
    .filter((c) => c.labels[Label.app] === record.app)
    .map((c) => parseRouteLabel(c.labels[Label.route])?.certificate)
    .find((c) => c !== undefined);
  const { route } = resolveRoute(loaded.manifest, record.ingress, new Map(), certificate);
  return route !== undefined ? { route } : {};
}

interface Rebuilt {
  desired: DesiredState;
  /** Services whose rebuilt config hash equals the recorded one: their environment is comparable. */
  verified: Set<string>;
}

function rebuild(
  input: AuditInput,
  record: ReleaseRecord,
  loaded: LoadedManifest | undefined,
  stored: Record<string, string> | null | undefined,
  add: Add,
): Rebuilt | undefined {
  const secrets = stored ?? {};
  if (stored === null) {
    add(
      'integrity',
      'error',
      'record-damaged',
      `secrets of ${record.app}`,
      `the secrets record of ${record.app} is damaged or was edited by hand; its values cannot be read`,
    );
  }
  const missing = record.secretNames.filter((n) => !Object.hasOwn(secrets, n) || secrets[n] === '');
  if (missing.length > 0) {
    add(
      'drift',
      'info',
      'secrets-missing',
      `secrets of ${record.app}`,
      `secret${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not stored on the host; the next deploy must supply ${missing.length === 1 ? 'it' : 'them'}`,
    );
  }
  if (!loaded) {
    add(
      'drift',
      'info',
      'drift-unverified',
      'configuration',
      'the manifest is not in the catalog, so only container state, image and labels were compared',
    );
    return undefined;
  }
  // A placeholder stands in for a secret that is not stored: the spec still builds, its hash will
  // not match, and the environment is then not compared.
  const withPlaceholders: Record<string, string> = { ...secrets };
  for (const n of missing) withPlaceholders[n] = '\u0000missing';
  let desired: DesiredState;
  try {
    desired = buildDesiredState({
      manifest: loaded.manifest,
      manifestDigest: loaded.digest,
      config: record.config,
      secrets: withPlaceholders,
      region: input.profile.region,
      revision: record.revision,
      bindAddress: input.profile.policy.bindAddress,
      ...(input.serviceName === undefined ? {} : { serviceName: input.serviceName }),
      ...(record.serviceOverrides === undefined
        ? {}
        : { serviceOverrides: record.serviceOverrides }),
      ...recordedRoute(input, record, loaded),
    });
  } catch (error) {
    if (!isKsadError(error)) throw error;
    add(
      'drift',
      'info',
      'drift-unverified',
      'configuration',
      `the release's container specs cannot be rebuilt from the catalog (${error.message}); only container state, image and labels were compared`,
    );
    return undefined;
  }
  const verified = new Set<string>();
  const unverified: string[] = [];
  for (const s of desired.services) {
    if (record.services[s.service]?.configHash === s.configHash) verified.add(s.service);
    else if (record.services[s.service] !== undefined) unverified.push(s.service);
  }
  if (unverified.length > 0) {
    add(
      'drift',
      'info',
      'drift-unverified',
      `service ${unverified.join(', ')}`,
      'the environment was not compared: the recorded configuration does not rebuild the recorded spec (a release recorded before ksad kept service overrides, a secret is not stored, or the host profile changed)',
    );
  }
  return { desired, verified };
}

function portText(p: PublishedPort): string {
  return `${p.hostIp}:${p.hostPort}->${p.container}/${p.protocol}`;
}

function mountText(m: VolumeMount): string {
  return `${m.volume}:${m.target}${m.readOnly ? ':ro' : ''}`;
}

function setText(items: readonly string[]): string {
  return items.length === 0 ? 'none' : [...new Set(items)].sort().join(', ');
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return setText(a) === setText(b);
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function auditServices(
  input: AuditInput,
  record: ReleaseRecord,
  loaded: LoadedManifest | undefined,
  rebuilt: Rebuilt | undefined,
  add: Add,
): AuditService[] {
  const app = record.app;
  const out: AuditService[] = [];
  const network = names.network(app);
  const hasNetwork = input.networks.some(
    (n) => n.name === network && n.labels[Label.kind] === 'network' && n.labels[Label.app] === app,
  );
  if (!hasNetwork)
    add(
      'drift',
      'error',
      'network-missing',
      `network ${network}`,
      `missing: network ${network} does not exist`,
    );
  for (const v of rebuilt?.desired.volumes ?? []) {
    const ok = input.volumes.some(
      (x) => x.name === v.name && x.labels[Label.kind] === 'volume' && x.labels[Label.app] === app,
    );
    if (!ok)
      add(
        'drift',
        'error',
        'volume-missing',
        `volume ${v.name}`,
        `missing: data volume ${v.name} does not exist or lost ksad's labels`,
      );
  }

  for (const service of Object.keys(record.services).sort()) {
    const rec = record.services[service];
    if (rec === undefined) continue;
    const subject = `service ${service} (${rec.containerName})`;
    const base = { service, container: rec.containerName, image: rec.image };
    const manifestImage = loaded?.manifest.services[service]?.image;
    if (loaded && manifestImage === undefined) {
      add(
        'integrity',
        'error',
        'image-not-in-manifest',
        subject,
        `the manifest has no service ${service}, but the release runs it`,
      );
    } else if (manifestImage !== undefined && manifestImage !== rec.image) {
      add(
        'integrity',
        'error',
        'image-not-in-manifest',
        subject,
        `the release runs ${rec.image}, but the manifest pins ${manifestImage}`,
      );
    }

    const c = input.containers.find(
      (x) => x.name === rec.containerName && x.labels[Label.app] === app,
    );
    if (!c) {
      const stray = input.unlabelled[rec.containerName];
      if (stray) {
        add(
          'drift',
          'error',
          'container-modified',
          subject,
          `modified: container ${rec.containerName} exists without ksad's labels (recreated outside ksad)`,
        );
        out.push({
          ...base,
          state: stray.state,
          health: stray.health,
          drift: 'modified',
          differences: ['labels'],
        });
      } else {
        add(
          'drift',
          'error',
          'container-missing',
          subject,
          `missing: container ${rec.containerName} does not exist`,
        );
        out.push({
          ...base,
          state: 'missing',
          health: 'missing',
          drift: 'missing',
          differences: [],
        });
      }
      continue;
    }

    const differences: string[] = [];
    const modified = (what: string, message: string): void => {
      differences.push(what);
      add('drift', 'error', 'container-modified', subject, `modified: ${message}`);
    };
    // Loaded from a bundle: the container was created from the image id the signed manifest names.
    const loadedAs = record.catalog.bundle?.images?.[rec.image];
    if (c.image !== rec.image && c.image !== loadedAs)
      modified('image', `image differs (runs ${c.image}, the release pins ${rec.image})`);
    if (c.labels[Label.configHash] !== rec.configHash) {
      modified(
        'labels',
        `config-hash label differs from the release record (container from another deploy or made by hand)`,
      );
    }
    const desired = rebuilt?.desired.services.find((s) => s.service === service);
    if (desired) {
      const spec = desired.spec;
      if (rebuilt?.verified.has(service)) {
        // Variables baked into the image appear on the container too: only desired ones are compared.
        const changed = Object.keys(spec.env)
          .filter((k) => c.env[k] !== spec.env[k])
          .sort();
        if (changed.length > 0) {
          differences.push(...changed.map((k) => `environment ${k}`));
          add(
            'drift',
            'error',
            'container-modified',
            subject,
            `modified: environment ${changed.join(', ')} ${changed.length === 1 ? 'differs' : 'differ'}`,
          );
        }
      }
      const want = spec.ports.map(portText);
      const have = c.ports.map(portText);
      if (!sameSet(want, have))
        modified(
          'ports',
          `published ports differ (release: ${setText(want)}; live: ${setText(have)})`,
        );
      const wantM = spec.mounts.map(mountText);
      const haveM = c.mounts.map(mountText);
      if (!sameSet(wantM, haveM))
        modified('mounts', `mounts differ (release: ${setText(wantM)}; live: ${setText(haveM)})`);
      if (!c.networks.includes(spec.network)) {
        modified(
          'network',
          `not attached to network ${spec.network} (attached to ${setText(c.networks)})`,
        );
      }
      // Changed by `docker update` or on a container made by hand, the hash label stays the same.
      if (rebuilt?.verified.has(service))
        for (const d of settingsDrift(spec, c)) modified(d.what, d.message);
    }

    // Integrity: the running image is the one the pinned reference names on this host.
    const pinned = input.images[rec.image];
    const digest = rec.image.includes('@') ? rec.image.slice(rec.image.indexOf('@') + 1) : null;
    if (pinned === null || pinned === undefined) {
      add(
        'integrity',
        'warning',
        'image-unverified',
        subject,
        `the pinned image ${rec.image} is not on the host, so the running image ${shortId(c.imageId)} cannot be checked against it`,
      );
    } else if (loadedAs !== undefined && pinned.id !== loadedAs) {
      add(
        'integrity',
        'error',
        'image-digest-mismatch',
        subject,
        `the image loaded from a bundle for ${rec.image} is ${shortId(pinned.id)}, not the config ${shortId(loadedAs)} its manifest names`,
      );
    } else if (
      loadedAs === undefined &&
      digest !== null &&
      !pinned.repoDigests.some((d) => d.endsWith(`@${digest}`))
    ) {
      add(
        'integrity',
        'error',
        'image-digest-mismatch',
        subject,
        `the image the host holds for ${rec.image} does not carry that digest (repo digests: ${setText(pinned.repoDigests)})`,
      );
    } else if (pinned.id !== c.imageId) {
      add(
        'integrity',
        'error',
        'image-digest-mismatch',
        subject,
        `runs image ${shortId(c.imageId)}, not ${shortId(pinned.id)} pinned by ${rec.image}`,
      );
    }

    let drift: ServiceDrift = differences.length > 0 ? 'modified' : 'in-sync';
    const state = stateProblem(c, record.stopped?.[service]);
    if (state) {
      add('drift', state.severity, state.code, subject, state.message);
      if (drift === 'in-sync')
        drift = state.code === 'container-unhealthy' ? 'unhealthy' : 'stopped';
    }
    out.push({ ...base, state: c.state, health: c.health, drift, differences });
  }
  return out;
}

/**
 * What a container's state says. A service an operator stopped with `ksad stop` (recorded with the
 * release) is a deliberate state, told apart from one stopped outside ksad.
 */
function stateProblem(
  c: ContainerInfo,
  stoppedBy?: { by: string; at: string },
): { severity: FindingSeverity; code: FindingCode; message: string } | undefined {
  if (stoppedBy !== undefined && c.state !== 'running' && c.state !== 'restarting') {
    return {
      severity: 'info',
      code: 'container-stopped-by-operator',
      message: `stopped by an operator with ksad (${stoppedBy.by}, ${stoppedBy.at}); ksad start brings it back`,
    };
  }
  switch (c.state) {
    case 'running':
      return c.health === 'unhealthy'
        ? {
            severity: 'warning',
            code: 'container-unhealthy',
            message: 'unhealthy: its health check fails',
          }
        : undefined;
    case 'exited':
      return {
        severity: 'error',
        code: 'container-stopped',
        message: `stopped outside ksad: container exited with code ${c.exitCode}`,
      };
    case 'dead':
      return {
        severity: 'error',
        code: 'container-stopped',
        message: `stopped: container is dead (exit code ${c.exitCode})`,
      };
    case 'created':
      return {
        severity: 'error',
        code: 'container-stopped',
        message: 'stopped: container was created but never started',
      };
    case 'paused':
      return {
        severity: 'error',
        code: 'container-stopped',
        message: 'stopped: container is paused',
      };
    case 'restarting':
      return {
        severity: 'warning',
        code: 'container-unhealthy',
        message: `restarting: last exit code ${c.exitCode}`,
      };
    case 'removing':
      return {
        severity: 'error',
        code: 'container-stopped',
        message: 'stopped: container is being removed',
      };
  }
}

function auditUpdates(input: AuditInput, record: ReleaseRecord, add: Add): AuditApp['updates'] {
  const none: AuditApp['updates'] = { latestCovered: null, change: null, newestInCatalog: null };
  if (semver.valid(record.version) === null) return none;
  const allowPre = semver.prerelease(record.version) !== null;
  const newer = input.catalog.manifests
    .filter(
      (m) =>
        m.manifest.name === record.app &&
        m.manifest.publisher === record.publisher &&
        semver.valid(m.manifest.version) !== null &&
        semver.gt(m.manifest.version, record.version) &&
        (allowPre || semver.prerelease(m.manifest.version) === null),
    )
    .sort((a, b) => semver.rcompare(a.manifest.version, b.manifest.version));
  const newest = newer[0];
  if (!newest) return none;
  let latest: { loaded: LoadedManifest; mou: LoadedMou } | undefined;
  for (const m of newer) {
    const covering = coverage(input.catalog, m, input.profile.region.code, input.today).covering[0];
    if (covering) {
      latest = { loaded: m, mou: covering };
      break;
    }
  }
  const change = latest ? changeOf(record.version, latest.loaded.manifest.version) : null;
  if (latest) {
    add(
      'outdated',
      'warning',
      'newer-version',
      `version ${record.version}`,
      `newer version ${latest.loaded.manifest.version} (${change ?? 'newer'}) is available under MoU ${latest.mou.mou.number}`,
    );
  }
  if (!latest || latest.loaded !== newest) {
    add(
      'outdated',
      'info',
      'newer-version-uncovered',
      `version ${record.version}`,
      `version ${newest.manifest.version} is in the catalog but no active MoU grants it to ${input.profile.region.name} (${input.profile.region.code})`,
    );
  }
  return {
    latestCovered: latest?.loaded.manifest.version ?? null,
    change,
    newestInCatalog: newest.manifest.version,
  };
}

function changeOf(from: string, to: string): AuditApp['updates']['change'] {
  const d = semver.diff(from, to);
  if (d === null) return null;
  if (d === 'major' || d === 'premajor') return 'major';
  if (d === 'minor' || d === 'preminor') return 'minor';
  if (d === 'patch' || d === 'prepatch') return 'patch';
  return 'prerelease';
}

// ---------------------------------------------------------------------------------------------
// Revisions missing from the history

/**
 * Revisions that should be recorded and are not. The host drops the oldest records only past its
 * history limit, so while an app keeps fewer records than the limit every revision from 1 to the
 * newest must be there: a missing one was lost (or removed by hand).
 */
function historyGaps(
  entries: readonly RecordEntry[],
  limit: number,
  deployed: ReadonlyMap<string, ReleaseRecord>,
): AuditFinding[] {
  const byApp = new Map<string, Set<number>>();
  for (const e of entries) {
    if (!('record' in e)) continue;
    const seen = byApp.get(e.record.app) ?? new Set<number>();
    seen.add(e.record.revision);
    byApp.set(e.record.app, seen);
  }
  const out: AuditFinding[] = [];
  for (const [app, revisions] of byApp) {
    if (revisions.size >= limit) continue;
    const newest = Math.max(...revisions);
    const missing = Array.from({ length: newest }, (_, i) => i + 1).filter(
      (r) => !revisions.has(r),
    );
    if (missing.length === 0) continue;
    const list = missing.join(', ');
    out.push(
      finding(
        deployed.get(app) ?? app,
        'integrity',
        'error',
        'history-gap',
        `history of ${app}`,
        `revision${missing.length === 1 ? '' : 's'} ${list} of ${app} ${missing.length === 1 ? 'is' : 'are'} missing from the host's history (${revisions.size} kept, limit ${limit}): a record was lost or removed by hand`,
      ),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Resources that belong to no release

function orphanFindings(
  input: AuditInput,
  entries: readonly RecordEntry[],
  deployed: ReadonlyMap<string, ReleaseRecord>,
): AuditFinding[] {
  const out: AuditFinding[] = [];
  const latest = new Map<string, ReleaseRecord>();
  for (const e of entries) {
    if (!('record' in e)) continue;
    const seen = latest.get(e.record.app);
    if (!seen || seen.revision < e.record.revision) latest.set(e.record.app, e.record);
  }
  const hasRecords = (app: string): boolean =>
    entries.some((e) => ('record' in e ? e.record.app : e.app) === app);
  const about = (app: string): ReleaseRecord | string => deployed.get(app) ?? app;
  const whyNoRelease = (app: string): string => {
    if (app === '') return 'it has no id.ksad.app label';
    const last = latest.get(app);
    if (last?.status === 'uninstalled') return `${app} was uninstalled (revision ${last.revision})`;
    if (last)
      return `${app} has no deployed release (latest revision ${last.revision} is ${last.status})`;
    return `${app} has no release record on this host`;
  };

  for (const lock of input.locks) {
    // An unreadable holder is still a held lock.
    const h = lock.holder;
    const holder = h ? `${h.user}@${h.hostname} ("${h.command}") since ${h.since}` : 'someone';
    out.push(
      finding(
        about(lock.app),
        'orphan',
        'info',
        'lock-held',
        lock.where,
        `${lock.app} is locked by ${holder}; if no ksad command runs, clear it with: ksad unlock ${lock.app}`,
      ),
    );
  }

  for (const c of input.containers) {
    const app = c.labels[Label.app] ?? '';
    const kind = c.labels[Label.kind];
    const subject = `container ${c.name}`;
    if (kind !== 'container') {
      out.push(
        finding(
          about(app),
          'orphan',
          'warning',
          'orphan-container',
          subject,
          `orphan: container carries ksad's labels with kind "${kind ?? ''}", which ksad never gives a container`,
        ),
      );
      continue;
    }
    const record = deployed.get(app);
    if (!record) {
      out.push(
        finding(
          app,
          'orphan',
          'warning',
          'orphan-container',
          subject,
          `orphan: ${whyNoRelease(app)}`,
        ),
      );
      continue;
    }
    const names = Object.values(record.services).map((s) => s.containerName);
    if (names.includes(c.name)) continue;
    const parked = PARKED_SUFFIX.test(c.name);
    out.push(
      finding(
        record,
        'orphan',
        'warning',
        'orphan-container',
        subject,
        parked
          ? `orphan: left by an interrupted deploy; the next deploy of ${app} recovers or removes it`
          : `orphan: not part of release r${record.revision} (service "${c.labels[Label.service] ?? ''}")`,
      ),
    );
  }

  for (const n of input.networks) {
    const app = n.labels[Label.app] ?? '';
    const kind = n.labels[Label.kind];
    const subject = `network ${n.name}`;
    if (kind === 'network' && deployed.has(app) && n.name === names.network(app)) continue;
    out.push(
      finding(
        about(app),
        'orphan',
        'warning',
        'orphan-network',
        subject,
        kind === 'network'
          ? `orphan: ${deployed.has(app) ? `not the network of ${app}` : whyNoRelease(app)}`
          : `orphan: network carries ksad's labels with kind "${kind ?? ''}"`,
      ),
    );
  }

  for (const s of input.secrets) {
    if (hasRecords(s.app)) continue;
    out.push(
      finding(
        s.app,
        'orphan',
        'warning',
        'orphan-secrets',
        s.where,
        `orphan: secrets of ${s.app}, which has no release record on this host`,
      ),
    );
  }

  for (const v of input.volumes) {
    const app = v.labels[Label.app] ?? '';
    const kind = v.labels[Label.kind];
    const subject = `volume ${v.name}`;
    switch (kind) {
      case 'volume': {
        const record = deployed.get(app);
        if (record) {
          const manifest = input.catalog.manifests.find((m) => m.digest === record.manifestDigest);
          const used = manifest
            ? Object.values(manifest.manifest.services).some((s) =>
                s.volumes.some((x) => x.name !== undefined && names.volume(app, x.name) === v.name),
              )
            : true;
          if (!used) {
            out.push(
              finding(
                record,
                'orphan',
                'info',
                'unused-volume',
                subject,
                `no service of release r${record.revision} mounts it; its data is kept`,
              ),
            );
          }
        } else if (latest.get(app)?.status === 'uninstalled') {
          out.push(
            finding(
              app,
              'orphan',
              'info',
              'kept-data',
              subject,
              `data kept after ${app} was uninstalled; remove it with: ksad uninstall ${app} --purge-data`,
            ),
          );
        } else {
          out.push(
            finding(
              app,
              'orphan',
              'warning',
              'orphan-volume',
              subject,
              `orphan: ${whyNoRelease(app)}`,
            ),
          );
        }
        break;
      }
      default:
        out.push(
          finding(
            about(app),
            'orphan',
            'warning',
            'orphan-volume',
            subject,
            `orphan: volume carries ksad's labels with kind "${kind ?? ''}"`,
          ),
        );
    }
  }
  return out;
}
