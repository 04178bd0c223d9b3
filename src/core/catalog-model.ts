import type { Diagnostic } from './diagnostics.js';
import type { CatalogFile, Manifest, Member, Mou } from './schema/index.js';

/** A file read from a catalog root; `path` is relative to the root with `/` separators. */
export interface SourceFile {
  path: string;
  text: string;
  /**
   * Why the file could not be taken as a catalog file (a symbolic link, a folder with a file's
   * name, too large, not UTF-8 …); its `text` is then empty and lint reports the problem at it.
   */
  problem?: SourceProblem;
}

/** What the reader refused about a file, reported as a diagnostic at the file (rule `file`). */
export interface SourceProblem {
  severity: 'error' | 'warning';
  /** 1-based, or 0 for the whole file. */
  line: number;
  col: number;
  message: string;
}

export interface LoadedMember {
  /** File name without `.yaml`, e.g. `kota-bandung`. */
  slug: string;
  file: string;
  member: Member;
}

export interface LoadedMou {
  slug: string;
  file: string;
  mou: Mou;
}

export interface LoadedManifest {
  file: string;
  manifest: Manifest;
  /** `sha256:<hex>` of the file's bytes as stored. */
  digest: string;
  /** Detached signature text beside the manifest (`<version>.yaml.sig`), when present. */
  signature?: string;
}

/** A catalog parsed and indexed in memory. Files that fail the schema are left out (with diagnostics). */
export interface Catalog {
  /** Name the user gave it (`sample` for the embedded one). */
  name: string;
  /** Where it was read from (folder path). */
  root: string;
  /** The git commit it was read at, when it is a git repository. */
  commit?: string;
  info: CatalogFile | null;
  members: LoadedMember[];
  mous: LoadedMou[];
  manifests: LoadedManifest[];
  diagnostics: Diagnostic[];
  /**
   * What the catalog published as of its last adopted commit (git catalogs added with `catalog
   * add`); a deploy refuses a manifest whose bytes differ. Never kept in the build cache.
   */
  published?: PublishedLedger;
  /**
   * The offline bundle the catalog was read from: when it was made, its index's digest, and the
   * image id (config digest) each pinned reference is loaded as.
   */
  origin?: { createdAt: string; index: string; images: Record<string, string> };
}

/** What a catalog showed of one published manifest: its bytes and its signature's. */
export interface PublishedFile {
  /** `sha256:` of the manifest file. */
  digest: string;
  /** `sha256:` of `<file>.sig`; null while the manifest was seen unsigned. */
  signature: string | null;
  /** The first adopted commit that held the manifest. */
  since: string;
}

/**
 * The manifests a git catalog has published: every `manifests/<publisher>/<app>/<version>.yaml`
 * present at a commit the catalog adopted (at add or sync), kept from one sync to the next. A
 * later commit may add manifests and sign unsigned ones; it may not change or drop these.
 */
export interface PublishedLedger {
  /** The last adopted commit. */
  commit: string;
  /** Keyed by catalog-relative path. */
  files: Record<string, Readonly<PublishedFile>>;
}
