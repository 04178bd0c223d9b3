import { describe, expect, it } from 'vitest';
import {
  addCatalog,
  openCatalog,
  removeCatalog,
  syncCatalogs,
  type CatalogContext,
} from '../../../src/app/catalogs.js';
import { refuseUnpublished } from '../../../src/app/published-digest.js';
import { MemoryCatalogFiles } from '../../fakes/memory-catalog-files.js';
import { MemoryCatalogRegistry } from '../../fakes/memory-catalog-registry.js';
import { MemoryGitRepository } from '../../fakes/memory-git-repository.js';
import { MemoryPublishedLedgerStore } from '../../fakes/memory-published-ledger-store.js';
import { catalogFixtureFiles, manifestYaml } from '../../support/catalog-fixture.js';
import { rejection } from '../../support/rejection.js';

const URL = 'https://git.example.go.id/ksad/catalog.git';
const V2 = 'manifests/kota-bandung/antrean-daring/2.0.0.yaml';
const V21 = 'manifests/kota-bandung/antrean-daring/2.1.0.yaml';
const CLONE = '/cache/catalogs/ksad';

function setup() {
  const files = new MemoryCatalogFiles('/work');
  const git = new MemoryGitRepository(files);
  const registry = new MemoryCatalogRegistry(files);
  const published = new MemoryPublishedLedgerStore();
  const ctx: CatalogContext = {
    files,
    git,
    registry,
    published,
    clock: { now: () => new Date(Date.UTC(2025, 5, 1)) },
    sampleRoot: '/opt/ksad',
  };
  return { ctx, files, git, registry, published };
}

describe('sync with a ledger of published manifests', () => {
  it('records the manifests at add, refuses a change, stays on the last commit and adopts a repair', async () => {
    const { ctx, git, registry, published } = setup();
    const first = git.publish(URL, catalogFixtureFiles());
    await addCatalog(ctx, 'ksad', URL);
    expect(Object.keys(published.ledgers.get('ksad')?.files ?? {})).toHaveLength(5);
    expect(published.ledgers.get('ksad')?.commit).toBe(first);

    const bad = git.publish(URL, { ...catalogFixtureFiles(), [V2]: 'edited: true\n' });
    const refused = await rejection(syncCatalogs(ctx, 'ksad'));
    expect(refused.code).toBe('INTEGRITY');
    expect(refused.message).toContain(`commit ${bad.slice(0, 12)}`);
    expect(refused.message).toContain(`${V2}: changed`);
    expect(refused.details).toContain(`in ${bad.slice(0, 12)} "update": ${V2} modified`);
    expect(registry.catalogs[0]?.commit).toBe(first);
    expect((await openCatalog(ctx, 'ksad')).commit).toBe(first);
    expect(published.ledgers.get('ksad')?.commit).toBe(first);

    const good = git.publish(URL, {
      ...catalogFixtureFiles(),
      [V21]: manifestYaml('antrean-daring', '2.1.0'),
    });
    const [result] = await syncCatalogs(ctx, 'ksad');
    expect(result).toMatchObject({ status: 'updated', from: first, to: good });
    expect(published.ledgers.get('ksad')?.files[V21]?.since).toBe(good);
    expect(published.ledgers.get('ksad')?.files[V2]?.since).toBe(first);

    await removeCatalog(ctx, 'ksad');
    expect(published.ledgers.has('ksad')).toBe(false);
  });

  it('takes the clone at its last commit as the record for a catalog added without one', async () => {
    const { ctx, git, published } = setup();
    const first = git.publish(URL, catalogFixtureFiles());
    await addCatalog(ctx, 'ksad', URL);
    published.ledgers.clear();
    const files = catalogFixtureFiles();
    delete files[V2];
    git.publish(URL, files);
    const refused = await rejection(syncCatalogs(ctx, 'ksad'));
    expect(refused.code).toBe('INTEGRITY');
    expect(refused.details).toContain(`${V2}: deleted; published at ${first.slice(0, 12)}`);
  });

  it('removes a clone made again that cannot go back to the last adopted commit', async () => {
    const { ctx, git, files, registry } = setup();
    const first = git.publish(URL, catalogFixtureFiles());
    await addCatalog(ctx, 'ksad', URL);
    files.removeDir(CLONE);
    const files2 = catalogFixtureFiles();
    delete files2[V2];
    git.publish(URL, files2);
    git.checkoutCommit = () => Promise.reject(new Error('no such commit'));
    const refused = await rejection(syncCatalogs(ctx, 'ksad'));
    expect(refused.code).toBe('INTEGRITY');
    expect(refused.suggestions[0]).toBe(
      'the refused commit is not used: sync again once upstream is repaired (ksad catalog sync ksad)',
    );
    expect(Object.keys(files.tree(CLONE))).toEqual([]);
    expect(registry.catalogs[0]?.commit).toBe(first);
  });

  it('refuses a publish tag naming a version that is missing', async () => {
    const { ctx, git } = setup();
    const first = git.publish(URL, catalogFixtureFiles());
    await addCatalog(ctx, 'ksad', URL);
    git.tag(URL, 'kota-bandung/antrean-daring/2.1.0', first);
    const refused = await rejection(syncCatalogs(ctx, 'ksad'));
    expect(refused.message).toContain(
      `${V21}: deleted; published by tag kota-bandung/antrean-daring/2.1.0`,
    );
  });
});

describe('refuseUnpublished', () => {
  it('passes the published bytes and refuses others; a catalog without a record is read as it is', async () => {
    const { ctx, git, files } = setup();
    git.publish(URL, catalogFixtureFiles());
    await addCatalog(ctx, 'ksad', URL);
    const clean = await openCatalog(ctx, 'ksad');
    const loaded = clean.manifests.find((m) => m.file === V2)!;
    expect(() => refuseUnpublished(clean, loaded)).not.toThrow();

    files.putTree(CLONE, { [V2]: `${catalogFixtureFiles()[V2]}# edited\n` });
    const edited = await openCatalog(ctx, 'ksad');
    expect(() =>
      refuseUnpublished(
        edited,
        edited.manifests.find((m) => m.file === V2)!,
      ),
    ).toThrow(
      /^refusing manifests\/kota-bandung\/antrean-daring\/2\.0\.0\.yaml: its digest sha256:[0-9a-f]+ differs from sha256:[0-9a-f]+, recorded as published at/,
    );

    files.putTree(CLONE, {
      [`${V2}.sig`]: 'added behind sync\n',
      [V2]: catalogFixtureFiles()[V2]!,
    });
    const signedLocally = await openCatalog(ctx, 'ksad');
    // A signature the record does not have is left to signature verification.
    expect(() =>
      refuseUnpublished(
        signedLocally,
        signedLocally.manifests.find((m) => m.file === V2)!,
      ),
    ).not.toThrow();

    files.putTree('/work/folder', catalogFixtureFiles());
    const folder = await openCatalog(ctx, '/work/folder');
    expect(folder.published).toBeUndefined();
    expect(() => refuseUnpublished(folder, folder.manifests[0]!)).not.toThrow();
  });
});
