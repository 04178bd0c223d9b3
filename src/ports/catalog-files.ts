import type { SourceFile } from '../core/catalog-model.js';

/** What a path on disk is, as far as opening a catalog is concerned. */
export interface RootInfo {
  kind: 'missing' | 'file' | 'directory';
  /** `catalog/catalog.yaml` exists: the folder identifies itself as a KSAD catalog. */
  hasCatalogFile: boolean;
  /** `catalog/` or `manifests/` exists: enough to read (and lint) it as a catalog. */
  hasCatalogDirs: boolean;
}

/**
 * The files of a catalog on disk. Implemented by `adapters/fs-catalog-files.ts` and, for use-case
 * tests, by `test/fakes/memory-catalog-files.ts`.
 */
export interface CatalogFiles {
  /**
   * Every `.yaml`, `.yml` and `.sig` file under `catalog/` and `manifests/` of `root`, with paths
   * relative to `root` and `/` separators, sorted by path. Hidden folders are skipped. An entry
   * that cannot be a catalog file (a symbolic link, a folder with a file's name, a special file,
   * a hidden YAML file, a file the input reader refuses) comes back with empty text and a
   * `problem`, so lint names it. Throws `KsadError('CATALOG_UNAVAILABLE')` when `root` cannot be
   * read. `onListed`, when given, hears every path found (sorted) once the folders are walked and
   * before any file is read, so that work sized by the catalog can start while the files are read.
   */
  readCatalogFiles(
    root: string,
    onListed?: (paths: readonly string[]) => void,
  ): Promise<SourceFile[]>;

  /**
   * Loose files named by the user: a file is read as is; a folder contributes every `.yaml`/`.yml`
   * file below it. Paths are kept as the user wrote them (joined with `/`), so diagnostics point
   * where the user looks. Throws `KsadError('NOT_FOUND')` for a path that does not exist, and a
   * `KsadError` naming the file for one that is not a regular file, too large or not UTF-8.
   */
  readFiles(paths: readonly string[]): Promise<SourceFile[]>;

  describeRoot(path: string): Promise<RootInfo>;

  /** Absolute form of a path the user typed (relative to the working directory). */
  resolvePath(path: string): string;

  /** The path of `relative` taken from the folder that holds `file` (`a/b.yml`, `.env` → `a/.env`). */
  besideFile(file: string, relative: string): string;

  /** The name of the folder that holds `file` (its absolute form's parent). */
  folderNameOf(file: string): string;

  /** Writes `text` to `path` (creating parent folders) via a temp file and a rename. */
  writeTextFile(path: string, text: string): Promise<void>;
}
