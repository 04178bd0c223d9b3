import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { KsadError } from '../../src/core/errors.js';
import type {
  ChangedFile,
  GitRepository,
  HistoryCommit,
  TagRef,
} from '../../src/ports/git-repository.js';
import type { MemoryCatalogFiles } from './memory-catalog-files.js';

interface Commit {
  id: string;
  files: Record<string, string>;
}

interface Remote {
  commits: Map<string, Commit>;
  /** Branch and tag names to commit ids. */
  refs: Map<string, string>;
  tags: Set<string>;
  defaultBranch: string;
}

/** Where a clone keeps what it knows about itself, inside its own folder (moves with it). */
const STATE = '.git/fake-state.json';

interface CloneState {
  url: string;
  commit: string;
}

/**
 * Git remotes in memory: `publish()` commits a whole tree to a branch of a URL; clones are
 * written into the shared MemoryCatalogFiles. A URL marked `unreachable` fails like a dead host.
 */
export class MemoryGitRepository implements GitRepository {
  private readonly remotes = new Map<string, Remote>();
  private readonly all = new Map<string, Commit>();
  readonly unreachable = new Set<string>();

  constructor(
    private readonly disk: MemoryCatalogFiles,
    overrides: Partial<GitRepository> = {},
  ) {
    Object.assign(this, overrides);
  }

  /** Commits `files` as the whole tree of `branch` at `url`; returns the commit id. */
  publish(url: string, files: Record<string, string>, branch = 'main'): string {
    const remote = this.remotes.get(url) ?? {
      commits: new Map(),
      refs: new Map(),
      tags: new Set<string>(),
      defaultBranch: branch,
    };
    this.remotes.set(url, remote);
    const id = createHash('sha1')
      .update(`${url}\0${branch}\0${remote.commits.size}\0${JSON.stringify(files)}`)
      .digest('hex');
    const commit = { id, files: { ...files } };
    remote.commits.set(id, commit);
    this.all.set(id, commit);
    remote.refs.set(branch, id);
    return id;
  }

  tag(url: string, tag: string, commit: string): void {
    this.remotes.get(url)?.refs.set(tag, commit);
    this.remotes.get(url)?.tags.add(tag);
  }

  clone(url: string, dir: string, ref?: string): Promise<void> {
    const remote = this.reach(url);
    const commit = this.resolve(remote, url, ref);
    this.checkoutInto(dir, url, commit);
    return Promise.resolve();
  }

  fetchAndCheckout(dir: string, ref?: string): Promise<void> {
    const state = this.state(dir);
    const remote = this.reach(state.url);
    this.checkoutInto(dir, state.url, this.resolve(remote, state.url, ref));
    return Promise.resolve();
  }

  headCommit(dir: string): Promise<string> {
    return Promise.resolve(this.state(dir).commit);
  }

  changedFiles(_dir: string, fromCommit: string, toCommit: string): Promise<ChangedFile[]> {
    const from = this.all.get(fromCommit)?.files;
    const to = this.all.get(toCommit)?.files;
    if (from === undefined || to === undefined)
      return Promise.reject(new Error(`unknown commit ${fromCommit} or ${toCommit}`));
    const changes: ChangedFile[] = [];
    for (const [path, text] of Object.entries(to)) {
      if (!(path in from)) changes.push({ path, status: 'added' });
      else if (from[path] !== text) changes.push({ path, status: 'modified' });
    }
    for (const path of Object.keys(from))
      if (!(path in to)) changes.push({ path, status: 'deleted' });
    return Promise.resolve(changes);
  }

  isRepo(dir: string): Promise<boolean> {
    return Promise.resolve(this.disk.files.has(posix.join(this.disk.resolvePath(dir), STATE)));
  }

  /** Commits of one remote form a single line, in the order they were published. */
  isAncestor(_dir: string, ancestor: string, descendant: string): Promise<boolean> {
    for (const remote of this.remotes.values()) {
      const ids = [...remote.commits.keys()];
      const a = ids.indexOf(ancestor);
      const d = ids.indexOf(descendant);
      if (a >= 0 && d >= 0) return Promise.resolve(a <= d);
    }
    return Promise.resolve(false);
  }

  checkoutCommit(dir: string, commit: string): Promise<void> {
    this.checkoutInto(dir, this.state(dir).url, commit);
    return Promise.resolve();
  }

  async history(dir: string, pathspec: string): Promise<HistoryCommit[]> {
    const state = this.state(dir);
    const ids = [...(this.remotes.get(state.url)?.commits.keys() ?? [])];
    const upTo = ids.slice(0, ids.indexOf(state.commit) + 1);
    const prefix = pathspec.endsWith('/') ? pathspec : `${pathspec}/`;
    const out: HistoryCommit[] = [];
    let previous: string | undefined;
    for (const id of upTo) {
      const files =
        previous === undefined
          ? Object.keys(this.all.get(id)?.files ?? {}).map((path): ChangedFile => ({
              path,
              status: 'added',
            }))
          : await this.changedFiles(dir, previous, id);
      const touched = files.filter((f) => f.path.startsWith(prefix) || f.path === pathspec);
      if (touched.length > 0) out.push({ commit: id, subject: 'publish', files: touched });
      previous = id;
    }
    return out;
  }

  /** Commits after `fromCommit` up to `toCommit` on the clone's remote line. */
  async commitsBetween(
    dir: string,
    fromCommit: string,
    toCommit: string,
    paths: readonly string[],
  ): Promise<HistoryCommit[]> {
    const ids = [...(this.remotes.get(this.state(dir).url)?.commits.keys() ?? [])];
    const start = ids.indexOf(fromCommit);
    const end = ids.indexOf(toCommit);
    const out: HistoryCommit[] = [];
    for (let i = Math.max(start, 0) + 1; i <= end; i++) {
      const previous = ids[i - 1];
      const id = ids[i];
      if (previous === undefined || id === undefined) continue;
      const files = (await this.changedFiles(dir, previous, id)).filter((f) =>
        paths.includes(f.path),
      );
      if (files.length > 0) out.push({ commit: id, subject: 'update', files });
    }
    return out;
  }

  tags(dir: string): Promise<TagRef[]> {
    const remote = this.remotes.get(this.state(dir).url);
    return Promise.resolve(
      [...(remote?.tags ?? [])].map((name) => ({ name, commit: remote?.refs.get(name) ?? '' })),
    );
  }

  private reach(url: string): Remote {
    const remote = this.remotes.get(url);
    if (this.unreachable.has(url) || remote === undefined) {
      throw new KsadError(
        'CATALOG_UNAVAILABLE',
        `Cannot clone catalog ${url}: repository not found`,
      );
    }
    return remote;
  }

  private resolve(remote: Remote, url: string, ref: string | undefined): string {
    const id =
      remote.refs.get(ref ?? remote.defaultBranch) ??
      (ref !== undefined && remote.commits.has(ref) ? ref : undefined);
    if (id === undefined) {
      throw new KsadError(
        'CATALOG_UNAVAILABLE',
        `Cannot check out catalog ${url}: no branch, tag or commit named "${ref ?? remote.defaultBranch}"`,
      );
    }
    return id;
  }

  private checkoutInto(dir: string, url: string, id: string): void {
    const commit = this.all.get(id);
    if (commit === undefined) throw new Error(`unknown commit ${id}`);
    this.disk.removeDir(dir);
    this.disk.putTree(dir, {
      ...commit.files,
      [STATE]: JSON.stringify({ url, commit: id } satisfies CloneState),
    });
  }

  private state(dir: string): CloneState {
    const text = this.disk.files.get(posix.join(this.disk.resolvePath(dir), STATE));
    if (text === undefined)
      throw new KsadError('CATALOG_UNAVAILABLE', `${dir} is not a catalog clone`);
    return JSON.parse(text) as CloneState;
  }
}
