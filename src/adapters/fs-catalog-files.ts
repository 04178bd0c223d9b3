import { readFileSync, type Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, posix, resolve, sep } from 'node:path';
import type { SourceFile } from '../core/catalog-model.js';
import { KsadError } from '../core/errors.js';
import type { CatalogFiles, RootInfo } from '../ports/catalog-files.js';
import { writeFileAtomic } from './atomic-file.js';

const CATALOG_DIRS = ['catalog', 'manifests'] as const;
const CATALOG_EXTENSIONS = ['.yaml', '.yml', '.sig'];
const LOOSE_EXTENSIONS = ['.yaml', '.yml'];
/** Folders listed at a time while walking a catalog. */
const CONCURRENCY = 64;

/** Reads catalogs and loose manifests from the local file system. */
export class FsCatalogFiles implements CatalogFiles {
  constructor(private readonly cwd: string = process.cwd()) {}

  async readCatalogFiles(root: string): Promise<SourceFile[]> {
    const base = this.resolvePath(root);
    const info = await this.describeRoot(base);
    if (info.kind !== 'directory') {
      throw new KsadError(
        'CATALOG_UNAVAILABLE',
        `Cannot read catalog at ${root}: it is not a folder`,
      );
    }
    const relative: string[] = [];
    for (const dir of CATALOG_DIRS) {
      relative.push(...(await walk(base, dir, CATALOG_EXTENSIONS)));
    }
    relative.sort();
    try {
      return relative.map((path) => ({ path, text: readText(join(base, ...path.split('/'))) }));
    } catch (error) {
      throw new KsadError(
        'CATALOG_UNAVAILABLE',
        `Cannot read catalog at ${root}: ${reason(error)}`,
        { cause: error },
      );
    }
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
    return wanted.map((f) => ({ path: f.shown, text: readText(f.absolute) }));
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
 * Files are read one after the other, synchronously: catalog files are small, and a round trip
 * through the thread pool per file costs more than the read itself (10,000 manifests: ~0.15 s
 * read in turn, 0.6-1.5 s with 1 to 64 asynchronous reads in flight).
 */
function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

async function kindOf(path: string): Promise<RootInfo['kind']> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'directory' : 'file';
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return 'missing';
    throw error;
  }
}

/**
 * Files below `base/start` with one of `extensions`, as `/`-separated paths relative to `base`.
 * Folders are listed CONCURRENCY at a time; a missing `start` yields nothing.
 */
async function walk(base: string, start: string, extensions: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  let level = [start];
  while (level.length > 0) {
    const listings = await mapLimit(level, CONCURRENCY, async (rel) => {
      try {
        return await readdir(join(base, ...rel.split('/').filter(Boolean)), {
          withFileTypes: true,
        });
      } catch (error) {
        if (rel === start && isErrno(error, 'ENOENT')) return [] as Dirent[];
        throw error;
      }
    });
    const next: string[] = [];
    level.forEach((rel, i) => {
      for (const entry of listings[i] ?? []) {
        if (entry.name.startsWith('.')) continue;
        const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
        if (entry.isDirectory()) next.push(child);
        else if (entry.isFile() && extensions.some((ext) => entry.name.toLowerCase().endsWith(ext)))
          found.push(child);
      }
    });
    level = next;
  }
  return found.sort();
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
