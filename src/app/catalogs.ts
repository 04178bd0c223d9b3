import { attachSources, buildCatalog } from '../core/catalog-build.js';
import { contentKey } from '../core/hash.js';
import type { Catalog } from '../core/catalog-model.js';
import { KsadError } from '../core/errors.js';
import { SLUG_PATTERN } from '../core/schema/common.js';
import type { CatalogFiles } from '../ports/catalog-files.js';
import type { CatalogIndexCache } from '../ports/catalog-index-cache.js';
import type { CatalogRegistry, RegisteredCatalog } from '../ports/catalog-registry.js';
import type { Clock } from '../ports/clock.js';
import type { ChangedFile, GitRepository } from '../ports/git-repository.js';
import type { ManifestChecker } from '../ports/manifest-checker.js';
import { silentProgress, type Progress } from '../ports/progress.js';

/** What the catalog use-cases reach the world through. */
export interface CatalogContext {
  files: CatalogFiles;
  git: GitRepository;
  registry: CatalogRegistry;
  clock: Clock;
  /** Root of the sample catalog shipped inside the ksad package. */
  sampleRoot: string;
  /** Catalogs built before; without it every open parses and validates every file. */
  indexCache?: CatalogIndexCache;
  /** Checks the manifests of a catalog being linted; in this thread when absent. */
  checker?: ManifestChecker;
  /** Shows long work (clones, fetches, checking a catalog's manifests); silent when absent. */
  progress?: Progress;
}

/** Name of the embedded sample catalog, used when the user has added none. */
export const SAMPLE_CATALOG = 'sample';

/** URL schemes (`https://`, `file://`, `ssh://` …) and scp-like `user@host:path` are git sources. */
const GIT_SOURCE = /^(?:[a-z][a-z0-9+.-]*:\/\/|[^\s/@]+@[^\s/:]+:)/i;

export function isGitSource(source: string): boolean {
  return GIT_SOURCE.test(source);
}

export interface CatalogCounts {
  members: number;
  mous: number;
  manifests: number;
}

/** A catalog as `catalog add` and `catalog list` show it. */
interface CatalogSummary {
  name: string;
  kind: RegisteredCatalog['kind'];
  source: string;
  ref: string | null;
  /** The catalog commands use when no `--catalog` is given. */
  default: boolean;
  root: string;
  commit: string | null;
}

export interface AddedCatalog extends CatalogSummary {
  counts: CatalogCounts;
}

/**
 * Registers a catalog. A git source is cloned into a staging folder and moved into place only
 * once it is known to be a catalog, so a failed add leaves neither a clone nor a registry entry.
 */
export async function addCatalog(
  ctx: CatalogContext,
  name: string,
  source: string,
  options: { ref?: string | undefined; default?: boolean | undefined } = {},
): Promise<AddedCatalog> {
  if (!SLUG_PATTERN.test(name)) {
    throw new KsadError(
      'USAGE',
      `Catalog name "${name}" is not valid: use lower-case letters, digits and dashes`,
      {
        suggestions: ['for example: ksad catalog add bandung https://example.org/ksad-catalog.git'],
      },
    );
  }
  if (name === SAMPLE_CATALOG) {
    throw new KsadError(
      'USAGE',
      `"${SAMPLE_CATALOG}" names the sample catalog shipped with ksad; choose another name`,
    );
  }
  const existing = await ctx.registry.list();
  const clash = existing.find((c) => c.name === name);
  if (clash !== undefined) {
    throw new KsadError('USAGE', `A catalog named "${name}" is already added (${clash.source})`, {
      suggestions: [`remove it first: ksad catalog remove ${name}`, 'or choose another name'],
    });
  }

  const now = ctx.clock.now().toISOString();
  let entry: RegisteredCatalog;
  let catalog: Catalog;
  if (isGitSource(source)) {
    const staged = await ctx.registry.stageClone(name);
    let root: string;
    let commit: string;
    try {
      await (ctx.progress ?? silentProgress).step(`Cloning ${source}`, () =>
        ctx.git.clone(source, staged.dir, options.ref),
      );
      await assertLooksLikeCatalog(ctx, staged.dir, source);
      commit = await ctx.git.headCommit(staged.dir);
      catalog = buildCatalog({
        name,
        root: staged.dir,
        commit,
        files: await ctx.files.readCatalogFiles(staged.dir),
      });
      root = await staged.commit();
    } catch (error) {
      await staged.discard();
      throw error;
    }
    entry = {
      name,
      kind: 'git',
      source,
      default: options.default === true,
      root,
      addedAt: now,
      commit,
      syncedAt: now,
    };
    if (options.ref !== undefined) entry.ref = options.ref;
  } else {
    if (options.ref !== undefined) {
      throw new KsadError(
        'USAGE',
        '--ref applies to git catalogs only; a folder is read as it is',
        {
          suggestions: [
            'give a git URL (https://, ssh://, file://) to follow a branch, tag or commit',
          ],
        },
      );
    }
    const root = ctx.files.resolvePath(source);
    await assertLooksLikeCatalog(ctx, root, source);
    catalog = await readCatalog(ctx, name, root, lookingUp(folderCommit(ctx, root)));
    entry = {
      name,
      kind: 'folder',
      source: root,
      default: options.default === true,
      root,
      addedAt: now,
    };
  }

  const others =
    options.default === true ? existing.map((c) => ({ ...c, default: false })) : existing;
  try {
    await ctx.registry.save([...others, entry]);
  } catch (error) {
    if (entry.kind === 'git') await ctx.registry.deleteClone(name);
    throw error;
  }
  return {
    name,
    kind: entry.kind,
    source: entry.source,
    ref: entry.ref ?? null,
    default: effectiveDefault([...others, entry]) === name,
    root: entry.root,
    commit: catalog.commit ?? null,
    counts: countsOf(catalog),
  };
}

export interface FileChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

/** Changed files of a catalog, grouped by what they describe. */
export interface CatalogChanges {
  manifests: FileChanges;
  members: FileChanges;
  mous: FileChanges;
  /** `catalog.yaml`, READMEs, CI files … */
  other: FileChanges;
}

export interface SyncResult {
  name: string;
  kind: RegisteredCatalog['kind'];
  source: string;
  /** `local`: a folder catalog, read in place, has nothing to fetch. */
  status: 'updated' | 'unchanged' | 'local';
  from: string | null;
  to: string | null;
  /** null when the previous commit is no longer available to compare with. */
  changes: CatalogChanges | null;
}

/**
 * Fetches every added git catalog (or the one named) and checks out the newest commit of its
 * ref. When some catalogs fail, the others are still synced and saved; the failures are then
 * reported together as one `CATALOG_UNAVAILABLE` error.
 */
export async function syncCatalogs(ctx: CatalogContext, name?: string): Promise<SyncResult[]> {
  const catalogs = await ctx.registry.list();
  const targets = name === undefined ? catalogs : [findRegistered(catalogs, name)];
  const results: SyncResult[] = [];
  const failures: { name: string; error: unknown }[] = [];
  const updated = new Map<string, RegisteredCatalog>();

  for (const entry of targets) {
    try {
      const { result, entry: next } = await syncOne(ctx, entry);
      results.push(result);
      updated.set(entry.name, next);
    } catch (error) {
      failures.push({ name: entry.name, error });
    }
  }
  if (updated.size > 0) await ctx.registry.save(catalogs.map((c) => updated.get(c.name) ?? c));

  const first = failures[0];
  if (first !== undefined) {
    if (name !== undefined) throw first.error;
    throw new KsadError(
      'CATALOG_UNAVAILABLE',
      `Could not sync ${failures.map((f) => f.name).join(', ')}`,
      {
        details: [
          ...failures.map(
            (f) => `${f.name}: ${f.error instanceof Error ? f.error.message : String(f.error)}`,
          ),
          ...results.map((r) => `${r.name}: ${r.status}`),
        ],
        suggestions: ['check the network and the URLs (ksad catalog list), then sync again'],
        cause: first.error,
      },
    );
  }
  return results;
}

async function syncOne(
  ctx: CatalogContext,
  entry: RegisteredCatalog,
): Promise<{ result: SyncResult; entry: RegisteredCatalog }> {
  if (entry.kind === 'folder') {
    const info = await ctx.files.describeRoot(entry.root);
    if (info.kind !== 'directory') {
      throw new KsadError(
        'CATALOG_UNAVAILABLE',
        `Catalog folder ${entry.root} of "${entry.name}" is gone`,
        {
          suggestions: [
            `restore the folder, or remove the catalog: ksad catalog remove ${entry.name}`,
          ],
        },
      );
    }
    const commit = await folderCommit(ctx, entry.root);
    return {
      result: {
        name: entry.name,
        kind: 'folder',
        source: entry.source,
        status: 'local',
        from: commit ?? null,
        to: commit ?? null,
        changes: emptyChanges(),
      },
      entry,
    };
  }

  let root = entry.root;
  let from: string | null;
  const present = (await ctx.files.describeRoot(entry.root)).kind === 'directory';
  const progress = ctx.progress ?? silentProgress;
  if (present) {
    from = await ctx.git.headCommit(entry.root);
    await progress.step(`Fetching ${entry.name} from ${entry.source}`, () =>
      ctx.git.fetchAndCheckout(entry.root, entry.ref),
    );
  } else {
    // The cache was cleared: clone again, and compare with the commit the registry remembers.
    from = entry.commit ?? null;
    const staged = await ctx.registry.stageClone(entry.name);
    try {
      await progress.step(`Cloning ${entry.source}`, () =>
        ctx.git.clone(entry.source, staged.dir, entry.ref),
      );
      root = await staged.commit();
    } catch (error) {
      await staged.discard();
      throw error;
    }
  }
  const to = await ctx.git.headCommit(root);
  await refuseRollback(ctx, entry, root, to);

  let changes: CatalogChanges | null = emptyChanges();
  if (from === null) changes = null;
  else if (from !== to) {
    try {
      changes = groupChanges(await ctx.git.changedFiles(root, from, to));
    } catch {
      changes = null;
    }
  }
  const now = ctx.clock.now().toISOString();
  return {
    result: {
      name: entry.name,
      kind: 'git',
      source: entry.source,
      status: from === to ? 'unchanged' : 'updated',
      from,
      to,
      changes,
    },
    entry: { ...entry, root, commit: to, syncedAt: now },
  };
}

/**
 * Rollback protection (TUF's rule): the commit a sync lands on must not be older than the one seen
 * last. When the remote's branch was moved back to an ancestor of the last-seen commit, a
 * publication (a fixed version, a revoked key) would silently disappear; the clone is put back on
 * the last-seen commit and the sync refused. The last-seen commit is the one the registry keeps.
 */
async function refuseRollback(
  ctx: CatalogContext,
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

/** Sorts changed files into manifests, members, MoUs and the rest. */
export function groupChanges(files: readonly ChangedFile[]): CatalogChanges {
  const changes = emptyChanges();
  for (const file of files) {
    const group = file.path.startsWith('manifests/')
      ? changes.manifests
      : file.path.startsWith('catalog/members/')
        ? changes.members
        : file.path.startsWith('catalog/mous/')
          ? changes.mous
          : changes.other;
    const list =
      file.status === 'added'
        ? group.added
        : file.status === 'deleted'
          ? group.removed
          : group.changed;
    list.push(file.path);
  }
  for (const group of [changes.manifests, changes.members, changes.mous, changes.other]) {
    group.added.sort();
    group.changed.sort();
    group.removed.sort();
  }
  return changes;
}

export interface ListedCatalog extends CatalogSummary {
  addedAt: string;
  syncedAt: string | null;
}

/** The added catalogs, in the order they were added. Empty means the sample catalog is used. */
export async function listCatalogs(ctx: CatalogContext): Promise<ListedCatalog[]> {
  const catalogs = await ctx.registry.list();
  const chosen = effectiveDefault(catalogs);
  return catalogs.map((c) => ({
    name: c.name,
    kind: c.kind,
    source: c.source,
    ref: c.ref ?? null,
    default: c.name === chosen,
    root: c.root,
    commit: c.commit ?? null,
    addedAt: c.addedAt,
    syncedAt: c.syncedAt ?? null,
  }));
}

export interface RemovedCatalog {
  name: string;
  kind: RegisteredCatalog['kind'];
  /** The clone that was deleted (git catalogs); a folder catalog's files are left alone. */
  deleted: string | null;
}

export async function removeCatalog(ctx: CatalogContext, name: string): Promise<RemovedCatalog> {
  const catalogs = await ctx.registry.list();
  const entry = findRegistered(catalogs, name);
  // Forget it first: a clone left behind by a crash is harmless, an entry without its clone is not.
  await ctx.registry.save(catalogs.filter((c) => c.name !== name));
  if (entry.kind === 'git') await ctx.registry.deleteClone(name);
  return { name, kind: entry.kind, deleted: entry.kind === 'git' ? entry.root : null };
}

/**
 * Reads a catalog: by added name; `sample` for the embedded one; or a folder path. Without an
 * argument: the default added catalog, else the first added, else the embedded sample.
 */
export async function openCatalog(ctx: CatalogContext, nameOrPath?: string): Promise<Catalog> {
  const at = await locateCatalog(ctx, nameOrPath);
  return readCatalog(ctx, at.name, at.root, at.commit);
}

/** Which catalog a name or path means, and where its files are (see `openCatalog`). */
export interface CatalogLocation {
  name: string;
  root: string;
  /**
   * The git commit checked out, when the catalog is a git repository: looked up (by git) while
   * the caller reads the files.
   */
  commit: Promise<string | undefined>;
}

/** Finds the catalog `openCatalog` would read, without reading it. */
export async function locateCatalog(
  ctx: CatalogContext,
  nameOrPath?: string,
): Promise<CatalogLocation> {
  const catalogs = await ctx.registry.list();
  if (nameOrPath === undefined) {
    const chosen = effectiveDefault(catalogs);
    const entry = catalogs.find((c) => c.name === chosen);
    return entry === undefined ? locateSample(ctx) : locateRegistered(ctx, entry);
  }
  const entry = catalogs.find((c) => c.name === nameOrPath);
  if (entry !== undefined) return locateRegistered(ctx, entry);
  if (nameOrPath === SAMPLE_CATALOG) return locateSample(ctx);

  const info = await ctx.files.describeRoot(nameOrPath);
  if (info.kind === 'directory') {
    if (!info.hasCatalogDirs) {
      throw new KsadError(
        'CATALOG_UNAVAILABLE',
        `${nameOrPath} is a folder but not a catalog: it has no catalog/ or manifests/ folder`,
        {
          suggestions: ['point --catalog at the folder that holds catalog/catalog.yaml'],
        },
      );
    }
    const root = ctx.files.resolvePath(nameOrPath);
    return { name: nameOrPath, root, commit: lookingUp(folderCommit(ctx, root)) };
  }
  const names = catalogs.map((c) => c.name);
  throw new KsadError('NOT_FOUND', `No catalog named "${nameOrPath}" and no such folder`, {
    suggestions: [
      names.length > 0 ? `added catalogs: ${names.join(', ')}` : 'no catalogs are added yet',
      'see them with: ksad catalog list; add one with: ksad catalog add NAME SOURCE',
    ],
  });
}

async function locateRegistered(
  ctx: CatalogContext,
  entry: RegisteredCatalog,
): Promise<CatalogLocation> {
  const info = await ctx.files.describeRoot(entry.root);
  if (info.kind !== 'directory') {
    throw new KsadError(
      'CATALOG_UNAVAILABLE',
      `The files of catalog "${entry.name}" are missing (${entry.root})`,
      {
        suggestions:
          entry.kind === 'git'
            ? [`clone it again: ksad catalog sync ${entry.name}`]
            : [`restore the folder, or: ksad catalog remove ${entry.name}`],
      },
    );
  }
  const commit =
    entry.kind === 'git' ? ctx.git.headCommit(entry.root) : folderCommit(ctx, entry.root);
  return { name: entry.name, root: entry.root, commit: lookingUp(commit) };
}

async function locateSample(ctx: CatalogContext): Promise<CatalogLocation> {
  const info = await ctx.files.describeRoot(ctx.sampleRoot);
  if (!info.hasCatalogDirs) {
    throw new KsadError(
      'CATALOG_UNAVAILABLE',
      `The sample catalog is missing from this ksad installation (${ctx.sampleRoot})`,
      {
        suggestions: ['add a catalog: ksad catalog add NAME SOURCE'],
      },
    );
  }
  return {
    name: SAMPLE_CATALOG,
    root: ctx.sampleRoot,
    commit: lookingUp(folderCommit(ctx, ctx.sampleRoot)),
  };
}

/** Reads and builds a catalog; its commit is looked up (by git) while the files are read. */
async function readCatalog(
  ctx: CatalogContext,
  name: string,
  root: string,
  commitLookup: Promise<string | undefined>,
): Promise<Catalog> {
  const files = await ctx.files.readCatalogFiles(root);
  const cache =
    files.reduce((n, f) => n + f.text.length, 0) <= CACHED_CATALOG_LIMIT
      ? ctx.indexCache
      : undefined;
  const key = cache ? contentKey(root, files) : '';
  const cached = await cache?.get(root, key);
  const commit = await commitLookup;
  if (cached) {
    const catalog: Catalog = { ...cached, name };
    if (commit === undefined) delete catalog.commit;
    else catalog.commit = commit;
    attachSources(catalog, files);
    return catalog;
  }
  const catalog = buildCatalog(
    commit === undefined ? { name, root, files } : { name, root, commit, files },
  );
  await cache?.put(root, key, catalog);
  return catalog;
}

/**
 * Catalogs up to this much YAML are kept in the build cache. Past it, reading a build back costs
 * about as much as building it (a 10,000-manifest catalog takes seconds either way) while writing
 * it adds to every change, so a large catalog is simply built.
 */
const CACHED_CATALOG_LIMIT = 4 * 1024 * 1024;

/**
 * A lookup left running while other work goes on: its failure reaches whoever awaits it, and is
 * not an unhandled rejection in the meantime (or when nobody needs the answer).
 */
function lookingUp<T>(lookup: Promise<T>): Promise<T> {
  lookup.catch(() => undefined);
  return lookup;
}

async function folderCommit(ctx: CatalogContext, root: string): Promise<string | undefined> {
  return (await ctx.git.isRepo(root)) ? ctx.git.headCommit(root) : undefined;
}

async function assertLooksLikeCatalog(
  ctx: CatalogContext,
  root: string,
  source: string,
): Promise<void> {
  const info = await ctx.files.describeRoot(root);
  if (info.kind === 'missing') {
    throw new KsadError('CATALOG_UNAVAILABLE', `No such folder: ${source}`, {
      suggestions: ['give a folder path or a git URL (https://, ssh://, file://)'],
    });
  }
  if (!info.hasCatalogFile) {
    throw new KsadError(
      'CATALOG_UNAVAILABLE',
      `${source} does not look like a KSAD catalog: it has no catalog/catalog.yaml`,
      {
        suggestions: [
          'a catalog holds catalog/catalog.yaml, catalog/members/, catalog/mous/ and manifests/',
        ],
      },
    );
  }
}

function findRegistered(catalogs: readonly RegisteredCatalog[], name: string): RegisteredCatalog {
  const entry = catalogs.find((c) => c.name === name);
  if (entry === undefined) {
    const names = catalogs.map((c) => c.name);
    throw new KsadError('NOT_FOUND', `No catalog named "${name}" is added`, {
      suggestions: [
        names.length > 0
          ? `added catalogs: ${names.join(', ')}`
          : 'add one with: ksad catalog add NAME SOURCE',
      ],
    });
  }
  return entry;
}

function effectiveDefault(catalogs: readonly RegisteredCatalog[]): string | undefined {
  return (catalogs.find((c) => c.default) ?? catalogs[0])?.name;
}

function countsOf(catalog: Catalog): CatalogCounts {
  return {
    members: catalog.members.length,
    mous: catalog.mous.length,
    manifests: catalog.manifests.length,
  };
}

function emptyChanges(): CatalogChanges {
  const empty = (): FileChanges => ({ added: [], changed: [], removed: [] });
  return { manifests: empty(), members: empty(), mous: empty(), other: empty() };
}
