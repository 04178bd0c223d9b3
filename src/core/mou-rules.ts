import semver from 'semver';
import type { Catalog, LoadedManifest, LoadedMou } from './catalog-model.js';
import type { Mou } from './schema/index.js';

export type MouStatus = 'active' | 'expiring' | 'expired' | 'not-yet-valid';

/** An active MoU is "expiring" when it ends within this many days, so renewal can start in time. */
export const EXPIRING_WITHIN_DAYS = 90;

const DAY_MS = 86_400_000;

function dayNumber(date: string): number {
  const t = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(t)) throw new Error(`not a date YYYY-MM-DD: "${date}"`);
  return Math.round(t / DAY_MS);
}

/** Whole days from `from` to `to` (negative when `to` is earlier); both `YYYY-MM-DD`. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/**
 * Where an MoU stands on `today`. Both bounds are inclusive: an MoU is valid on its validFrom and
 * on its validUntil date.
 */
export function mouStatus(mou: Pick<Mou, 'validFrom' | 'validUntil'>, today: string): MouStatus {
  if (daysBetween(mou.validFrom, today) < 0) return 'not-yet-valid';
  const left = daysBetween(today, mou.validUntil);
  if (left < 0) return 'expired';
  return left <= EXPIRING_WITHIN_DAYS ? 'expiring' : 'active';
}

/** Active means usable for a deploy: `active` or `expiring`. */
export function isActive(status: MouStatus): boolean {
  return status === 'active' || status === 'expiring';
}

/** A region code and every coarser code above it: `33.07.01.2001` → [`33.07.01.2001`, `33.07.01`, `33.07`]. */
export function regionAndParents(code: string): string[] {
  const parts = code.split('.');
  const out: string[] = [];
  for (let n = parts.length; n >= 2; n--) out.push(parts.slice(0, n).join('.'));
  return out;
}

export interface Coverage {
  /** Active (or expiring) MoUs that grant this version to the region. */
  covering: LoadedMou[];
  /** MoUs between the same parties for this app that do not grant it now, and why. */
  inactive: Array<{ mou: LoadedMou; reason: string }>;
}

/**
 * Which MoUs grant `manifest` to `regionCode` on `today`. An MoU covers when its grantor is the
 * region code of the manifest's publisher, the region (or a coarser code above it, so a village
 * host is covered by its regency's MoU) is a grantee, the app is listed, and the version satisfies
 * the listed range. Prerelease versions count as inside a range (`^1.0.0` covers `1.3.0-rc.1`):
 * the MoU grants a line of versions, not only its final releases.
 */
export function coverage(
  catalog: Catalog,
  manifest: LoadedManifest,
  regionCode: string,
  today: string,
): Coverage {
  const result: Coverage = { covering: [], inactive: [] };
  const publisher = catalog.members.find((m) => m.slug === manifest.manifest.publisher);
  if (!publisher) return result;
  const regions = new Set(regionAndParents(regionCode));
  for (const loaded of catalog.mous) {
    const { mou } = loaded;
    if (mou.grantor !== publisher.member.code || !mou.grantees.some((g) => regions.has(g)))
      continue;
    const app = mou.apps.find((a) => a.name === manifest.manifest.name);
    if (!app) continue;
    const status = mouStatus(mou, today);
    if (
      app.versions !== undefined &&
      !semver.satisfies(manifest.manifest.version, app.versions, { includePrerelease: true })
    ) {
      result.inactive.push({
        mou: loaded,
        reason: `covers versions ${app.versions} only, not ${manifest.manifest.version}`,
      });
    } else if (status === 'expired') {
      result.inactive.push({ mou: loaded, reason: `expired on ${mou.validUntil}` });
    } else if (status === 'not-yet-valid') {
      result.inactive.push({ mou: loaded, reason: `not valid until ${mou.validFrom}` });
    } else {
      result.covering.push(loaded);
    }
  }
  return result;
}

export interface MouListEntry {
  mou: LoadedMou;
  status: MouStatus;
  /** Days from today to validUntil (negative once expired). */
  daysLeft: number;
}

/**
 * MoUs for `mou list`: those where `region` (or a coarser code above it, or a finer code below it)
 * is grantor or grantee, optionally only active ones (`active: true`) or only inactive ones
 * (`active: false`); sorted by grantor, validFrom, file.
 */
export function mousFor(
  catalog: Catalog,
  query: { region?: string; active?: boolean; today: string },
): MouListEntry[] {
  const { region, active, today } = query;
  const related = (code: string): boolean =>
    region === undefined ||
    regionAndParents(region).includes(code) ||
    code.startsWith(`${region}.`);
  return catalog.mous
    .filter((l) => related(l.mou.grantor) || l.mou.grantees.some(related))
    .map((l) => ({
      mou: l,
      status: mouStatus(l.mou, today),
      daysLeft: daysBetween(today, l.mou.validUntil),
    }))
    .filter((e) => active === undefined || isActive(e.status) === active)
    .sort(
      (a, b) =>
        a.mou.mou.grantor.localeCompare(b.mou.mou.grantor) ||
        a.mou.mou.validFrom.localeCompare(b.mou.mou.validFrom) ||
        a.mou.file.localeCompare(b.mou.file),
    );
}
