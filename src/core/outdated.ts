import semver from 'semver';
import type { Catalog } from './catalog-model.js';
import { coverage } from './mou-rules.js';
import type { ReleaseRecord } from './release.js';

/** How far a newer version is from the running one. */
export type UpgradeStep = 'patch' | 'minor' | 'major';

export interface OutdatedEntry {
  app: string;
  publisher: string;
  /** The running version and revision. */
  current: string;
  revision: number;
  /** The newest catalog version, newer than `current`, that an active MoU grants the region; null when none. */
  latest: string | null;
  /** The step from `current` to `latest`; null when up to date. */
  step: UpgradeStep | null;
  /** The MoU that grants `latest` (the one valid longest), when there is one. */
  mou: { slug: string; number: string; validUntil: string } | null;
  /** The newest version in the catalog at all, covered or not (null when the catalog lacks the app). */
  newestInCatalog: string | null;
  /** Versions newer than `latest` (or than `current` when null) that no active MoU grants the region, newest first. */
  notCovered: string[];
}

/**
 * The step from `from` to `to` as semver.diff sees it, folded into three: a prerelease step counts
 * as the release step it leads to (`premajor` → major), and `prerelease` as a patch.
 */
export function upgradeStep(from: string, to: string): UpgradeStep | null {
  const diff = semver.diff(from, to);
  switch (diff) {
    case null:
      return null;
    case 'major':
    case 'premajor':
      return 'major';
    case 'minor':
    case 'preminor':
      return 'minor';
    default:
      return 'patch';
  }
}

/**
 * For one running release: the newest version in `catalog` that is newer than it and that an active
 * MoU (on `today`) grants to `regionCode`. Prereleases count only when the running version is one.
 */
export function outdatedEntry(
  catalog: Catalog,
  running: ReleaseRecord,
  regionCode: string,
  today: string,
): OutdatedEntry {
  const includePre = semver.prerelease(running.version) !== null;
  const versions = catalog.manifests
    .filter((m) => m.manifest.name === running.app && m.manifest.publisher === running.publisher)
    .filter(
      (m) =>
        includePre ||
        semver.prerelease(m.manifest.version) === null ||
        m.manifest.version === running.version,
    )
    .sort((a, b) => semver.rcompare(a.manifest.version, b.manifest.version));
  const newer = versions.filter((m) => semver.gt(m.manifest.version, running.version));
  const notCovered: string[] = [];
  let latest: OutdatedEntry['latest'] = null;
  let mou: OutdatedEntry['mou'] = null;
  for (const m of newer) {
    const { covering } = coverage(catalog, m, regionCode, today);
    const best = [...covering].sort((a, b) => b.mou.validUntil.localeCompare(a.mou.validUntil))[0];
    if (!best) {
      notCovered.push(m.manifest.version);
      continue;
    }
    latest = m.manifest.version;
    mou = { slug: best.slug, number: best.mou.number, validUntil: best.mou.validUntil };
    break;
  }
  return {
    app: running.app,
    publisher: running.publisher,
    current: running.version,
    revision: running.revision,
    latest,
    step: latest === null ? null : upgradeStep(running.version, latest),
    mou,
    newestInCatalog: versions[0]?.manifest.version ?? null,
    notCovered,
  };
}
