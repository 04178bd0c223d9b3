import type { Catalog, LoadedManifest, LoadedMou } from '../core/catalog-model.js';
import { KsadError } from '../core/errors.js';
import { coverage, mousFor, mouStatus, type MouStatus } from '../core/mou-rules.js';
import { listApps, parseAppRef, resolveVersion } from '../core/resolve.js';
import { regionFlag } from '../core/regions.js';
import { SMART_CITY_DIMENSIONS, type Dimension } from '../core/schema/common.js';
import { checkCatalogManifest } from './verify.js';

export interface RegionRef {
  code: string;
  /** The member's name; null when no member of the catalog has this code. */
  name: string | null;
}

export interface PublisherRef {
  /** Member slug, as manifests name it. */
  slug: string;
  name: string | null;
  code: string | null;
}

export interface AppHit {
  publisher: PublisherRef;
  name: string;
  title: string;
  /** The version `ksad show APP` resolves to: the newest release. */
  latest: string;
  /** Newest first. */
  versions: string[];
  shortDescription: string;
  dimensions: string[];
  categories: string[];
  /** With `region`: numbers of the active MoUs that grant some version to that region; else null. */
  coveredBy: string[] | null;
  /** The latest version's signature, verified against the publisher's keys in the catalog. */
  signature: SignatureStatus;
}

/** A signature as verification found it: `verified`, `unsigned` (no `.sig`) or `invalid`. */
export type SignatureStatus = 'verified' | 'unsigned' | 'invalid';

export interface SearchQuery {
  /** Case-insensitive; matched against name, title, descriptions, features and categories. */
  text?: string | undefined;
  /** Member slug, region code or member name. */
  publisher?: string | undefined;
  dimension?: string | undefined;
  /** Only apps an active MoU grants to this region (or a coarser code above it). */
  region?: string | undefined;
  today: string;
}

/** Apps of a catalog matching every given criterion, sorted by publisher and name. */
export function searchApps(catalog: Catalog, query: SearchQuery): AppHit[] {
  const dimension = query.dimension === undefined ? undefined : checkDimension(query.dimension);
  const region = query.region === undefined ? undefined : checkRegion(query.region);
  const text = query.text?.trim().toLowerCase() ?? '';
  const publishers =
    query.publisher === undefined ? undefined : publisherSlugs(catalog, query.publisher);

  const hits: AppHit[] = [];
  for (const app of listApps(catalog)) {
    if (publishers !== undefined && !publishers.has(app.publisher)) continue;
    const latest = resolveVersion(catalog, { publisher: app.publisher, app: app.name });
    const m = latest.manifest;
    if (dimension !== undefined && !m.dimensions.includes(dimension)) continue;
    if (text !== '' && !searchableText(latest).includes(text)) continue;
    let coveredBy: string[] | null = null;
    if (region !== undefined) {
      const numbers = new Set<string>();
      for (const version of app.manifests) {
        for (const mou of coverage(catalog, version, region, query.today).covering)
          numbers.add(mou.mou.number);
      }
      if (numbers.size === 0) continue;
      coveredBy = [...numbers].sort();
    }
    hits.push({
      publisher: publisherRef(catalog, app.publisher),
      name: app.name,
      title: m.title,
      latest: m.version,
      versions: app.versions,
      shortDescription:
        m.description.id?.shortDescription ?? m.description.en?.shortDescription ?? '',
      dimensions: [...m.dimensions],
      categories: [...m.categories],
      coveredBy,
      signature: checkCatalogManifest(catalog, latest).status,
    });
  }
  return hits;
}

export interface AppService {
  name: string;
  image: string;
  ports: {
    name: string | null;
    container: number;
    host: number | string | null;
    protocol: 'tcp' | 'udp';
  }[];
  volumes: { name: string | null; source: string | null; path: string; readOnly: boolean }[];
  dependsOn: string[];
  healthcheck: boolean;
}

export interface AppConfigKey {
  key: string;
  type: string;
  required: boolean;
  default: string | number | boolean | null;
  description: string;
}

/** Secrets by name and kind only: manifests never hold secret values. */
export interface AppSecret {
  name: string;
  source: 'generate' | 'supplied';
  description: string;
}

export interface AppMouCoverage {
  number: string;
  title: string;
  file: string;
  status: MouStatus;
  validFrom: string;
  validUntil: string;
  /** The version range the MoU grants; null for every version. */
  versions: string | null;
  /** Each grantee: whether this MoU grants the shown version to it today, and if not, why. */
  regions: (RegionRef & { covered: boolean; reason: string | null })[];
}

export interface AppDetails {
  catalog: { name: string; commit: string | null };
  publisher: PublisherRef;
  name: string;
  version: string;
  title: string;
  file: string;
  digest: string;
  /** True exactly when `signature` is `verified`. */
  signed: boolean;
  /** The signature verified against the publisher's keys in the catalog (as deploy checks it). */
  signature: SignatureStatus;
  /** Why the signature is not verified (the key, the mismatch); null when it is. */
  signatureMessage: string | null;
  /** Every version in the catalog, newest first. */
  versions: string[];
  description: LoadedManifest['manifest']['description'];
  dimensions: string[];
  categories: string[];
  license: string;
  url: string;
  maintenance: LoadedManifest['manifest']['maintenance'];
  requires: { ksad: string | null; dockerApi: string | null };
  services: AppService[];
  config: AppConfigKey[];
  secrets: AppSecret[];
  /** MoUs of the publisher that list this app, whatever their status. */
  mous: AppMouCoverage[];
}

/**
 * One app version as `ksad show` presents it. `ref` is `app`, `app@range`, `publisher/app` or
 * `publisher/app@range`; an unknown version fails with NOT_FOUND listing the versions there are.
 */
export function showApp(catalog: Catalog, ref: string, today: string): AppDetails {
  const loaded = resolveVersion(catalog, parseAppRef(ref));
  const m = loaded.manifest;
  const versions = listApps(catalog).find((a) => a.publisher === m.publisher && a.name === m.name)
    ?.versions ?? [m.version];
  const publisher = publisherRef(catalog, m.publisher);
  const check = checkCatalogManifest(catalog, loaded);

  const mous: AppMouCoverage[] = catalog.mous
    .filter((l) => l.mou.grantor === publisher.code && l.mou.apps.some((a) => a.name === m.name))
    .map((l) => appMouCoverage(catalog, loaded, l, today));

  return {
    catalog: { name: catalog.name, commit: catalog.commit ?? null },
    publisher,
    name: m.name,
    version: m.version,
    title: m.title,
    file: loaded.file,
    digest: loaded.digest,
    signed: check.status === 'verified',
    signature: check.status,
    signatureMessage:
      check.status === 'invalid'
        ? check.reason
        : check.status === 'unsigned'
          ? `no signature: ${loaded.file}.sig is missing`
          : null,
    versions,
    description: m.description,
    dimensions: [...m.dimensions],
    categories: [...m.categories],
    license: m.license,
    url: m.url,
    maintenance: m.maintenance,
    requires: { ksad: m.requires.ksad ?? null, dockerApi: m.requires.dockerApi ?? null },
    services: Object.entries(m.services).map(([name, s]) => ({
      name,
      image: s.image,
      ports: s.ports.map((p) => ({
        name: p.name ?? null,
        container: p.container,
        host: p.host ?? null,
        protocol: p.protocol,
      })),
      volumes: s.volumes.map((v) => ({
        name: v.name ?? null,
        source: v.source ?? null,
        path: v.path,
        readOnly: v.readOnly,
      })),
      dependsOn: Object.keys(s.dependsOn),
      healthcheck: s.healthcheck !== undefined,
    })),
    config: Object.entries(m.config).map(([key, c]) => ({
      key,
      type: c.type,
      required: c.required,
      default: c.default ?? null,
      description: c.description,
    })),
    secrets: Object.entries(m.secrets).map(([name, s]) => ({
      name,
      source: s.source,
      description: s.description,
    })),
    mous,
  };
}

function appMouCoverage(
  catalog: Catalog,
  manifest: LoadedManifest,
  loaded: LoadedMou,
  today: string,
): AppMouCoverage {
  const { mou } = loaded;
  const listed = mou.apps.find((a) => a.name === manifest.manifest.name);
  const regions = mou.grantees.map((code) => {
    const result = coverage(catalog, manifest, code, today);
    const covered = result.covering.some((c) => c.file === loaded.file);
    const reason = result.inactive.find((i) => i.mou.file === loaded.file)?.reason ?? null;
    return { ...regionRef(catalog, code), covered, reason: covered ? null : reason };
  });
  return {
    number: mou.number,
    title: mou.title,
    file: loaded.file,
    status: mouStatus(mou, today),
    validFrom: mou.validFrom,
    validUntil: mou.validUntil,
    versions: listed?.versions ?? null,
    regions,
  };
}

export interface MouRow {
  slug: string;
  file: string;
  number: string;
  title: string;
  status: MouStatus;
  /** Days from today to validUntil; negative once expired. */
  daysLeft: number;
  validFrom: string;
  validUntil: string;
  signedOn: string | null;
  grantor: RegionRef;
  grantees: RegionRef[];
  apps: { name: string; versions: string | null }[];
}

/**
 * MoUs where `region` takes part (as grantor or grantee), optionally only the active ones
 * (active or expiring: usable for a deploy today).
 */
export function listMous(
  catalog: Catalog,
  query: { region?: string | undefined; active?: boolean | undefined; today: string },
): MouRow[] {
  const filter: { region?: string; active?: boolean; today: string } = { today: query.today };
  if (query.region !== undefined) filter.region = checkRegion(query.region);
  if (query.active === true) filter.active = true;
  return mousFor(catalog, filter).map(({ mou: l, status, daysLeft }) => ({
    slug: l.slug,
    file: l.file,
    number: l.mou.number,
    title: l.mou.title,
    status,
    daysLeft,
    validFrom: l.mou.validFrom,
    validUntil: l.mou.validUntil,
    signedOn: l.mou.signedOn ?? null,
    grantor: regionRef(catalog, l.mou.grantor),
    grantees: l.mou.grantees.map((g) => regionRef(catalog, g)),
    apps: l.mou.apps.map((a) => ({ name: a.name, versions: a.versions ?? null })),
  }));
}

function searchableText(loaded: LoadedManifest): string {
  const m = loaded.manifest;
  const descriptions = Object.values(m.description).flatMap((d) =>
    d === undefined ? [] : [d.shortDescription, d.longDescription ?? '', ...d.features],
  );
  return [m.name, m.title, ...descriptions, ...m.categories].join('\n').toLowerCase();
}

function publisherSlugs(catalog: Catalog, publisher: string): Set<string> {
  const wanted = publisher.trim().toLowerCase();
  const slugs = catalog.members
    .filter(
      (l) =>
        l.slug === wanted || l.member.code === wanted || l.member.name.toLowerCase() === wanted,
    )
    .map((l) => l.slug);
  // A publisher without a member file is still found by the slug its manifests use.
  return new Set([...slugs, wanted]);
}

function publisherRef(catalog: Catalog, slug: string): PublisherRef {
  const member = catalog.members.find((l) => l.slug === slug)?.member;
  return { slug, name: member?.name ?? null, code: member?.code ?? null };
}

function regionRef(catalog: Catalog, code: string): RegionRef {
  return { code, name: catalog.members.find((l) => l.member.code === code)?.member.name ?? null };
}

function checkRegion(input: string): string {
  return regionFlag(input);
}

function checkDimension(dimension: string): Dimension {
  const found = SMART_CITY_DIMENSIONS.find((d) => d === dimension);
  if (found === undefined) {
    throw new KsadError('USAGE', `"${dimension}" is not a Smart City dimension`, {
      suggestions: [`use one of: ${SMART_CITY_DIMENSIONS.join(', ')}`],
    });
  }
  return found;
}
