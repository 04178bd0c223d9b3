import type { Calendar } from '../calendar.js';
import type { Catalog } from '../catalog-model.js';
import type { ContainerInfo, ImageInfo, NetworkInfo, VolumeInfo } from '../engine-model.js';
import type { StoredLock, StoredRecord, StoredSecrets } from '../host-records.js';
import type { MouStatus } from '../mou-rules.js';
import type { HostProfile, RemovalRecord } from '../release.js';
import type { AuditIngressInput, AuditRoute, IngressFinding } from './ingress-findings.js';

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
