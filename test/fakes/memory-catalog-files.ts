import { posix } from 'node:path';
import type { SourceFile } from '../../src/core/catalog-model.js';
import { KsadError } from '../../src/core/errors.js';
import type { CatalogFiles, RootInfo } from '../../src/ports/catalog-files.js';

/**
 * An in-memory file system behind the CatalogFiles port: absolute POSIX paths to text. The git
 * and registry fakes share it, so a clone "moved into place" moves its files here too.
 */
export class MemoryCatalogFiles implements CatalogFiles {
  readonly files = new Map<string, string>();

  constructor(
    readonly cwd = '/work',
    overrides: Partial<CatalogFiles> = {},
  ) {
    Object.assign(this, overrides);
  }

  /** Puts catalog-relative `files` under `root`. */
  putTree(root: string, files: Record<string, string>): void {
    for (const [path, text] of Object.entries(files))
      this.files.set(posix.join(this.resolvePath(root), path), text);
  }

  /** Paths relative to `dir` of every file below it. */
  tree(dir: string): Record<string, string> {
    const prefix = `${this.resolvePath(dir)}/`;
    const out: Record<string, string> = {};
    for (const [path, text] of this.files)
      if (path.startsWith(prefix)) out[path.slice(prefix.length)] = text;
    return out;
  }

  moveDir(from: string, to: string): void {
    const tree = this.tree(from);
    this.removeDir(to);
    this.removeDir(from);
    this.putTree(to, tree);
  }

  removeDir(dir: string): void {
    const prefix = `${this.resolvePath(dir)}/`;
    for (const path of [...this.files.keys()]) if (path.startsWith(prefix)) this.files.delete(path);
  }

  readCatalogFiles(
    root: string,
    onListed?: (paths: readonly string[]) => void,
  ): Promise<SourceFile[]> {
    const base = this.resolvePath(root);
    if (this.kind(base) !== 'directory') {
      return Promise.reject(
        new KsadError('CATALOG_UNAVAILABLE', `Cannot read catalog at ${root}: it is not a folder`),
      );
    }
    const out = Object.entries(this.tree(base))
      .filter(
        ([path]) =>
          /^(catalog|manifests)\//.test(path) &&
          !/(^|\/)\./.test(path) &&
          /\.(ya?ml|sig)$/i.test(path),
      )
      .map(([path, text]) => ({ path, text }))
      .sort((a, b) => a.path.localeCompare(b.path));
    onListed?.(out.map((f) => f.path));
    return Promise.resolve(out);
  }

  readFiles(paths: readonly string[]): Promise<SourceFile[]> {
    const out: SourceFile[] = [];
    for (const given of paths) {
      const absolute = this.resolvePath(given);
      const kind = this.kind(absolute);
      if (kind === 'missing')
        return Promise.reject(new KsadError('NOT_FOUND', `No such file or folder: ${given}`));
      if (kind === 'file') out.push({ path: given, text: this.files.get(absolute) ?? '' });
      else {
        for (const [rel, text] of Object.entries(this.tree(absolute)).sort(([a], [b]) =>
          a.localeCompare(b),
        )) {
          if (/\.ya?ml$/i.test(rel) && !/(^|\/)\./.test(rel))
            out.push({ path: posix.join(given, rel), text });
        }
      }
    }
    return Promise.resolve(out);
  }

  describeRoot(path: string): Promise<RootInfo> {
    const base = this.resolvePath(path);
    const kind = this.kind(base);
    return Promise.resolve({
      kind,
      hasCatalogFile: this.files.has(`${base}/catalog/catalog.yaml`),
      hasCatalogDirs:
        kind === 'directory' &&
        (this.kind(`${base}/catalog`) === 'directory' ||
          this.kind(`${base}/manifests`) === 'directory'),
    });
  }

  resolvePath(path: string): string {
    return posix.resolve(this.cwd, path);
  }

  besideFile(file: string, relative: string): string {
    return posix.join(posix.dirname(file), relative);
  }

  folderNameOf(file: string): string {
    return posix.basename(posix.dirname(this.resolvePath(file)));
  }

  writeTextFile(path: string, text: string): Promise<void> {
    this.files.set(this.resolvePath(path), text);
    return Promise.resolve();
  }

  private kind(absolute: string): RootInfo['kind'] {
    if (this.files.has(absolute)) return 'file';
    const prefix = absolute === '/' ? '/' : `${absolute}/`;
    for (const path of this.files.keys()) if (path.startsWith(prefix)) return 'directory';
    return 'missing';
  }
}
