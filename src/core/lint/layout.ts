import semver from 'semver';
import { MANIFEST_PATH } from '../catalog-build.js';
import type { LoadedMember } from '../catalog-model.js';
import { SLUG_PATTERN } from '../schema/index.js';
import { didYouMean } from '../suggest.js';
import type { ManifestEntry, ManifestUnit, Reporter } from './context.js';

/** `path-mismatch`: `manifests/<publisher>/<app>/<version>.yaml` must agree with the file's contents. */
export function lintManifestPath(unit: ManifestUnit, r: Reporter): void {
  const m = MANIFEST_PATH.exec(unit.file);
  if (!m) return;
  const [, publisher, app, version] = m;
  const { manifest } = unit;
  const expected = `manifests/${manifest.publisher}/${manifest.name}/${manifest.version}.yaml`;
  const checks: Array<
    [keyof typeof manifest & ('publisher' | 'name' | 'version'), string | undefined, string]
  > = [
    ['publisher', publisher, 'publisher folder'],
    ['name', app, 'app folder'],
    ['version', version, 'file name'],
  ];
  for (const [field, inPath, what] of checks) {
    if (inPath !== manifest[field]) {
      r.error(
        unit.file,
        [field],
        'path-mismatch',
        `"${manifest[field]}" does not match the ${what} "${inPath ?? ''}": move the file to ${expected}`,
      );
    }
  }
}

/** `unknown-publisher`: the publisher must be a member file with `publisher: true`. */
export function lintPublisher(
  unit: ManifestEntry,
  members: readonly LoadedMember[],
  r: Reporter,
): void {
  const publisher = unit.manifest.publisher;
  const member = members.find((m) => m.slug === publisher);
  if (!member) {
    r.error(
      unit.file,
      ['publisher'],
      'unknown-publisher',
      `unknown publisher "${publisher}": there is no catalog/members/${publisher}.yaml${didYouMean(
        publisher,
        members.filter((m) => m.member.publisher).map((m) => m.slug),
      )}`,
    );
  } else if (!member.member.publisher) {
    r.error(
      unit.file,
      ['publisher'],
      'unknown-publisher',
      `member "${publisher}" is not a publisher: set "publisher: true" in ${member.file}`,
    );
  }
}

/**
 * `duplicate-version`: one file per app version. Versions are compared as semver so that the same
 * version written differently is caught too. `units` are checked against each other and against
 * `published` (files already in the catalog, skipped when they are the same file).
 */
export function lintDuplicateVersions(
  units: readonly ManifestEntry[],
  r: Reporter,
  published: readonly ManifestEntry[] = [],
): void {
  // Per app, and within it per major.minor.patch (semver-equal versions share it), the files seen
  // so far in order, each version parsed once: an app with many versions is not compared pairwise.
  const seen = new Map<
    string,
    Map<string, Array<{ unit: ManifestEntry; version: semver.SemVer }>>
  >();
  const key = (u: ManifestEntry) => `${u.manifest.publisher}/${u.manifest.name}`;
  const sameMain = (u: ManifestEntry, version: semver.SemVer) => {
    let app = seen.get(key(u));
    if (!app) {
      app = new Map();
      seen.set(key(u), app);
    }
    const main = `${version.major}.${version.minor}.${version.patch}`;
    let list = app.get(main);
    if (!list) {
      list = [];
      app.set(main, list);
    }
    return list;
  };
  for (const u of published) {
    const version = new semver.SemVer(u.manifest.version);
    sameMain(u, version).push({ unit: u, version });
  }
  for (const u of [...units].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    const version = new semver.SemVer(u.manifest.version);
    const list = sameMain(u, version);
    const twin = list.find((o) => !sameFile(o.unit, u) && o.version.compare(version) === 0)?.unit;
    if (twin) {
      const written =
        twin.manifest.version === u.manifest.version
          ? ''
          : ` (written "${twin.manifest.version}" there)`;
      r.error(
        u.file,
        ['version'],
        'duplicate-version',
        `version ${u.manifest.version} of ${key(u)} is already published in ${twin.file}${written}; manifests are immutable, publish a new version`,
      );
    }
    list.push({ unit: u, version });
  }
}

function sameFile(a: ManifestEntry, b: ManifestEntry): boolean {
  return a.file === b.file || a.file.endsWith(`/${b.file}`) || b.file.endsWith(`/${a.file}`);
}

/** `duplicate-member` (two files for one region code, or slugs differing only in case) and `member-slug`. */
export function lintMembers(members: readonly LoadedMember[], r: Reporter): void {
  const byCode = new Map<string, LoadedMember>();
  const bySlug = new Map<string, LoadedMember>();
  for (const m of members) {
    if (!SLUG_PATTERN.test(m.slug)) {
      r.error(
        m.file,
        [],
        'member-slug',
        `file name "${m.slug}" is not a slug: use lower-case letters, digits and dashes, e.g. catalog/members/kota-bandung.yaml`,
      );
    }
    const sameCode = byCode.get(m.member.code);
    if (sameCode) {
      r.error(
        m.file,
        ['code'],
        'duplicate-member',
        `region code ${m.member.code} is already used by ${sameCode.file}`,
      );
    } else {
      byCode.set(m.member.code, m);
    }
    const lower = m.slug.toLowerCase();
    const sameSlug = bySlug.get(lower);
    if (sameSlug) {
      r.error(
        m.file,
        [],
        'duplicate-member',
        `member "${m.slug}" differs from ${sameSlug.file} only in letter case`,
      );
    } else {
      bySlug.set(lower, m);
    }
  }
}
