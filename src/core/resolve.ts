import semver from 'semver';
import type { Catalog, LoadedManifest } from './catalog-model.js';
import { KsadError } from './errors.js';
import { SLUG_PATTERN } from './schema/index.js';
import { closest } from './suggest.js';

export interface AppRef {
  publisher?: string;
  app: string;
  /** A semver range; absent means the newest release. */
  range?: string;
}

const REF_FORMS =
  'write app, app@range or publisher/app@range, e.g. "antrean-daring@^1.2" or "kota-bandung/antrean-daring"';

/**
 * Parses `app`, `app@range`, `publisher/app` or `publisher/app@range`.
 * @throws KsadError('USAGE') when a name is not a slug or the range is not a semver range.
 */
export function parseAppRef(s: string): AppRef {
  const text = s.trim();
  const at = text.indexOf('@');
  const name = at < 0 ? text : text.slice(0, at);
  const range = at < 0 ? undefined : text.slice(at + 1).trim();
  const parts = name.split('/');
  if (parts.length > 2 || parts.some((p) => !SLUG_PATTERN.test(p))) {
    throw new KsadError('USAGE', `"${s}" is not an app reference: ${REF_FORMS}`);
  }
  const [first = '', second] = parts;
  const ref: AppRef = second === undefined ? { app: first } : { publisher: first, app: second };
  if (range !== undefined) {
    if (range === '' || semver.validRange(range) === null) {
      throw new KsadError('USAGE', `"${range}" in "${s}" is not a semver range`, {
        suggestions: [
          'use a version such as "1.2.3", or a range such as "^1.2", "~1.2.3" or ">=1.0.0 <2.0.0"',
        ],
      });
    }
    ref.range = range;
  }
  return ref;
}

function label(ref: AppRef): string {
  return ref.publisher === undefined ? ref.app : `${ref.publisher}/${ref.app}`;
}

/**
 * The newest manifest of `ref` whose version satisfies its range. Prereleases are chosen only when
 * the range itself names a prerelease of the same major.minor.patch (node-semver's rule); without a
 * range the newest release is chosen, or the newest prerelease when nothing else exists.
 * @throws KsadError('NOT_FOUND') for an unknown app (with "did you mean") or when no version
 *   satisfies the range (listing the versions that exist); KsadError('USAGE') when two publishers
 *   publish the app and `ref` does not name one.
 */
export function resolveVersion(catalog: Catalog, ref: AppRef): LoadedManifest {
  const candidates = catalog.manifests.filter(
    (m) =>
      m.manifest.name === ref.app &&
      (ref.publisher === undefined || m.manifest.publisher === ref.publisher),
  );
  if (candidates.length === 0) {
    const all = listApps(catalog);
    const names =
      ref.publisher === undefined
        ? all.map((a) => a.name)
        : all.map((a) => `${a.publisher}/${a.name}`);
    const near = closest(label(ref), names);
    const sameNameElsewhere =
      ref.publisher === undefined
        ? []
        : all.filter((a) => a.name === ref.app).map((a) => `${a.publisher}/${a.name}`);
    throw new KsadError('NOT_FOUND', `app "${label(ref)}" is not in catalog "${catalog.name}"`, {
      suggestions: [
        ...[...sameNameElsewhere, ...near].map((n) => `did you mean "${n}"?`),
        'run "ksad catalog sync" to fetch new apps, or list them with "ksad search"',
      ],
    });
  }
  const publishers = [...new Set(candidates.map((m) => m.manifest.publisher))].sort();
  if (publishers.length > 1) {
    throw new KsadError(
      'USAGE',
      `app "${ref.app}" is published by ${publishers.join(' and ')}: name the publisher`,
      {
        suggestions: publishers.map(
          (p) => `use "${p}/${ref.app}${ref.range === undefined ? '' : `@${ref.range}`}"`,
        ),
      },
    );
  }
  const byVersion = new Map(candidates.map((m) => [m.manifest.version, m]));
  const versions = [...byVersion.keys()].sort(semver.rcompare);
  let chosen: string | null | undefined;
  if (ref.range === undefined) {
    chosen = versions.find((v) => semver.prerelease(v) === null) ?? versions[0];
  } else {
    chosen = semver.maxSatisfying(versions, ref.range);
  }
  const found = chosen === null || chosen === undefined ? undefined : byVersion.get(chosen);
  if (!found) {
    const fullName = `${publishers[0] ?? ''}/${ref.app}`;
    throw new KsadError(
      'NOT_FOUND',
      `no version of ${fullName} satisfies "${ref.range ?? '*'}"; versions: ${versions.join(', ')}`,
      {
        suggestions: [`pick one of the versions, e.g. "${fullName}@${versions[0] ?? ''}"`],
      },
    );
  }
  return found;
}

export interface AppSummary {
  publisher: string;
  name: string;
  /** Title of the newest version. */
  title: string;
  /** Newest first. */
  versions: string[];
  /** Same order as `versions`. */
  manifests: LoadedManifest[];
}

/** One entry per publisher/app, sorted by publisher and name, with versions newest first. */
export function listApps(catalog: Catalog): AppSummary[] {
  const groups = new Map<string, LoadedManifest[]>();
  for (const m of catalog.manifests) {
    const key = `${m.manifest.publisher}/${m.manifest.name}`;
    const list = groups.get(key);
    if (list) list.push(m);
    else groups.set(key, [m]);
  }
  return [...groups.values()]
    .map((list) => {
      const manifests = [...list].sort((a, b) =>
        semver.rcompare(a.manifest.version, b.manifest.version),
      );
      const newest = manifests[0] as LoadedManifest;
      return {
        publisher: newest.manifest.publisher,
        name: newest.manifest.name,
        title: newest.manifest.title,
        versions: manifests.map((m) => m.manifest.version),
        manifests,
      };
    })
    .sort((a, b) => a.publisher.localeCompare(b.publisher) || a.name.localeCompare(b.name));
}
