import semver from 'semver';
import type { LoadedManifest, LoadedMou } from '../catalog-model.js';
import { coverage } from '../mou-rules.js';
import type { ReleaseRecord } from '../release.js';
import type { Add } from './finding.js';
import type { AuditApp, AuditInput } from './report-model.js';

export function auditUpdates(
  input: AuditInput,
  record: ReleaseRecord,
  add: Add,
): AuditApp['updates'] {
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
