import semver from 'semver';
import type { LoadedMember, LoadedMou } from '../catalog-model.js';
import { mouStatus } from '../mou-rules.js';
import { SLUG_PATTERN } from '../schema/index.js';
import { didYouMean } from '../suggest.js';
import type { LintOptions, ManifestEntry, Reporter } from './context.js';

/**
 * MoU rules: `unknown-member`, `grantor-not-publisher`, `unknown-app`, `no-matching-version`,
 * `invalid-validity`, `overlapping-mou`, `mou-expired`, `duplicate-mou-number`, `self-grant`,
 * `duplicate-grantee`, `mou-slug`.
 */
export function lintMous(
  catalog: {
    members: readonly LoadedMember[];
    mous: readonly LoadedMou[];
    manifests: readonly ManifestEntry[];
  },
  r: Reporter,
  opts: LintOptions,
): void {
  const memberByCode = new Map(catalog.members.map((m) => [m.member.code, m]));
  const codes = [...memberByCode.keys()];
  const versionsOf = new Map<string, string[]>();
  for (const m of catalog.manifests) {
    const key = `${m.manifest.publisher}/${m.manifest.name}`;
    const versions = versionsOf.get(key);
    if (versions) versions.push(m.manifest.version);
    else versionsOf.set(key, [m.manifest.version]);
  }
  const numbers = new Map<string, LoadedMou>();

  for (const loaded of catalog.mous) {
    const { mou, file } = loaded;
    const grantor = memberByCode.get(mou.grantor);
    if (!grantor) {
      r.error(
        file,
        ['grantor'],
        'unknown-member',
        `grantor ${mou.grantor} is not a member: add catalog/members/<slug>.yaml with code "${mou.grantor}"${didYouMean(mou.grantor, codes)}`,
      );
    } else if (!grantor.member.publisher) {
      r.error(
        file,
        ['grantor'],
        'grantor-not-publisher',
        `grantor ${mou.grantor} (${grantor.file}) is not a publisher: set "publisher: true" there`,
      );
    }
    lintGrantees(loaded, r);
    mou.grantees.forEach((g, i) => {
      if (!memberByCode.has(g)) {
        r.error(
          file,
          ['grantees', i],
          'unknown-member',
          `grantee ${g} is not a member: add catalog/members/<slug>.yaml with code "${g}"${didYouMean(g, codes)}`,
        );
      }
    });
    if (grantor) {
      const published = [...versionsOf.keys()]
        .filter((k) => k.startsWith(`${grantor.slug}/`))
        .map((k) => k.slice(grantor.slug.length + 1));
      mou.apps.forEach((app, i) => {
        const versions = versionsOf.get(`${grantor.slug}/${app.name}`);
        if (!versions) {
          r.error(
            file,
            ['apps', i, 'name'],
            'unknown-app',
            `app "${app.name}" is not published by ${grantor.slug} (${mou.grantor})${didYouMean(app.name, published)}`,
          );
        } else if (
          app.versions !== undefined &&
          !versions.some((v) =>
            semver.satisfies(v, app.versions ?? '*', { includePrerelease: true }),
          )
        ) {
          const list = [...versions].sort(semver.rcompare).join(', ');
          r.warning(
            file,
            ['apps', i, 'versions'],
            'no-matching-version',
            `"${app.versions}" matches no published version of ${grantor.slug}/${app.name} (published: ${list})`,
          );
        }
      });
    }
    if (mou.validUntil < mou.validFrom) {
      r.error(
        file,
        ['validUntil'],
        'invalid-validity',
        `validUntil ${mou.validUntil} is before validFrom ${mou.validFrom}`,
      );
    } else if (mouStatus(mou, opts.today) === 'expired') {
      r.warning(
        file,
        ['validUntil'],
        'mou-expired',
        `expired on ${mou.validUntil}: renew the agreement, or deploys under it are refused`,
      );
    }
    const twin = numbers.get(mou.number);
    if (twin)
      r.warning(
        file,
        ['number'],
        'duplicate-mou-number',
        `number "${mou.number}" is also used by ${twin.file}`,
      );
    else numbers.set(mou.number, loaded);
  }
  lintOverlaps(catalog.mous, r);
}

/**
 * `mou-slug`: the file name is the MoU's id on the command line; `self-grant`: a region cannot
 * grant its apps to itself; `duplicate-grantee`: each grantee once.
 */
function lintGrantees(loaded: LoadedMou, r: Reporter): void {
  const { mou, file, slug } = loaded;
  if (!SLUG_PATTERN.test(slug)) {
    r.error(
      file,
      [],
      'mou-slug',
      `file name "${slug}" is not a slug: use lower-case letters, digits and dashes, e.g. catalog/mous/bandung-sumbawa-2026.yaml`,
    );
  }
  const seen = new Set<string>();
  mou.grantees.forEach((g, i) => {
    if (g === mou.grantor) {
      r.error(
        file,
        ['grantees', i],
        'self-grant',
        `grantee ${g} is the grantor: a region does not need an MoU with itself; remove it from grantees`,
      );
    } else if (seen.has(g)) {
      r.warning(file, ['grantees', i], 'duplicate-grantee', `grantee ${g} is listed twice`);
    }
    seen.add(g);
  });
}

/** `overlapping-mou`: two agreements granting the same app to the same region for the same days. */
function lintOverlaps(mous: readonly LoadedMou[], r: Reporter): void {
  const sorted = [...mous].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const [j, later] of sorted.entries()) {
    const b = later.mou;
    if (b.validUntil < b.validFrom) continue;
    for (const earlier of sorted.slice(0, j)) {
      const a = earlier.mou;
      if (a.grantor !== b.grantor || a.validUntil < a.validFrom) continue;
      if (a.validFrom > b.validUntil || b.validFrom > a.validUntil) continue;
      const grantees = b.grantees.filter((g) => a.grantees.includes(g));
      if (grantees.length === 0) continue;
      b.apps.forEach((app, i) => {
        const other = a.apps.find((x) => x.name === app.name);
        if (
          !other ||
          !semver.intersects(other.versions ?? '*', app.versions ?? '*', {
            includePrerelease: true,
          })
        )
          return;
        const from = a.validFrom > b.validFrom ? a.validFrom : b.validFrom;
        const until = a.validUntil < b.validUntil ? a.validUntil : b.validUntil;
        r.warning(
          later.file,
          ['apps', i, 'name'],
          'overlapping-mou',
          `overlaps ${earlier.file} for ${app.name} and grantee${grantees.length > 1 ? 's' : ''} ${grantees.join(', ')} from ${from} to ${until}`,
        );
      });
    }
  }
}
