import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsCatalogFiles } from '../../src/adapters/fs-catalog-files.js';
import { JsonCatalogRegistry } from '../../src/adapters/json-catalog-registry.js';
import { ksadDirs } from '../../src/adapters/paths.js';
import { SimpleGitRepository } from '../../src/adapters/simple-git-repository.js';
import {
  addCatalog,
  listCatalogs,
  openCatalog,
  removeCatalog,
  syncCatalogs,
  type CatalogContext,
} from '../../src/app/catalogs.js';
import { catalogFixtureFiles, manifestYaml } from '../support/catalog-fixture.js';
import { gitRepo, tempDir } from '../support/git-fixture.js';
import { rejection } from '../support/rejection.js';

async function context(): Promise<{ ctx: CatalogContext; home: string }> {
  const home = await tempDir('ksad-home-');
  const env = { ...process.env, KSAD_HOME: home };
  return {
    home,
    ctx: {
      files: new FsCatalogFiles(home),
      git: new SimpleGitRepository(env),
      registry: new JsonCatalogRegistry(ksadDirs(env)),
      clock: { now: () => new Date() },
      sampleRoot: join(home, 'no-sample'),
    },
  };
}

describe('git catalogs on real repositories', () => {
  it('adds by file:// URL, and a version committed upstream appears after sync', async () => {
    const upstream = await gitRepo();
    const first = await upstream.commit(catalogFixtureFiles(), 'initial catalog');
    const { ctx, home } = await context();

    const added = await addCatalog(ctx, 'ksad', upstream.url, { default: true });
    expect(added).toMatchObject({ name: 'ksad', kind: 'git', commit: first, default: true });
    expect(added.counts.manifests).toBe(5);
    expect(existsSync(join(home, 'catalogs.json'))).toBe(true);
    expect(await readdir(join(home, 'cache', 'catalogs'))).toEqual(['ksad']);

    const second = await upstream.commit(
      {
        'manifests/kota-bandung/antrean-daring/2.1.0.yaml': manifestYaml('antrean-daring', '2.1.0'),
      },
      'antrean-daring 2.1.0',
    );
    const third = upstream.remove(
      ['catalog/mous/bandung-bojonegoro-2019.yaml'],
      'drop expired MoU',
    );

    const [result] = await syncCatalogs(ctx);
    expect(result).toMatchObject({ name: 'ksad', status: 'updated', from: first, to: third });
    expect(second).not.toBe(third);
    expect(result?.changes?.manifests.added).toEqual([
      'manifests/kota-bandung/antrean-daring/2.1.0.yaml',
    ]);
    expect(result?.changes?.mous.removed).toEqual(['catalog/mous/bandung-bojonegoro-2019.yaml']);

    const catalog = await openCatalog(ctx);
    expect(catalog.commit).toBe(third);
    expect(catalog.manifests.map((m) => `${m.manifest.name}@${m.manifest.version}`)).toContain(
      'antrean-daring@2.1.0',
    );
    expect((await listCatalogs(ctx))[0]).toMatchObject({
      name: 'ksad',
      commit: third,
      default: true,
    });

    const [again] = await syncCatalogs(ctx, 'ksad');
    expect(again).toMatchObject({ status: 'unchanged', from: third, to: third });

    await removeCatalog(ctx, 'ksad');
    expect(await readdir(join(home, 'cache', 'catalogs'))).toEqual([]);
  });

  it('follows a tag and stays on it across syncs', async () => {
    const upstream = await gitRepo();
    const tagged = await upstream.commit(catalogFixtureFiles());
    upstream.git('tag', 'v2024.06');
    await upstream.commit({
      'manifests/kota-bandung/e-budgeting/2.1.0.yaml': manifestYaml('e-budgeting', '2.1.0'),
    });
    const { ctx } = await context();
    const added = await addCatalog(ctx, 'pinned', upstream.url, { ref: 'v2024.06' });
    expect(added.commit).toBe(tagged);
    const [result] = await syncCatalogs(ctx);
    expect(result).toMatchObject({ status: 'unchanged', to: tagged });
  });

  it('reports an unreachable URL as CATALOG_UNAVAILABLE and writes nothing', async () => {
    const { ctx, home } = await context();
    const url = 'https://127.0.0.1:1/ksad/catalog.git';
    const error = await rejection(addCatalog(ctx, 'ksad', url));
    expect(error.code).toBe('CATALOG_UNAVAILABLE');
    expect(error.exitCode).toBe(5);
    expect(error.message).toContain(url);
    expect(existsSync(join(home, 'catalogs.json'))).toBe(false);
    const clones = join(home, 'cache', 'catalogs');
    expect(existsSync(clones) ? await readdir(clones) : []).toEqual([]);
  });

  it('reports a missing repository and an unknown ref with git’s reason', async () => {
    const { ctx, home } = await context();
    const missing = await rejection(
      addCatalog(ctx, 'ksad', 'file:///nonexistent/ksad-catalog.git'),
    );
    expect(missing.code).toBe('CATALOG_UNAVAILABLE');
    expect(missing.message).toMatch(
      /does not appear to be a git repository|not found|does not exist/i,
    );

    const upstream = await gitRepo();
    await upstream.commit(catalogFixtureFiles());
    const badRef = await rejection(
      addCatalog(ctx, 'ksad', upstream.url, { ref: 'no-such-branch' }),
    );
    expect(badRef.code).toBe('CATALOG_UNAVAILABLE');
    expect(badRef.message).toContain('no-such-branch');
    expect(existsSync(join(home, 'catalogs.json'))).toBe(false);
  });

  it('refuses a repository that is not a catalog', async () => {
    const upstream = await gitRepo();
    await upstream.commit({ 'README.md': '# hello\n' });
    const { ctx, home } = await context();
    const error = await rejection(addCatalog(ctx, 'ksad', upstream.url));
    expect(error.code).toBe('CATALOG_UNAVAILABLE');
    expect(existsSync(join(home, 'catalogs.json'))).toBe(false);
    expect(await readdir(join(home, 'cache', 'catalogs'))).toEqual([]);
  });

  it('records the commit of a folder catalog that is a git working tree', async () => {
    const upstream = await gitRepo();
    const commit = await upstream.commit(catalogFixtureFiles());
    const { ctx } = await context();
    const catalog = await openCatalog(ctx, upstream.dir);
    expect(catalog.commit).toBe(commit);
    expect(catalog.members).toHaveLength(3);
  });

  it('takes only the top folder of a working tree (or a bare repository) for a repository', async () => {
    const upstream = await gitRepo();
    await upstream.commit(catalogFixtureFiles());
    const bare = await tempDir('ksad-bare-');
    execFileSync('git', ['clone', '--quiet', '--bare', upstream.dir, bare]);
    const plain = await tempDir('ksad-plain-');
    const git = new SimpleGitRepository(process.env);
    expect(await git.isRepo(upstream.dir)).toBe(true);
    expect(await git.isRepo(bare)).toBe(true);
    expect(await git.isRepo(join(upstream.dir, 'catalog'))).toBe(false);
    expect(await git.isRepo(plain)).toBe(false);
    expect(await git.isRepo(join(plain, 'missing'))).toBe(false);
  });
});
