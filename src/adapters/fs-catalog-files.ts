import { type Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, posix, resolve, sep } from 'node:path';
import type { SourceFile, SourceProblem } from '../core/catalog-model.js';
import { KsadError } from '../core/errors.js';
import type { CatalogFiles, RootInfo } from '../ports/catalog-files.js';
import { writeFileAtomic } from './atomic-file.js';
import { readInputFile, readInputText } from './input-file.js';

const CATALOG_DIRS = ['catalog', 'manifests'] as const;
const CATALOG_EXTENSIONS = ['.yaml', '.yml', '.sig'];
const LOOSE_EXTENSIONS = ['.yaml', '.yml'];
/** Folders listed at a time while walking a catalog. */
const CONCURRENCY = 64;

/** Reads catalogs and loose manifests from the local file system. */
export class FsCatalogFiles implements CatalogFiles {
  constructor(private readonly cwd: string = process.cwd()) {}

  async readCatalogFiles(
    root: string,
    onListed?: (paths: readonly string[]) => void,
  ): Promise<SourceFile[]> {
    const base = this.resolvePath(root);
    const info = await this.describeRoot(base);
    if (info.kind !== 'directory') {
      throw new KsadError(
        'CATALOG_UNAVAILABLE',
        `Cannot read catalog at ${root}: it is not a folder`,
      );
    }
    const relative: string[] = [];
    const odd: SourceFile[] = [];
    for (const dir of CATALOG_DIRS) {
      const listed = await walkCatalog(base, dir);
      relative.push(...listed.found);
      odd.push(...listed.odd);
    }
    relative.sort();
    onListed?.(relative);
    const read = relative.map((path) => readCatalogFile(base, path));
    return [...read, ...odd].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async readFiles(paths: readonly string[]): Promise<SourceFile[]> {
    const seen = new Set<string>();
    const wanted: { shown: string; absolute: string }[] = [];
    for (const given of paths) {
      const absolute = this.resolvePath(given);
      const kind = await kindOf(absolute);
      if (kind === 'missing') {
        throw new KsadError('NOT_FOUND', `No such file or folder: ${given}`, {
          suggestions: ['check the path; folders are searched for .yaml and .yml files'],
        });
      }
      const shown = toSlash(given);
      const files =
        kind === 'file'
          ? [{ shown, absolute }]
          : (await walk(absolute, '', LOOSE_EXTENSIONS)).map((rel) => ({
              shown: posix.join(shown, rel),
              absolute: join(absolute, ...rel.split('/')),
            }));
      for (const file of files) {
        if (seen.has(file.absolute)) continue;
        seen.add(file.absolute);
        wanted.push(file);
      }
    }
    return wanted.map((f) => ({
      path: f.shown,
      text: readInputText(f.absolute, '', { shown: f.shown }),
    }));
  }

  async describeRoot(path: string): Promise<RootInfo> {
    const base = this.resolvePath(path);
    const kind = await kindOf(base);
    if (kind !== 'directory') return { kind, hasCatalogFile: false, hasCatalogDirs: false };
    const [catalogFile, catalogDir, manifestsDir] = await Promise.all([
      kindOf(join(base, 'catalog', 'catalog.yaml')),
      kindOf(join(base, 'catalog')),
      kindOf(join(base, 'manifests')),
    ]);
    return {
      kind,
      hasCatalogFile: catalogFile === 'file',
      hasCatalogDirs: catalogDir === 'directory' || manifestsDir === 'directory',
    };
  }

  resolvePath(path: string): string {
    return resolve(this.cwd, path);
  }

  besideFile(file: string, relative: string): string {
    return join(dirname(file), relative);
  }

  folderNameOf(file: string): string {
    return basename(dirname(this.resolvePath(file)));
  }

  async writeTextFile(path: string, text: string): Promise<void> {
    await writeFileAtomic(this.resolvePath(path), text);
  }
}

/**
 * One catalog file, read through the shared input reader without following a symbolic link; what
 * it refuses (too large, not UTF-8, a link swapped in since the walk) becomes the file's problem,
 * reported by lint at the file, so one bad file never hides the others. Files are read one after
 * the other, synchronously: catalog files are small, and a round trip through the thread pool per
 * file costs more than the read itself (10,000 manifests: ~0.15 s read in turn, 0.6-1.5 s with 1
 * to 64 asynchronous reads in flight).
 */
function readCatalogFile(base: string, path: string): SourceFile {
  const read = readInputFile(join(base, ...path.split('/')), undefined, { follow: false });
  if (read.ok) return { path, text: read.text };
  const { line, col } = read.problem.kind === 'encoding' ? read.problem : { line: 0, col: 0 };
  return {
    path,
    text: '',
    problem: { severity: 'error', line, col, message: `file ${read.problem.message}` },
  };
}

async function kindOf(path: string): Promise<RootInfo['kind']> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'directory' : 'file';
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return 'missing';
    // A link loop is left to the reader, which names it.
    if (isErrno(error, 'ELOOP')) return 'file';
    throw error;
  }
}

/**
 * Files below `base/start` with one of `extensions`, as `/`-separated paths relative to `base`.
 * Folders are listed CONCURRENCY at a time; a missing `start` yields nothing.
 */
async function walk(base: string, start: string, extensions: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  await walkTree(base, start, (child, entry) => {
    if (entry.name.startsWith('.')) return false;
    if (entry.isDirectory()) return true;
    // Links and other odd entries with a YAML name are read too: the reader follows a link the
    // user's folder holds, and names what is not a regular file.
    if (hasExtension(entry.name, extensions)) found.push(child);
    return false;
  });
  return found.sort();
}

/**
 * The catalog files below `base/start`, and the entries that cannot be catalog files but would
 * otherwise vanish without a word: a symbolic link (never followed: it may point outside the
 * catalog), a folder with a file's name (`foo.yaml/`), a FIFO, socket or device, and a hidden file
 * with a catalog extension. Hidden folders (`.git`, `.github`) are skipped.
 */
async function walkCatalog(
  base: string,
  start: string,
): Promise<{ found: string[]; odd: SourceFile[] }> {
  const found: string[] = [];
  const odd: SourceFile[] = [];
  const problem = (path: string, severity: SourceProblem['severity'], message: string) =>
    odd.push({ path, text: '', problem: { severity, line: 0, col: 0, message } });
  await walkTree(base, start, (child, entry) => {
    const named = hasExtension(entry.name, CATALOG_EXTENSIONS);
    if (entry.name.startsWith('.')) {
      // Hidden folders and editor litter (`.#x.yaml` lock links) are not catalog content, but a
      // hidden YAML file looks like a document that was meant to count.
      if (entry.isFile() && named)
        problem(child, 'warning', 'hidden file: it is not read; rename it without the leading dot');
    } else if (entry.isSymbolicLink()) {
      problem(
        child,
        'error',
        'is a symbolic link: a catalog holds regular files only (links are not followed); put the file itself here',
      );
    } else if (entry.isDirectory()) {
      if (!named) return true;
      problem(child, 'error', 'is a folder with a file name: it is not read; rename or remove it');
    } else if (!entry.isFile()) {
      problem(
        child,
        'error',
        'is not a regular file (a FIFO, socket or device): it is not read; remove it',
      );
    } else if (named) {
      found.push(child);
    }
    return false;
  });
  return { found: found.sort(), odd };
}

/**
 * Lists the tree below `base/start` breadth first, CONCURRENCY folders at a time, handing each
 * entry to `visit` with its `/`-separated path relative to `base`; `visit` returns true to descend
 * into a folder. A missing `start` yields nothing.
 */
async function walkTree(
  base: string,
  start: string,
  visit: (child: string, entry: Dirent) => boolean,
): Promise<void> {
  let level = [start];
  while (level.length > 0) {
    const listings = await mapLimit(level, CONCURRENCY, async (rel) => {
      try {
        return await readdir(join(base, ...rel.split('/').filter(Boolean)), {
          withFileTypes: true,
        });
      } catch (error) {
        if (rel === start && (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')))
          return [] as Dirent[];
        throw new KsadError(
          'CATALOG_UNAVAILABLE',
          `Cannot list ${rel === '' ? base : rel}: ${reason(error)}`,
          { cause: error },
        );
      }
    });
    const next: string[] = [];
    level.forEach((rel, i) => {
      for (const entry of listings[i] ?? []) {
        const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
        if (visit(child, entry)) next.push(child);
      }
    });
    level = next;
  }
}

function hasExtension(name: string, extensions: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return extensions.some((ext) => lower.endsWith(ext));
}

/** `fn` over `items` with at most `limit` calls pending; results keep the order of `items`. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function toSlash(path: string): string {
  return sep === '\\' ? path.replaceAll('\\', '/') : path;
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
