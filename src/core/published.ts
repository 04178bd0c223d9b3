import { fileDigest, MANIFEST_PATH } from './catalog-build.js';
import type { PublishedFile, PublishedLedger, SourceFile } from './catalog-model.js';

export type { PublishedFile, PublishedLedger } from './catalog-model.js';

/** A manifest file as a commit shows it (digests as in `PublishedFile`). */
export interface ShownFile {
  digest: string;
  signature: string | null;
}

/** The manifests (and their signatures) among a catalog's files, keyed by path. */
export function shownManifests(files: readonly SourceFile[]): Map<string, ShownFile> {
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const shown = new Map<string, ShownFile>();
  for (const f of files) {
    if (!isManifestPath(f.path)) continue;
    const sig = texts.get(`${f.path}.sig`);
    shown.set(f.path, {
      digest: fileDigest(f.text),
      signature: sig === undefined ? null : fileDigest(sig),
    });
  }
  return shown;
}

/** True for `manifests/<publisher>/<app>/<version>.yaml` at the top of a catalog. */
export function isManifestPath(path: string): boolean {
  return path.startsWith('manifests/') && MANIFEST_PATH.exec(path)?.index === 0;
}

/** The manifest a tag `<publisher>/<app>/<version>` (as `ksad publish` makes) publishes. */
export function tagManifestPath(tag: string): string | null {
  const path = `manifests/${tag}.yaml`;
  return tag.split('/').length === 3 && isManifestPath(path) ? path : null;
}

/** One way a commit rewrites what was published. */
export interface Rewrite {
  file: string;
  change: 'deleted' | 'modified' | 'signature-deleted' | 'signature-modified';
  /** The adopted commit (or the tag's commit) that published it. */
  since: string;
  /** The publish tag that names it, when the finding comes from a tag. */
  tag?: string;
}

/**
 * How `shown` (a commit's manifests) rewrites the published ones: a manifest dropped or with
 * other bytes, a signature dropped or replaced. Signing a manifest published unsigned is not a
 * rewrite: the manifest's bytes, which releases record, stay the same. Tags that name a version
 * whose manifest is gone count as dropped versions even when no adopted commit held them (a
 * catalog added after its history was rewritten).
 */
export function rewritesOf(
  ledger: PublishedLedger | null,
  shown: ReadonlyMap<string, ShownFile>,
  tags: readonly { name: string; commit: string }[] = [],
): Rewrite[] {
  const found: Rewrite[] = [];
  for (const [file, was] of Object.entries(ledger?.files ?? {})) {
    const now = shown.get(file);
    const change =
      now === undefined
        ? 'deleted'
        : now.digest !== was.digest
          ? 'modified'
          : was.signature === null || now.signature === was.signature
            ? null
            : now.signature === null
              ? 'signature-deleted'
              : 'signature-modified';
    if (change !== null) found.push({ file, change, since: was.since });
  }
  const reported = new Set(found.map((r) => r.file));
  for (const tag of tags) {
    const file = tagManifestPath(tag.name);
    if (file === null || shown.has(file) || reported.has(file)) continue;
    reported.add(file);
    found.push({ file, change: 'deleted', since: tag.commit, tag: tag.name });
  }
  return found.sort((a, b) => a.file.localeCompare(b.file));
}

/** The ledger after adopting `commit`: every manifest it shows, the earliest sighting kept. */
export function adoptLedger(
  ledger: PublishedLedger | null,
  shown: ReadonlyMap<string, ShownFile>,
  commit: string,
): PublishedLedger {
  const files: Record<string, PublishedFile> = {};
  for (const [file, now] of [...shown].sort(([a], [b]) => a.localeCompare(b))) {
    const since = ledger?.files[file]?.since ?? commit;
    files[file] = { digest: now.digest, signature: now.signature, since };
  }
  return { commit, files };
}

/** Words for a rewrite, as sync and deploy print it. */
export function describeRewrite(r: Rewrite): string {
  const what =
    r.change === 'deleted'
      ? 'deleted'
      : r.change === 'modified'
        ? 'changed'
        : r.change === 'signature-deleted'
          ? 'signature removed'
          : 'signature replaced';
  const origin =
    r.tag === undefined
      ? `published at ${r.since.slice(0, 12)}`
      : `published by tag ${r.tag} (${r.since.slice(0, 12)})`;
  return `${r.file}: ${what}; ${origin}`;
}
