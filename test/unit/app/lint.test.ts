import { describe, expect, it } from 'vitest';
import type { CatalogContext } from '../../../src/app/catalogs.js';
import { lintCatalogUseCase, lintManifestsUseCase } from '../../../src/app/lint.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import { KsadError } from '../../../src/core/errors.js';
import { checkCatalogManifest, type ManifestCheck } from '../../../src/core/lint/index.js';
import type { ManifestChecker } from '../../../src/ports/manifest-checker.js';
import { MemoryCatalogFiles } from '../../fakes/memory-catalog-files.js';
import { MemoryCatalogRegistry } from '../../fakes/memory-catalog-registry.js';
import { MemoryGitRepository } from '../../fakes/memory-git-repository.js';
import { catalogFixtureFiles, manifestYaml } from '../../support/catalog-fixture.js';
import { recordingProgress } from '../../support/recording-progress.js';

const TODAY = '2025-06-01';

function setup(): { ctx: CatalogContext; files: MemoryCatalogFiles } {
  const files = new MemoryCatalogFiles('/work');
  const ctx: CatalogContext = {
    files,
    git: new MemoryGitRepository(files),
    registry: new MemoryCatalogRegistry(files),
    clock: { now: () => new Date('2025-06-01T00:00:00Z') },
    sampleRoot: '/opt/ksad',
  };
  return { ctx, files };
}

describe('lintCatalogUseCase', () => {
  it('finds no errors in the fixture catalog', async () => {
    const { ctx, files } = setup();
    files.putTree('/work/c', catalogFixtureFiles());
    const report = await lintCatalogUseCase(ctx, { catalog: 'c', today: TODAY });
    expect(report.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual(
      [],
    );
    expect(report).toMatchObject({
      errors: 0,
      catalog: { name: 'c', root: '/work/c', commit: null },
    });
    expect(report.files).toBe(11);
  });

  it('reports syntax, unknown keys and bad versions once each, sorted, with positions', async () => {
    const { ctx, files } = setup();
    files.putTree('/opt/ksad', {
      ...catalogFixtureFiles(),
      'catalog/members/kota-tangerang.yaml': 'code: "36.71"\nname: [unclosed\n',
      'catalog/members/kabupaten-wonosobo.yaml':
        'code: "33.07"\nname: Kabupaten Wonosobo\nkind: kabupaten\ncontacts:\n  - name: Diskominfo\nwebsiteUrl: x\n',
      'manifests/kota-bandung/e-budgeting/2.1.yaml': manifestYaml('e-budgeting', '2.1'),
    });
    const report = await lintCatalogUseCase(ctx, { today: TODAY });
    const lines = report.diagnostics.map(formatDiagnostic);
    expect(report.catalog?.name).toBe('sample');
    expect(report.errors).toBeGreaterThanOrEqual(3);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines).toContainEqual(
      expect.stringMatching(/^catalog\/members\/kabupaten-wonosobo\.yaml:6:1: error: .*websiteUrl/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^catalog\/members\/kota-tangerang\.yaml:\d+:\d+: error: /),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^manifests\/kota-bandung\/e-budgeting\/2\.1\.yaml:3:\d+: error: version: /,
      ),
    );
    expect([...lines].sort((a, b) => a.localeCompare(b))).toEqual(
      lines.slice().sort((a, b) => a.localeCompare(b)),
    );
  });
});

describe('lintCatalogUseCase with a manifest checker', () => {
  it('reports what it reports checking in its own thread, and asks only about manifests', async () => {
    const broken = {
      ...catalogFixtureFiles(),
      'catalog/members/kota-tangerang.yaml': 'code: "36.71"\nname: [unclosed\n',
      'manifests/kota-bandung/e-budgeting/2.1.yaml': manifestYaml('e-budgeting', '2.1'),
      'manifests/kota-bandung/e-budgeting/9.9.9.yaml': 'name: a\nname: b\n',
      'manifests/kota-bandung/antrean-daring/1.0.0-copy.yaml': manifestYaml(
        'antrean-daring',
        '1.0.0',
      ),
    };
    const plain = setup();
    plain.files.putTree('/work/c', broken);
    const expected = await lintCatalogUseCase(plain.ctx, { catalog: 'c', today: TODAY });

    const asked: string[] = [];
    // Checks come back as plain data from another thread: cloned, and worked out in any order.
    const checker: ManifestChecker = {
      checkManifests(files, opts) {
        asked.push(...files.map((f) => f.path));
        const checks = new Map<string, ManifestCheck>();
        for (const f of [...files].reverse()) checks.set(f.path, checkCatalogManifest(f, opts));
        return Promise.resolve(structuredClone(files.map((f) => checks.get(f.path)!)));
      },
    };
    const threaded = setup();
    threaded.files.putTree('/work/c', broken);
    const report = await lintCatalogUseCase(
      { ...threaded.ctx, checker },
      { catalog: 'c', today: TODAY },
    );
    expect(report).toEqual(expected);
    expect(expected.errors).toBeGreaterThanOrEqual(4);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((p) => p.startsWith('manifests/') && p.endsWith('.yaml'))).toBe(true);
  });

  it('shows checking the manifests as one step, counting what the checker says it checked', async () => {
    const { ctx, files } = setup();
    files.putTree('/work/c', catalogFixtureFiles());
    const checker: ManifestChecker = {
      checkManifests(manifests, opts, onChecked) {
        manifests.forEach((_, i) => onChecked?.(i + 1));
        return Promise.resolve(manifests.map((f) => checkCatalogManifest(f, opts)));
      },
    };
    const progress = recordingProgress();
    await lintCatalogUseCase({ ...ctx, checker, progress }, { catalog: 'c', today: TODAY });
    const [step] = progress.steps;
    expect(progress.steps).toHaveLength(1);
    const total = Object.keys(catalogFixtureFiles()).filter((p) =>
      p.startsWith('manifests/'),
    ).length;
    expect(step?.title).toBe(`Checking ${total} manifests`);
    expect(step?.details.at(-1)).toBe(`${total}/${total}`);
  });
});

describe('lintManifestsUseCase', () => {
  it('reads folders and files, keeps the paths as given, checks against the catalog', async () => {
    const { ctx, files } = setup();
    files.putTree('/opt/ksad', catalogFixtureFiles());
    files.putTree('/work/out', {
      'ok.yaml': manifestYaml('antrean-daring', '2.1.0'),
      'nested/bad.yml': manifestYaml('antrean-daring', 'v2.1'),
      'notes.txt': 'ignored',
    });
    const report = await lintManifestsUseCase(ctx, ['out'], { today: TODAY });
    expect(report.files).toBe(2);
    expect(report.catalog?.name).toBe('sample');
    const errors = report.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((d) => d.file === 'out/nested/bad.yml')).toBe(true);
  });

  it('goes on without a catalog when none can be opened, but not when one is named', async () => {
    const { ctx, files } = setup();
    files.putTree('/work', { 'm.yaml': manifestYaml('antrean-daring', '2.1.0') });
    const report = await lintManifestsUseCase(ctx, ['m.yaml'], { today: TODAY });
    expect(report.catalog).toBeNull();
    await expect(
      lintManifestsUseCase(ctx, ['m.yaml'], { catalog: 'nope', today: TODAY }),
    ).rejects.toBeInstanceOf(KsadError);
  });

  it('names paths that do not exist, and refuses folders without manifests', async () => {
    const { ctx, files } = setup();
    files.putTree('/work/empty', { 'README.md': 'x' });
    await expect(
      lintManifestsUseCase(ctx, ['missing.yaml'], { today: TODAY }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(lintManifestsUseCase(ctx, ['empty'], { today: TODAY })).rejects.toMatchObject({
      code: 'USAGE',
    });
  });
});
