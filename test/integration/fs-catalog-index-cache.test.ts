import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsCatalogIndexCache } from '../../src/adapters/fs-catalog-index-cache.js';
import { buildCatalog } from '../../src/core/catalog-build.js';
import { catalogFixtureFiles } from '../support/catalog-fixture.js';
import { tempDir } from '../support/git-fixture.js';

const catalog = buildCatalog({
  name: 'c',
  root: '/srv/c',
  files: Object.entries(catalogFixtureFiles()).map(([path, text]) => ({ path, text })),
});

describe('FsCatalogIndexCache', () => {
  it('gives back the stored build for the same root, key and ksad build only', async () => {
    const dir = await tempDir();
    const cache = new FsCatalogIndexCache(dir, 'build-1');
    expect(await cache.get('/srv/c', 'k1')).toBeNull();
    await cache.put('/srv/c', 'k1', catalog);
    expect(await cache.get('/srv/c', 'k1')).toEqual(catalog);
    expect(await cache.get('/srv/c', 'k2')).toBeNull();
    expect(await cache.get('/srv/other', 'k1')).toBeNull();
    expect(await new FsCatalogIndexCache(dir, 'build-2').get('/srv/c', 'k1')).toBeNull();
  });

  it('keeps one entry per root, and treats a damaged entry as a miss', async () => {
    const dir = await tempDir();
    const cache = new FsCatalogIndexCache(dir, 'build-1');
    await cache.put('/srv/c', 'k1', catalog);
    await cache.put('/srv/c', 'k2', catalog);
    const entries = await readdir(dir);
    expect(entries).toHaveLength(1);
    await writeFile(join(dir, entries[0] ?? ''), 'not a V8 serialization');
    expect(await cache.get('/srv/c', 'k2')).toBeNull();
  });

  it('does not fail a command when the cache cannot be written', async () => {
    const dir = await tempDir();
    const blocked = join(dir, 'file');
    await writeFile(blocked, '');
    await expect(
      new FsCatalogIndexCache(join(blocked, 'index'), 'b').put('/srv/c', 'k', catalog),
    ).resolves.toBeUndefined();
  });
});
