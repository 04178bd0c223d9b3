import semver from 'semver';
import type { LoadedManifest, LoadedMou } from '../catalog-model.js';
import { coverage, daysBetween, mouStatus, regionAndParents } from '../mou-rules.js';
import type { ReleaseRecord } from '../release.js';
import type { Add } from './finding.js';
import type { AuditInput, AuditMou } from './report-model.js';

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

export function auditMou(
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
