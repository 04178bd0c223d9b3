import { describe, expect, it } from 'vitest';
import {
  addCatalog,
  groupChanges,
  isGitSource,
  listCatalogs,
  openCatalog,
  removeCatalog,
  syncCatalogs,
  type CatalogContext,
} from '../../../src/app/catalogs.js';
import { catalogYamlDoc } from '../../../src/core/catalog-build.js';
import type { Catalog } from '../../../src/core/catalog-model.js';
import { MemoryCatalogFiles } from '../../fakes/memory-catalog-files.js';
import { MemoryCatalogRegistry } from '../../fakes/memory-catalog-registry.js';
import { MemoryGitRepository } from '../../fakes/memory-git-repository.js';
import { catalogFixtureFiles, manifestYaml } from '../../support/catalog-fixture.js';
import { recordingProgress } from '../../support/recording-progress.js';
import { rejection } from '../../support/rejection.js';

const URL = 'https://git.example.go.id/ksad/catalog.git';

function setup() {
  const files = new MemoryCatalogFiles('/work');
  const git = new MemoryGitRepository(files);
  const registry = new MemoryCatalogRegistry(files);
  let tick = 0;
  const ctx: CatalogContext = {
    files,
    git,
    registry,
    clock: { now: () => new Date(Date.UTC(2025, 5, 1, 0, 0, tick++)) },
    sampleRoot: '/opt/ksad',
  };
  return { ctx, files, git, registry };
}

describe('isGitSource', () => {
  it.each([
    ['https://example.org/x.git', true],
    ['file:///srv/git/catalog', true],
    ['ssh://git@example.org/x.git', true],
    ['git@github.com:ksad/catalog.git', true],
    ['./catalog', false],
    ['/srv/catalog', false],
    ['C:\\catalogs\\ksad', false],
  ])('%s → %s', (source, expected) => {
    expect(isGitSource(source)).toBe(expected);
  });
});

describe('addCatalog', () => {
  it('clones a git catalog into place and registers it', async () => {
    const { ctx, git, registry, files } = setup();
    const commit = git.publish(URL, catalogFixtureFiles());
    const added = await addCatalog(ctx, 'ksad', URL, { default: true });
    expect(added).toMatchObject({
      name: 'ksad',
      kind: 'git',
      commit,
      default: true,
      root: '/cache/catalogs/ksad',
    });
    expect(added.counts).toEqual({ members: 3, mous: 2, manifests: 5 });
    expect(registry.catalogs).toHaveLength(1);
    expect(Object.keys(files.tree('/cache/catalogs/ksad'))).toContain('catalog/catalog.yaml');
    expect([...files.files.keys()].some((p) => p.includes('.staging-'))).toBe(false);
  });

  it('registers a folder by its absolute path and reads it in place', async () => {
    const { ctx, files } = setup();
    files.putTree('/work/my-catalog', catalogFixtureFiles());
    const added = await addCatalog(ctx, 'local', 'my-catalog');
    expect(added).toMatchObject({
      kind: 'folder',
      source: '/work/my-catalog',
      root: '/work/my-catalog',
      commit: null,
    });
  });

  it('leaves nothing behind when the remote is unreachable', async () => {
    const { ctx, git, registry, files } = setup();
    git.unreachable.add(URL);
    const error = await rejection(addCatalog(ctx, 'ksad', URL));
    expect(error.code).toBe('CATALOG_UNAVAILABLE');
    expect(registry.saves).toBe(0);
    expect(files.files.size).toBe(0);
  });

  it('refuses a repository that is not a catalog and discards the clone', async () => {
    const { ctx, git, registry, files } = setup();
    git.publish(URL, { 'README.md': '# not a catalog' });
    const error = await rejection(addCatalog(ctx, 'ksad', URL));
    expect(error.code).toBe('CATALOG_UNAVAILABLE');
    expect(error.message).toContain('catalog/catalog.yaml');
    expect(registry.saves).toBe(0);
    expect(files.files.size).toBe(0);
  });

  it('refuses a duplicate name, a bad name, the reserved name and --ref on a folder', async () => {
    const { ctx, git, files } = setup();
    git.publish(URL, catalogFixtureFiles());
    files.putTree('/work/c', catalogFixtureFiles());
    await addCatalog(ctx, 'ksad', URL);
    expect((await rejection(addCatalog(ctx, 'ksad', URL))).code).toBe('USAGE');
    expect((await rejection(addCatalog(ctx, 'Bad Name', URL))).code).toBe('USAGE');
    expect((await rejection(addCatalog(ctx, 'sample', URL))).code).toBe('USAGE');
    expect((await rejection(addCatalog(ctx, 'c', '/work/c', { ref: 'main' }))).code).toBe('USAGE');
  });

  it('follows a ref and keeps a single default', async () => {
    const { ctx, git } = setup();
    const first = git.publish(URL, catalogFixtureFiles());
    git.tag(URL, 'v1', first);
    git.publish(URL, {
      ...catalogFixtureFiles(),
      'manifests/kota-bandung/e-budgeting/2.1.0.yaml': manifestYaml('e-budgeting', '2.1.0'),
    });
    await addCatalog(ctx, 'a', URL, { default: true });
    const pinned = await addCatalog(ctx, 'b', URL, { ref: 'v1', default: true });
    expect(pinned).toMatchObject({ commit: first, ref: 'v1', default: true });
    const listed = await listCatalogs(ctx);
    expect(listed.map((c) => [c.name, c.default])).toEqual([
      ['a', false],
      ['b', true],
    ]);
  });
});

describe('syncCatalogs', () => {
  it('reports the commit change and the changed files by kind', async () => {
    const { ctx, git, registry } = setup();
    const before = git.publish(URL, catalogFixtureFiles());
    await addCatalog(ctx, 'ksad', URL);
    const next: Record<string, string> = {
      ...catalogFixtureFiles(),
      'manifests/kota-bandung/antrean-daring/2.1.0.yaml': manifestYaml('antrean-daring', '2.1.0'),
    };
    delete next['catalog/mous/bandung-bojonegoro-2019.yaml'];
    next['catalog/members/kabupaten-sumbawa.yaml'] += 'website: https://sumbawakab.go.id\n';
    const after = git.publish(URL, next);

    const [result] = await syncCatalogs(ctx);
    expect(result).toMatchObject({ name: 'ksad', status: 'updated', from: before, to: after });
    expect(result?.changes).toEqual({
      manifests: {
        added: ['manifests/kota-bandung/antrean-daring/2.1.0.yaml'],
        changed: [],
        removed: [],
      },
      members: { added: [], changed: ['catalog/members/kabupaten-sumbawa.yaml'], removed: [] },
      mous: { added: [], changed: [], removed: ['catalog/mous/bandung-bojonegoro-2019.yaml'] },
      other: { added: [], changed: [], removed: [] },
    });
    expect(registry.catalogs[0]?.commit).toBe(after);
    const catalog = await openCatalog(ctx, 'ksad');
    expect(catalog.commit).toBe(after);
    expect(catalog.manifests.map((m) => m.manifest.version)).toContain('2.1.0');

    const [again] = await syncCatalogs(ctx, 'ksad');
    expect(again).toMatchObject({ status: 'unchanged', from: after, to: after });
  });

  it('clones again when the cache was cleared', async () => {
    const { ctx, git, files } = setup();
    const before = git.publish(URL, catalogFixtureFiles());
    await addCatalog(ctx, 'ksad', URL);
    files.removeDir('/cache/catalogs/ksad');
    const after = git.publish(URL, { ...catalogFixtureFiles(), 'README.md': 'hello' });
    const [result] = await syncCatalogs(ctx);
    expect(result).toMatchObject({ status: 'updated', from: before, to: after });
    expect(result?.changes?.other.added).toEqual(['README.md']);
  });

  it('shows the clone, each fetch and a clone again as steps of its progress', async () => {
    const { ctx, git, files } = setup();
    const progress = recordingProgress();
    git.publish(URL, catalogFixtureFiles());
    await addCatalog({ ...ctx, progress }, 'ksad', URL);
    await syncCatalogs({ ...ctx, progress });
    files.removeDir('/cache/catalogs/ksad');
    await syncCatalogs({ ...ctx, progress });
    expect(progress.steps.map((s) => s.title)).toEqual([
      `Cloning ${URL}`,
      `Fetching ksad from ${URL}`,
      `Cloning ${URL}`,
    ]);
  });

  it('syncs the reachable catalogs and reports the unreachable ones together', async () => {
    const { ctx, git, files, registry } = setup();
    const other = 'https://other.example.org/catalog.git';
    git.publish(URL, catalogFixtureFiles());
    git.publish(other, catalogFixtureFiles());
    files.putTree('/work/local', catalogFixtureFiles());
    await addCatalog(ctx, 'ksad', URL);
    await addCatalog(ctx, 'other', other);
    await addCatalog(ctx, 'local', '/work/local');
    const newest = git.publish(URL, { ...catalogFixtureFiles(), 'README.md': 'x' });
    git.unreachable.add(other);

    const error = await rejection(syncCatalogs(ctx));
    expect(error.code).toBe('CATALOG_UNAVAILABLE');
    expect(error.message).toContain('other');
    expect(error.details.join('\n')).toContain('ksad: updated');
    expect(error.details.join('\n')).toContain('local: local');
    expect(registry.catalogs.find((c) => c.name === 'ksad')?.commit).toBe(newest);
  });

  it('names an unknown catalog', async () => {
    const { ctx } = setup();
    expect((await rejection(syncCatalogs(ctx, 'nope'))).code).toBe('NOT_FOUND');
  });
});

describe('removeCatalog', () => {
  it('forgets the catalog and deletes its clone', async () => {
    const { ctx, git, files, registry } = setup();
    git.publish(URL, catalogFixtureFiles());
    await addCatalog(ctx, 'ksad', URL);
    const removed = await removeCatalog(ctx, 'ksad');
    expect(removed).toEqual({ name: 'ksad', kind: 'git', deleted: '/cache/catalogs/ksad' });
    expect(registry.catalogs).toEqual([]);
    expect(files.files.size).toBe(0);
    expect((await rejection(removeCatalog(ctx, 'ksad'))).code).toBe('NOT_FOUND');
  });

  it('leaves a folder catalog on disk', async () => {
    const { ctx, files } = setup();
    files.putTree('/work/local', catalogFixtureFiles());
    await addCatalog(ctx, 'local', 'local');
    await removeCatalog(ctx, 'local');
    expect(Object.keys(files.tree('/work/local')).length).toBeGreaterThan(0);
  });
});

describe('openCatalog', () => {
  it('falls back to the sample catalog, then to the default added one', async () => {
    const { ctx, git, files } = setup();
    files.putTree('/opt/ksad', catalogFixtureFiles());
    expect((await openCatalog(ctx)).name).toBe('sample');
    git.publish(URL, catalogFixtureFiles());
    await addCatalog(ctx, 'first', URL);
    expect((await openCatalog(ctx)).name).toBe('first');
    await addCatalog(ctx, 'second', URL, { default: true });
    const catalog = await openCatalog(ctx);
    expect(catalog.name).toBe('second');
    expect(catalog.commit).toMatch(/^[0-9a-f]{40}$/);
    expect((await openCatalog(ctx, 'sample')).root).toBe('/opt/ksad');
  });

  it('accepts a catalog folder path, and names what is wrong otherwise', async () => {
    const { ctx, files } = setup();
    files.putTree('/work/c', catalogFixtureFiles());
    files.putTree('/work/not-a-catalog', { 'README.md': 'x' });
    const catalog = await openCatalog(ctx, './c');
    expect(catalog).toMatchObject({ name: './c', root: '/work/c' });
    expect(catalog.members).toHaveLength(3);
    expect((await rejection(openCatalog(ctx, 'not-a-catalog'))).code).toBe('CATALOG_UNAVAILABLE');
    const missing = await rejection(openCatalog(ctx, 'nope'));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.suggestions.join(' ')).toContain('ksad catalog list');
  });

  it('builds a catalog once and reuses the build until a file changes', async () => {
    const { ctx, files } = setup();
    const stored = new Map<string, { key: string; catalog: Catalog }>();
    let hits = 0;
    ctx.indexCache = {
      get: (root, key) => {
        const entry = stored.get(root);
        if (entry?.key !== key) return Promise.resolve(null);
        hits++;
        return Promise.resolve(entry.catalog);
      },
      put: (root, key, catalog) => {
        stored.set(root, { key, catalog });
        return Promise.resolve();
      },
    };
    files.putTree('/work/c', catalogFixtureFiles());
    const first = await openCatalog(ctx, './c');
    const again = await openCatalog(ctx, '/work/c');
    expect(hits).toBe(1);
    expect(again).toEqual({ ...first, name: '/work/c' });
    // Its files can be re-opened (for line numbers and signature checks) as a fresh build's can.
    const manifest = again.manifests[0]?.file ?? '';
    expect(catalogYamlDoc(again, manifest)?.value).toEqual(catalogYamlDoc(first, manifest)?.value);
    expect(catalogYamlDoc(again, manifest)).toBeDefined();

    files.putTree('/work/c', {
      'manifests/kota-bandung/e-budgeting/9.0.0.yaml': manifestYaml('e-budgeting', '9.0.0'),
    });
    const changed = await openCatalog(ctx, './c');
    expect(hits).toBe(1);
    expect(changed.manifests.map((m) => m.manifest.version)).toContain('9.0.0');

    // A catalog of many megabytes is built every time: reading it back would cost as much.
    files.putTree('/work/big', {
      ...catalogFixtureFiles(),
      'catalog/members/notes.yaml': `# ${'catatan '.repeat(600_000)}\n`,
    });
    await openCatalog(ctx, './big');
    await openCatalog(ctx, './big');
    expect(stored.has('/work/big')).toBe(false);
    expect(hits).toBe(1);
  });

  it('says the sample is missing rather than returning an empty catalog', async () => {
    const { ctx } = setup();
    expect((await rejection(openCatalog(ctx))).code).toBe('CATALOG_UNAVAILABLE');
  });
});

describe('groupChanges', () => {
  it('sorts paths into kinds and statuses', () => {
    expect(
      groupChanges([
        { path: 'manifests/a/b/1.0.0.yaml.sig', status: 'added' },
        { path: 'catalog/catalog.yaml', status: 'modified' },
        { path: 'catalog/mous/x.yaml', status: 'added' },
      ]),
    ).toEqual({
      manifests: { added: ['manifests/a/b/1.0.0.yaml.sig'], changed: [], removed: [] },
      members: { added: [], changed: [], removed: [] },
      mous: { added: ['catalog/mous/x.yaml'], changed: [], removed: [] },
      other: { added: [], changed: ['catalog/catalog.yaml'], removed: [] },
    });
  });
});
