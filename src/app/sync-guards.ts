import type { SourceFile } from '../core/catalog-model.js';
import { KsadError } from '../core/errors.js';
import {
  adoptLedger,
  describeRewrite,
  rewritesOf,
  shownManifests,
  type PublishedLedger,
  type Rewrite,
} from '../core/published.js';
import type { CatalogFiles } from '../ports/catalog-files.js';
import type { CatalogRegistry, RegisteredCatalog } from '../ports/catalog-registry.js';
import type { GitRepository, HistoryCommit } from '../ports/git-repository.js';
import type { PublishedLedgerStore } from '../ports/published-ledger-store.js';

/** What guarding a catalog's published manifests needs. */
export interface LedgerContext {
  files: CatalogFiles;
  git: GitRepository;
  /** Without it nothing is recorded and nothing checked (tests that do not care). */
  published?: PublishedLedgerStore | undefined;
  registry: Pick<CatalogRegistry, 'deleteClone'>;
}

/**
 * The ledger a sync compares with: the recorded one; for a catalog added by an older ksad, the
 * manifests of the clone still checked out at the last adopted commit (read before fetching).
 */
export async function ledgerBeforeSync(
  ctx: LedgerContext,
  entry: RegisteredCatalog,
  clonePresent: boolean,
): Promise<PublishedLedger | null> {
  if (ctx.published === undefined) return null;
  const recorded = await ctx.published.get(entry.name);
  if (recorded !== null || !clonePresent || entry.commit === undefined) return recorded;
  if ((await ctx.git.headCommit(entry.root)) !== entry.commit) return null;
  const shown = shownManifests(await ctx.files.readCatalogFiles(entry.root));
  return adoptLedger(null, shown, entry.commit);
}

/**
 * Refuses the commit a sync checked out when it changes or drops a published manifest or
 * signature (a forward commit or rewritten history alike), or drops a version a publish tag names.
 * The clone is put back on the last adopted commit first, so it stays in use; the caller keeps the
 * registry's commit. Returns the ledger to record once the commit is adopted.
 */
export async function guardPublished(
  ctx: LedgerContext,
  entry: RegisteredCatalog,
  root: string,
  ledger: PublishedLedger | null,
  to: string,
): Promise<PublishedLedger | null> {
  if (ctx.published === undefined) return null;
  const shown = shownManifests(await ctx.files.readCatalogFiles(root));
  const rewrites = rewritesOf(ledger, shown, await ctx.git.tags(root));
  if (rewrites.length === 0) return adoptLedger(ledger, shown, to);
  const last = entry.commit ?? ledger?.commit;
  const commits = await culprits(ctx.git, root, last, to, rewrites);
  let restored = last !== undefined;
  if (last !== undefined) {
    try {
      await ctx.git.checkoutCommit(root, last);
    } catch {
      restored = false;
    }
  }
  // A clone made again after the cache was cleared may not hold the last adopted commit when the
  // history was rewritten: rather than leave the refused commit to be read, the clone goes.
  if (!restored) await ctx.registry.deleteClone(entry.name).catch(() => undefined);
  throw rewriteRefused(entry, rewrites, to, restored ? last : undefined, commits);
}

/** The refused commits that touched the rewritten files; empty when git cannot say. */
async function culprits(
  git: GitRepository,
  root: string,
  last: string | undefined,
  to: string,
  rewrites: readonly Rewrite[],
): Promise<HistoryCommit[]> {
  if (last === undefined) return [];
  const paths = rewrites.flatMap((r) => [r.file, `${r.file}.sig`]);
  try {
    return await git.commitsBetween(root, last, to, paths);
  } catch {
    return [];
  }
}

function rewriteRefused(
  entry: Pick<RegisteredCatalog, 'name' | 'source'> & { kind?: RegisteredCatalog['kind'] },
  rewrites: readonly Rewrite[],
  to: string,
  last: string | undefined,
  commits: readonly HistoryCommit[],
): KsadError {
  const first = rewrites[0];
  const more = rewrites.length > 1 ? ` (and ${rewrites.length - 1} more)` : '';
  const by = commits.map(
    (c) =>
      `in ${c.commit.slice(0, 12)} "${c.subject}": ${c.files.map((f) => `${f.path} ${f.status}`).join(', ')}`,
  );
  return new KsadError(
    'INTEGRITY',
    `catalog "${entry.name}": commit ${to.slice(0, 12)} of ${entry.source} rewrites a published version: ${first === undefined ? '' : describeRewrite(first)}${more}`,
    {
      details: [
        ...rewrites.map(describeRewrite),
        ...by,
        `offered: ${to}`,
        ...(last === undefined ? [] : [`still in use: ${last}`]),
      ],
      suggestions: [
        last === undefined
          ? `the refused commit is not used${entry.kind === 'git' ? `: sync again once upstream is repaired (ksad catalog sync ${entry.name})` : ''}`
          : `the catalog stays on ${last.slice(0, 12)}, the last commit it adopted; deploys use that`,
        'published versions are immutable: ask the catalog maintainers to restore the files (e.g. git revert) and publish a new version instead; the next sync adopts the repaired commit',
        `if the rewrite is intended, start over: ksad catalog remove ${entry.name} && ksad catalog add ${entry.name} ${entry.source}`,
      ],
    },
  );
}

/**
 * At `catalog add`: a publish tag whose version is missing from the commit checked out means the
 * history was rewritten to drop it before the catalog was added. Returns the ledger to record.
 */
export async function firstLedger(
  ctx: LedgerContext,
  name: string,
  source: string,
  root: string,
  files: readonly SourceFile[],
  commit: string,
): Promise<PublishedLedger | null> {
  if (ctx.published === undefined) return null;
  const shown = shownManifests(files);
  const rewrites = rewritesOf(null, shown, await ctx.git.tags(root));
  if (rewrites.length > 0) {
    throw rewriteRefused({ name, source }, rewrites, commit, undefined, []);
  }
  return adoptLedger(null, shown, commit);
}

/**
 * Rollback protection (TUF's rule): the commit a sync lands on must not be older than the one seen
 * last. When the remote's branch was moved back to an ancestor of the last-seen commit, a
 * publication (a fixed version, a revoked key) would silently disappear; the clone is put back on
 * the last-seen commit and the sync refused. The last-seen commit is the one the registry keeps.
 */
export async function refuseRollback(
  ctx: Pick<LedgerContext, 'git'>,
  entry: RegisteredCatalog,
  root: string,
  to: string,
): Promise<void> {
  const last = entry.commit;
  if (last === undefined || last === to) return;
  let rolledBack: boolean;
  try {
    rolledBack = await ctx.git.isAncestor(root, to, last);
  } catch {
    // The last-seen commit is not in the new history at all (history rewritten): not a plain
    // rollback; `changes` reports what it can.
    return;
  }
  if (!rolledBack) return;
  try {
    await ctx.git.checkoutCommit(root, last);
  } catch {
    // The registry still names the last-seen commit; the next open reads whatever is checked out.
  }
  throw new KsadError(
    'INTEGRITY',
    `catalog "${entry.name}" was rolled back: ${entry.source} now points at ${to.slice(0, 12)}, an older commit than ${last.slice(0, 12)} seen at the last sync`,
    {
      details: [`last seen: ${last}`, `offered now: ${to}`],
      suggestions: [
        'this can hide fixed versions or revoked keys: ask the catalog maintainers why the branch moved back',
        `if the rollback is intended, start over: ksad catalog remove ${entry.name} && ksad catalog add ${entry.name} ${entry.source}`,
      ],
    },
  );
}
