/**
 * A catalog that cannot be rewritten under its recipients, on real git repositories: a sync
 * refuses a commit that changes, deletes or re-signs a published manifest (a forward commit or a
 * force-push alike), keeps the last adopted commit in use, and adopts a later repaired commit; a
 * deploy refuses a manifest whose bytes differ from the published ones; show and search report a
 * tampered signature as invalid.
 */
import { execFileSync } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsCatalogFiles } from '../../src/adapters/fs-catalog-files.js';
import { JsonCatalogRegistry } from '../../src/adapters/json-catalog-registry.js';
import { JsonPublishedLedgerStore } from '../../src/adapters/json-published-ledger-store.js';
import { ksadDirs } from '../../src/adapters/paths.js';
import { SimpleGitRepository } from '../../src/adapters/simple-git-repository.js';
import { searchApps, showApp } from '../../src/app/browse.js';
import {
  addCatalog,
  listCatalogs,
  openCatalog,
  syncCatalogs,
  type CatalogContext,
} from '../../src/app/catalogs.js';
import { refuseUnpublished } from '../../src/app/published-digest.js';
import type { Catalog, LoadedManifest } from '../../src/core/catalog-model.js';
import { REPO_ROOT } from '../support/cli.js';
import { catalogFixtureFiles, manifestYaml } from '../support/catalog-fixture.js';
import { gitRepo, tempDir, type GitFixture } from '../support/git-fixture.js';
import { rejection } from '../support/rejection.js';

const V2 = 'manifests/kota-bandung/antrean-daring/2.0.0.yaml';
const V21 = 'manifests/kota-bandung/antrean-daring/2.1.0.yaml';

async function context(): Promise<{ ctx: CatalogContext; home: string }> {
  const home = await tempDir('ksad-home-');
  const env = { ...process.env, KSAD_HOME: home };
  const dirs = ksadDirs(env);
  return {
    home,
    ctx: {
      files: new FsCatalogFiles(home),
      git: new SimpleGitRepository(env),
      registry: new JsonCatalogRegistry(dirs),
      published: new JsonPublishedLedgerStore(dirs),
      clock: { now: () => new Date() },
      sampleRoot: join(home, 'no-sample'),
    },
  };
}

/** An upstream catalog added by a recipient; returns the first commit. */
async function added(): Promise<{
  upstream: GitFixture;
  ctx: CatalogContext;
  home: string;
  first: string;
}> {
  const upstream = await gitRepo();
  const first = await upstream.commit(catalogFixtureFiles(), 'initial catalog');
  const { ctx, home } = await context();
  await addCatalog(ctx, 'ksad', upstream.url);
  return { upstream, ctx, home, first };
}

/** The commit the recipient's catalog is on: the registry's, the clone's and openCatalog's. */
async function inUse(ctx: CatalogContext, home: string): Promise<string[]> {
  const clone = join(home, 'cache', 'catalogs', 'ksad');
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: clone, encoding: 'utf8' });
  return [
    (await listCatalogs(ctx))[0]?.commit ?? '',
    head.trim(),
    (await openCatalog(ctx, 'ksad')).commit ?? '',
  ];
}

function manifestOf(catalog: Catalog, file: string): LoadedManifest {
  const found = catalog.manifests.find((m) => m.file === file);
  if (found === undefined) throw new Error(`${file} is not in the catalog`);
  return found;
}

describe('catalog sync guards published versions', () => {
  it('refuses a forward commit changing a published manifest, keeps the last commit, adopts a repaired one', async () => {
    const { upstream, ctx, home, first } = await added();
    const original = catalogFixtureFiles()[V2] ?? '';
    const bad = await upstream.commit({ [V2]: `${original}# quietly edited\n` }, 'tweak 2.0.0');

    const refused = await rejection(syncCatalogs(ctx, 'ksad'));
    expect(refused.code).toBe('INTEGRITY');
    expect(refused.exitCode).toBe(10);
    expect(refused.message).toContain(`commit ${bad.slice(0, 12)}`);
    expect(refused.message).toContain(`${V2}: changed; published at ${first.slice(0, 12)}`);
    expect(refused.details).toContain(`in ${bad.slice(0, 12)} "tweak 2.0.0": ${V2} modified`);
    expect(refused.suggestions[0]).toContain(`stays on ${first.slice(0, 12)}`);
    expect(await inUse(ctx, home)).toEqual([first, first, first]);

    // Refused again while upstream stays bad; nothing is adopted in between.
    expect((await rejection(syncCatalogs(ctx))).code).toBe('INTEGRITY');
    expect(await inUse(ctx, home)).toEqual([first, first, first]);

    upstream.git('revert', '--no-edit', 'HEAD');
    const good = await upstream.commit({ [V21]: manifestYaml('antrean-daring', '2.1.0') }, '2.1.0');
    const [result] = await syncCatalogs(ctx, 'ksad');
    expect(result).toMatchObject({ status: 'updated', from: first, to: good });
    expect(result?.changes?.manifests).toEqual({ added: [V21], changed: [], removed: [] });
    expect(await inUse(ctx, home)).toEqual([good, good, good]);
  });

  it('refuses a commit that deletes a published manifest', async () => {
    const { upstream, ctx, home, first } = await added();
    const removal = upstream.remove([V2], 'drop 2.0.0');
    const refused = await rejection(syncCatalogs(ctx, 'ksad'));
    expect(refused.code).toBe('INTEGRITY');
    expect(refused.message).toContain(`${V2}: deleted`);
    expect(refused.details).toContain(`in ${removal.slice(0, 12)} "drop 2.0.0": ${V2} deleted`);
    expect(await inUse(ctx, home)).toEqual([first, first, first]);
  });

  it('refuses upstream history force-pushed to drop a version, and adopts it moved back', async () => {
    const { upstream, ctx, home, first } = await added();
    const published = await upstream.commit(
      { [V21]: manifestYaml('antrean-daring', '2.1.0') },
      'publish 2.1.0',
    );
    await syncCatalogs(ctx, 'ksad');
    expect(await inUse(ctx, home)).toEqual([published, published, published]);

    upstream.git('reset', '--quiet', '--hard', first);
    const rewritten = await upstream.commit({ 'README.md': '# catalog\n' }, 'history rewritten');
    const refused = await rejection(syncCatalogs(ctx, 'ksad'));
    expect(refused.code).toBe('INTEGRITY');
    expect(refused.message).toContain(`commit ${rewritten.slice(0, 12)}`);
    expect(refused.message).toContain(`${V21}: deleted; published at ${published.slice(0, 12)}`);
    expect(await inUse(ctx, home)).toEqual([published, published, published]);

    // Upstream puts the branch back: the catalog follows without being removed and added again.
    upstream.git('reset', '--quiet', '--hard', published);
    const [back] = await syncCatalogs(ctx, 'ksad');
    expect(back).toMatchObject({ status: 'unchanged', to: published });
  });

  it('refuses a replaced or removed signature and allows signing an unsigned manifest', async () => {
    const { upstream, ctx, home, first } = await added();
    const signed = await upstream.commit({ [`${V2}.sig`]: 'signature one\n' }, 'sign 2.0.0');
    const [adopted] = await syncCatalogs(ctx, 'ksad');
    expect(adopted).toMatchObject({ status: 'updated', from: first, to: signed });

    await upstream.commit({ [`${V2}.sig`]: 'signature two\n' }, 're-sign 2.0.0');
    const replaced = await rejection(syncCatalogs(ctx, 'ksad'));
    expect(replaced.message).toContain(`${V2}: signature replaced`);
    upstream.git('reset', '--quiet', '--hard', signed);
    upstream.remove([`${V2}.sig`], 'unsign 2.0.0');
    const removed = await rejection(syncCatalogs(ctx, 'ksad'));
    expect(removed.message).toContain(`${V2}: signature removed`);
    expect(await inUse(ctx, home)).toEqual([signed, signed, signed]);
  });

  it('refuses to add a catalog whose publish tag names a version its branch dropped', async () => {
    const upstream = await gitRepo();
    const first = await upstream.commit(catalogFixtureFiles(), 'initial catalog');
    await upstream.commit({ [V21]: manifestYaml('antrean-daring', '2.1.0') }, 'publish 2.1.0');
    upstream.git('tag', '--annotate', '-m', 'publish', 'kota-bandung/antrean-daring/2.1.0');
    upstream.git('reset', '--quiet', '--hard', first);
    const { ctx } = await context();
    const refused = await rejection(addCatalog(ctx, 'ksad', upstream.url));
    expect(refused.code).toBe('INTEGRITY');
    expect(refused.message).toContain(
      `${V21}: deleted; published by tag kota-bandung/antrean-daring/2.1.0`,
    );
    expect(await listCatalogs(ctx)).toEqual([]);
  });
});

describe('deploy takes only the published bytes', () => {
  it('refuses a manifest changed in the clone behind sync, and one the ledger does not know', async () => {
    const { ctx, home, first } = await added();
    const clone = join(home, 'cache', 'catalogs', 'ksad');
    const untouched = await openCatalog(ctx, 'ksad');
    expect(() => refuseUnpublished(untouched, manifestOf(untouched, V2))).not.toThrow();

    const file = join(clone, ...V2.split('/'));
    await writeFile(file, `${await readFile(file, 'utf8')}# edited in the clone\n`);
    await writeFile(join(clone, ...V21.split('/')), manifestYaml('antrean-daring', '2.1.0'));
    const tampered = await openCatalog(ctx, 'ksad');
    const changed = (() => {
      try {
        refuseUnpublished(tampered, manifestOf(tampered, V2));
      } catch (error) {
        return error as Error & { code: string };
      }
      return null;
    })();
    expect(changed?.code).toBe('INTEGRITY');
    expect(changed?.message).toMatch(
      new RegExp(
        `differs from sha256:[0-9a-f]{64}, recorded as published at ${first.slice(0, 12)}`,
      ),
    );
    expect(() => refuseUnpublished(tampered, manifestOf(tampered, V21))).toThrow(
      /was not in catalog "ksad" at [0-9a-f]{12}, the commit last adopted/,
    );
  });
});

describe('show and search verify signatures', () => {
  it('report a tampered signature as invalid and the others as verified', async () => {
    const upstream = await gitRepo();
    await cp(join(REPO_ROOT, 'catalog'), join(upstream.dir, 'catalog'), { recursive: true });
    await cp(join(REPO_ROOT, 'manifests'), join(upstream.dir, 'manifests'), { recursive: true });
    const sig = (app: string, version: string): string =>
      join(upstream.dir, 'manifests', 'kota-bandung', app, `${version}.yaml.sig`);
    // Another manifest's genuine signature: well-formed, by a listed key, over other bytes.
    await writeFile(sig('antrean-daring', '2.0.0'), await readFile(sig('e-budgeting', '3.2.0')));
    upstream.git('add', '--all');
    upstream.git('commit', '--quiet', '-m', 'sample catalog, one signature swapped');
    const { ctx } = await context();
    await addCatalog(ctx, 'sample-copy', upstream.url);
    const catalog = await openCatalog(ctx, 'sample-copy');

    const shown = showApp(catalog, 'antrean-daring@2.0.0', '2026-12-01');
    expect(shown).toMatchObject({ signature: 'invalid', signed: false });
    expect(shown.signatureMessage).toContain('kota-bandung');
    const older = showApp(catalog, 'antrean-daring@1.1.0', '2026-12-01');
    expect(older).toMatchObject({ signature: 'verified', signed: true, signatureMessage: null });

    const hits = searchApps(catalog, { today: '2026-12-01' });
    expect(hits.find((h) => h.name === 'antrean-daring')?.signature).toBe('invalid');
    const others = hits.filter((h) => h.name !== 'antrean-daring');
    expect(others.length).toBeGreaterThan(3);
    expect(others.map((h) => h.signature)).toEqual(others.map(() => 'verified'));
  });
});
