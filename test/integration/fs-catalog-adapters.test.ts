import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsCatalogFiles } from '../../src/adapters/fs-catalog-files.js';
import { JsonCatalogRegistry } from '../../src/adapters/json-catalog-registry.js';
import { ksadDirs, sampleCatalogRoot } from '../../src/adapters/paths.js';
import type { RegisteredCatalog } from '../../src/ports/catalog-registry.js';
import {
  catalogFixtureFiles,
  manifestYaml,
  writeCatalogFixture,
  writeFiles,
} from '../support/catalog-fixture.js';
import { REPO_ROOT } from '../support/cli.js';
import { tempDir } from '../support/git-fixture.js';

describe('FsCatalogFiles', () => {
  it('reads the .yaml/.yml/.sig files under catalog/ and manifests/, relative and sorted', async () => {
    const root = await tempDir();
    await writeCatalogFixture(root);
    await writeFiles(root, {
      'manifests/kota-bandung/e-budgeting/2.0.0.yaml.sig': 'signature',
      'manifests/.hidden/x.yaml': 'hidden',
      'catalog/notes.txt': 'not yaml',
      'README.yaml': 'outside the catalog folders',
      '.github/workflows/ci.yml': 'ci',
    });
    const files = await new FsCatalogFiles(root).readCatalogFiles('.');
    const paths = files.map((f) => f.path);
    expect(paths).toEqual(
      [
        ...Object.keys(catalogFixtureFiles()),
        'manifests/kota-bandung/e-budgeting/2.0.0.yaml.sig',
      ].sort(),
    );
    expect(files.find((f) => f.path === 'catalog/catalog.yaml')?.text).toContain('id: ksad-test');
  });

  it('reads loose files and folders with the paths as given, once each', async () => {
    const root = await tempDir();
    await writeFiles(root, {
      'out/a.yaml': 'a: 1\n',
      'out/sub/b.yml': 'b: 2\n',
      'out/c.txt': 'x',
      'single.txt': 'as named',
    });
    const files = await new FsCatalogFiles(root).readFiles(['out', 'out/a.yaml', 'single.txt']);
    expect(files.map((f) => f.path)).toEqual(['out/a.yaml', 'out/sub/b.yml', 'single.txt']);
    await expect(new FsCatalogFiles(root).readFiles(['nope.yaml'])).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('describes roots', async () => {
    const root = await tempDir();
    await writeCatalogFixture(join(root, 'c'));
    await mkdir(join(root, 'plain'));
    const fs = new FsCatalogFiles(root);
    expect(await fs.describeRoot('c')).toEqual({
      kind: 'directory',
      hasCatalogFile: true,
      hasCatalogDirs: true,
    });
    expect(await fs.describeRoot('plain')).toEqual({
      kind: 'directory',
      hasCatalogFile: false,
      hasCatalogDirs: false,
    });
    expect(await fs.describeRoot('c/catalog/catalog.yaml')).toMatchObject({ kind: 'file' });
    expect(await fs.describeRoot('missing')).toMatchObject({ kind: 'missing' });
    await expect(fs.readCatalogFiles('missing')).rejects.toMatchObject({
      code: 'CATALOG_UNAVAILABLE',
    });
  });

  it('reads 10,000 manifests quickly', async () => {
    const root = await tempDir();
    const text = manifestYaml('app', '1.0.0');
    await mkdir(join(root, 'catalog'));
    await writeFile(
      join(root, 'catalog', 'catalog.yaml'),
      'schemaVersion: 1\nid: big\ntitle: Big\n',
    );
    for (let a = 0; a < 100; a++) {
      const dir = join(root, 'manifests', 'kota-bandung', `app-${a}`);
      await mkdir(dir, { recursive: true });
      await Promise.all(
        Array.from({ length: 100 }, (_, v) => writeFile(join(dir, `1.0.${v}.yaml`), text)),
      );
    }
    const started = performance.now();
    const files = await new FsCatalogFiles(root).readCatalogFiles(root);
    const elapsed = performance.now() - started;
    console.log(`read 10,001 files in ${Math.round(elapsed)} ms`);
    expect(files).toHaveLength(10_001);
    expect(files[1]?.path).toBe('manifests/kota-bandung/app-0/1.0.0.yaml');
    // Generous for busy CI machines; sequential reads of this size take several times longer.
    expect(elapsed).toBeLessThan(15_000);
  });

  it('writes text files atomically, creating folders', async () => {
    const root = await tempDir();
    const fs = new FsCatalogFiles(root);
    await fs.writeTextFile('a/b/c.json', '{}\n');
    expect(await readFile(join(root, 'a/b/c.json'), 'utf8')).toBe('{}\n');
    expect(await readdir(join(root, 'a/b'))).toEqual(['c.json']);
  });
});

describe('JsonCatalogRegistry', () => {
  const entry: RegisteredCatalog = {
    name: 'ksad',
    kind: 'git',
    source: 'https://example.org/ksad.git',
    default: true,
    root: '/x',
    addedAt: '2025-06-01T00:00:00.000Z',
    commit: 'a'.repeat(40),
  };

  it('round-trips the list and keeps no temp files', async () => {
    const home = await tempDir();
    const registry = new JsonCatalogRegistry(ksadDirs({ KSAD_HOME: home }));
    expect(await registry.list()).toEqual([]);
    await registry.save([entry]);
    expect(await registry.list()).toEqual([entry]);
    expect(await readdir(home)).toEqual(['catalogs.json']);
  });

  it('stages clones beside their final place and moves them in', async () => {
    const home = await tempDir();
    const registry = new JsonCatalogRegistry(ksadDirs({ KSAD_HOME: home }));
    const staged = await registry.stageClone('ksad');
    await mkdir(staged.dir);
    await writeFile(join(staged.dir, 'f'), 'x');
    const root = await staged.commit();
    expect(root).toBe(join(home, 'cache', 'catalogs', 'ksad'));
    expect(await readdir(join(home, 'cache', 'catalogs'))).toEqual(['ksad']);
    const failed = await registry.stageClone('other');
    await mkdir(failed.dir);
    await failed.discard();
    expect(await readdir(join(home, 'cache', 'catalogs'))).toEqual(['ksad']);
    await registry.deleteClone('ksad');
    expect(existsSync(root)).toBe(false);
  });

  it('names a corrupt list and how to fix it', async () => {
    const home = await tempDir();
    await writeFile(
      join(home, 'catalogs.json'),
      '{ "schemaVersion": 1, "catalogs": [ { "name": 3 } ] }',
    );
    const registry = new JsonCatalogRegistry(ksadDirs({ KSAD_HOME: home }));
    await expect(registry.list()).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringContaining('catalogs.json') as string,
    });
  });
});

describe('paths', () => {
  it('puts everything under KSAD_HOME, else follows XDG, else ~/.config and ~/.cache', () => {
    expect(ksadDirs({ KSAD_HOME: '/k' })).toEqual({ config: '/k', cache: '/k/cache' });
    expect(ksadDirs({ XDG_CONFIG_HOME: '/c', XDG_CACHE_HOME: '/d' })).toEqual({
      config: '/c/ksad',
      cache: '/d/ksad',
    });
    expect(ksadDirs({}).config).toMatch(/\.config[\\/]ksad$/);
  });

  it('finds the package root that holds the sample catalog', () => {
    expect(sampleCatalogRoot()).toBe(REPO_ROOT.replace(/[\\/]$/, ''));
    expect(existsSync(join(sampleCatalogRoot(), 'package.json'))).toBe(true);
  });
});
