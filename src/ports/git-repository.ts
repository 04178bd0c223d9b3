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

  /** True when `ancestor` is reachable from `descendant` (a commit is its own ancestor). */
  isAncestor(dir: string, ancestor: string, descendant: string): Promise<boolean>;

  /** Detached checkout of `commit` (already fetched); local changes are discarded. */
  checkoutCommit(dir: string, commit: string): Promise<void>;

  /**
   * Commits that touched files under `pathspec`, oldest first, each with its changed files
   * (renames as a deletion plus an addition): every commit reachable from HEAD, parents before
   * children.
   */
  history(dir: string, pathspec: string): Promise<HistoryCommit[]>;

  /**
   * Commits reachable from `toCommit` but not from `fromCommit` that touched any of `paths`,
   * oldest first, with their changed files (among `paths`).
   */
  commitsBetween(
    dir: string,
    fromCommit: string,
    toCommit: string,
    paths: readonly string[],
  ): Promise<HistoryCommit[]>;

  /** Every tag of the clone with the commit it names (annotated tags peeled). */
  tags(dir: string): Promise<TagRef[]>;
}

/** A tag and the commit it names. */
export interface TagRef {
  name: string;
  commit: string;
}

/** One commit of `GitRepository.history`. */
export interface HistoryCommit {
  commit: string;
  subject: string;
  files: ChangedFile[];
}

/**
 * Writing to a catalog's working copy, as `ksad publish` does. Implemented by
 * `adapters/simple-git-repository.ts`. Failures throw KsadError('CATALOG_UNAVAILABLE') with git's
 * reason.
 */
export interface GitWorkingCopy {
  /** Stages `paths` (relative to `dir`) and commits only them; returns the new commit. */
  commitPaths(dir: string, paths: readonly string[], message: string): Promise<string>;
  tagExists(dir: string, tag: string): Promise<boolean>;
  /** An annotated tag on `commit`. */
  tag(dir: string, tag: string, commit: string, message: string): Promise<void>;
  /** The checked-out branch, or null when HEAD is detached. */
  currentBranch(dir: string): Promise<string | null>;
  /** Pushes `branch` and `tag` to `origin` in one push. */
  push(dir: string, branch: string, tag: string): Promise<void>;
  /**
   * Which of `paths` (relative to `dir`) differ from HEAD: modified, staged, untracked or
   * deleted. Sorted.
   */
  uncommitted(dir: string, paths: readonly string[]): Promise<string[]>;
  /**
   * A fresh clone of `origin`'s `branch` (with its tags) in a new temporary folder, as a
   * recipient would get it; `dispose` deletes it.
   */
  cloneOrigin(dir: string, branch: string): Promise<ScratchClone>;
}

/** A clone made only to be looked at. */
export interface ScratchClone {
  dir: string;
  /** The URL it was cloned from. */
  url: string;
  dispose(): Promise<void>;
}
