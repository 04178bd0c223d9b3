/** A catalog the user added with `ksad catalog add`. */
export interface RegisteredCatalog {
  /** Lower-case slug the user chose; `--catalog NAME` refers to it. */
  name: string;
  /** `git`: cloned under the cache dir and updated by `catalog sync`; `folder`: read in place. */
  kind: 'git' | 'folder';
  /** The URL (git) or the absolute folder path (folder), as added. */
  source: string;
  /** Branch, tag or commit to follow (git only); the remote's default branch when absent. */
  ref?: string;
  /** Marked with `--default`; at most one catalog carries it. */
  default: boolean;
  /** Folder the catalog is read from: the clone (git) or the source folder itself. */
  root: string;
  /** ISO timestamp. */
  addedAt: string;
  /** Commit checked out at the last add or sync (git only). */
  commit?: string;
  /** ISO timestamp of the last successful sync (git only). */
  syncedAt?: string;
}

/** A clone being prepared: it lands under its final name only through `commit()`. */
export interface StagedClone {
  /** Empty folder to clone into. */
  dir: string;
  /** Moves the staged clone into place and returns its final folder. */
  commit(): Promise<string>;
  /** Deletes the staged clone; safe to call after a failed clone. */
  discard(): Promise<void>;
}

/**
 * The user's list of added catalogs and the clones of the git ones. Implemented by
 * `adapters/json-catalog-registry.ts` (`catalogs.json` under the ksad config dir, clones under
 * the cache dir) and by `test/fakes/memory-catalog-registry.ts`.
 */
export interface CatalogRegistry {
  list(): Promise<RegisteredCatalog[]>;
  /** Replaces the whole list atomically: a crash leaves either the old or the new list. */
  save(catalogs: readonly RegisteredCatalog[]): Promise<void>;
  /** A fresh empty folder beside the clones, so that `commit()` is a rename on one file system. */
  stageClone(name: string): Promise<StagedClone>;
  /** Deletes the clone of a git catalog; nothing happens when it is already gone. */
  deleteClone(name: string): Promise<void>;
}
