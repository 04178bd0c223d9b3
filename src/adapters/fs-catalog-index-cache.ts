import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Catalog } from '../core/catalog-model.js';
import type { CatalogIndexCache } from '../ports/catalog-index-cache.js';
import { writeFileAtomic } from './atomic-file.js';

interface Entry {
  build: string;
  key: string;
  catalog: Catalog;
}

/**
 * One file per catalog root under `<cache>/index/`, holding the newest build of that root in V8's
 * serialization format: reading it back is far cheaper than parsing and validating the YAML. An
 * entry is used only for exactly the files (the key) and the ksad build (`build`) that made it;
 * anything else is a miss.
 */
export class FsCatalogIndexCache implements CatalogIndexCache {
  constructor(
    private readonly dir: string,
    private readonly build: string,
  ) {}

  async get(root: string, key: string): Promise<Catalog | null> {
    try {
      const entry = deserialize(await readFile(this.file(root))) as Partial<Entry>;
      return entry.build === this.build && entry.key === key && entry.catalog !== undefined
        ? entry.catalog
        : null;
    } catch {
      return null;
    }
  }

  async put(root: string, key: string, catalog: Catalog): Promise<void> {
    try {
      await writeFileAtomic(
        this.file(root),
        serialize({ build: this.build, key, catalog } satisfies Entry),
        {
          durable: false,
        },
      );
    } catch {
      // A cache that cannot be written costs the next run its speed, nothing else.
    }
  }

  private file(root: string): string {
    return join(this.dir, `${createHash('sha256').update(root).digest('hex').slice(0, 32)}.v8`);
  }
}
