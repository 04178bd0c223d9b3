/** One file that differs between two commits. */
export interface ChangedFile {
  /** Relative to the repository root, `/` separators. */
  path: string;
  status: 'added' | 'modified' | 'deleted';
}

/**
 * The git operations a catalog needs. Implemented by `adapters/simple-git-repository.ts`.
 * Every network-facing method throws `KsadError('CATALOG_UNAVAILABLE')` naming the URL and git's
 * reason when the remote cannot be reached or the ref does not exist; none of them ever prompts.
 */
export interface GitRepository {
  /**
   * Clones `url` into `dir` (which must not exist or be empty) and checks out `ref` (a branch,
   * tag or commit); the remote's default branch when `ref` is absent.
   */
  clone(url: string, dir: string, ref?: string): Promise<void>;

  /**
   * Fetches from `origin` and checks out the newest commit of `ref` (branch, tag or commit);
   * the remote's default branch when `ref` is absent. Local changes in `dir` are discarded: a
   * clone under the cache dir is a mirror, never a working copy.
   */
  fetchAndCheckout(dir: string, ref?: string): Promise<void>;

  /** Full hash of the commit checked out in `dir`. */
  headCommit(dir: string): Promise<string>;

  /** Files that differ between two commits, renames reported as a deletion plus an addition. */
  changedFiles(dir: string, fromCommit: string, toCommit: string): Promise<ChangedFile[]>;

  /** True when `dir` is the top of a git working tree (not merely inside one). */
  isRepo(dir: string): Promise<boolean>;
}
