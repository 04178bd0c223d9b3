import { KsadError } from '../core/errors.js';
import type { GitWorkingCopy } from '../ports/git-repository.js';
import { openCatalog, type CatalogContext } from './catalogs.js';
import { verifyManifest } from './verify.js';

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
