import { KsadError } from '../core/errors.js';
import type { GitWorkingCopy } from '../ports/git-repository.js';
import { openCatalog, type CatalogContext } from './catalogs.js';
import { verifyManifest } from './verify.js';

/** A version ready to go into a catalog's working copy. */
export interface VersionCommit {
  root: string;
  publisher: string;
  /** Catalog-relative paths to their text: the manifest and its signature. */
  files: Record<string, string>;
  message: string;
  tag: string;
  /** Added to the tag's message in parentheses. */
  tagNote: string;
  /** The branch to push to origin; null not to push. */
  push: string | null;
  /** What the fresh clone must show after the push. */
  pushed: { file: string; digest: string };
}

/**
 * Writes the version's files, commits them together with the publisher's member file when that
 * has uncommitted changes (the signature was checked against the working copy's member file: a
 * key added there but left uncommitted would be missing for every recipient), tags the commit
 * and, when asked, pushes and checks a fresh clone of the remote (`verifyPushed`).
 */
export async function commitVersion(
  ctx: { catalog: CatalogContext; git: GitWorkingCopy },
  v: VersionCommit,
): Promise<{ commit: string; committed: string[]; verifiedClone: string | null }> {
  const pending = await ctx.git.uncommitted(v.root, [`catalog/members/${v.publisher}.yaml`]);
  for (const [path, text] of Object.entries(v.files))
    await ctx.catalog.files.writeTextFile(`${v.root}/${path}`, text);
  const committed = [...Object.keys(v.files), ...pending];
  const message =
    pending.length === 0 ? v.message : `${v.message}\n\nwith ${pending.join(', ')}, which it needs`;
  const commit = await ctx.git.commitPaths(v.root, committed, message);
  await ctx.git.tag(v.root, v.tag, commit, `${v.message} (${v.tagNote})`);
  if (v.push === null) return { commit, committed, verifiedClone: null };
  await ctx.git.push(v.root, v.push, v.tag);
  const verifiedClone = await verifyPushed(ctx, {
    root: v.root,
    branch: v.push,
    tag: v.tag,
    ...v.pushed,
  });
  return { commit, committed, verifiedClone };
}

/** What a pushed publish must show to a recipient. */
export interface PushedVersion {
  /** The catalog working copy that was pushed from. */
  root: string;
  branch: string;
  /** Catalog-relative manifest path. */
  file: string;
  digest: string;
  tag: string;
}

/**
 * Clones the remote afresh, as a recipient would, and checks that the pushed version is there
 * with the same bytes, its tag, and a signature that verifies against the keys the remote lists.
 * Returns the URL checked.
 * @throws KsadError('INTEGRITY') naming what a recipient would be refused.
 */
export async function verifyPushed(
  ctx: { catalog: CatalogContext; git: GitWorkingCopy },
  pushed: PushedVersion,
): Promise<string> {
  const scratch = await ctx.git.cloneOrigin(pushed.root, pushed.branch);
  try {
    const catalog = await openCatalog(ctx.catalog, scratch.dir);
    const loaded = catalog.manifests.find((m) => m.file === pushed.file);
    let problem: string | null = null;
    if (loaded === undefined) problem = `${pushed.file} is not there`;
    else if (loaded.digest !== pushed.digest)
      problem = `${pushed.file} has digest ${loaded.digest}, not ${pushed.digest}`;
    else if (!(await ctx.git.tagExists(scratch.dir, pushed.tag)))
      problem = `the tag ${pushed.tag} is not there`;
    else {
      try {
        verifyManifest(catalog, loaded, { allowUnsigned: false });
      } catch (error) {
        if (!(error instanceof KsadError)) throw error;
        problem = error.message;
      }
    }
    if (problem !== null) {
      throw new KsadError(
        'INTEGRITY',
        `pushed to ${scratch.url}, but a fresh clone of ${pushed.branch} does not verify: ${problem}`,
        {
          details: [`checked: ${scratch.url} ${pushed.branch}`],
          suggestions: [
            'recipients would refuse this version: commit and push what it needs (the publisher’s member file with the signing key), then check with: ksad manifest verify --catalog <a fresh clone>',
          ],
        },
      );
    }
    return scratch.url;
  } finally {
    await scratch.dispose();
  }
}
