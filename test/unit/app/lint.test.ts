import { describe, expect, it } from 'vitest';
import type { CatalogContext } from '../../../src/app/catalogs.js';
import { lintCatalogUseCase, lintManifestsUseCase } from '../../../src/app/lint.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import { KsadError } from '../../../src/core/errors.js';
import {
  checkCatalogManifest,
  lintCatalogFiles,
  signersOf,
  type ManifestCheck,
} from '../../../src/core/lint/index.js';
import {
  formatPrivateKeyFile,
  formatSignatureFile,
  generateSigningKeyPair,
  parsePrivateKeyFile,
  signManifest,
} from '../../../src/core/signing.js';
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

/** The fixture catalog with kota-bandung's key listed and three of its manifests signed by it:
 * one as signed, one changed after signing, one signed by a key the member does not list. */
function signedCatalog(): Record<string, string> {
  const files = catalogFixtureFiles();
  const sign = (id: string) => {
    const pair = generateSigningKeyPair();
    const key = parsePrivateKeyFile(
      'k.pem',
      formatPrivateKeyFile(id, 'kota-bandung', pair.privateKeyPem),
    );
    return {
      pair,
      sign: (file: string) => formatSignatureFile(signManifest(file, files[file]!, id, key.key)),
    };
  };
  const listed = sign('bandung-2025');
  const stranger = sign('bandung-lost');
  files['catalog/members/kota-bandung.yaml'] +=
    `keys:\n  - id: bandung-2025\n    algorithm: ed25519\n    publicKey: ${listed.pair.publicKey}\n`;
  const [good, changed, foreign] = Object.keys(files).filter((p) =>
    p.startsWith('manifests/kota-bandung/'),
  );
  files[`${good}.sig`] = listed.sign(good!);
  files[`${changed}.sig`] = listed.sign(changed!);
  files[changed!] = files[changed!]!.replace(
    /^title: .*$/m,
    'title: Diubah Setelah Ditandatangani',
  );
  files[`${foreign}.sig`] = stranger.sign(foreign!);
  return files;
}

describe('lintCatalogUseCase with signed manifests', () => {
  it('checks each signature with its manifest, on the checker, as lint in one thread does', async () => {
    const plain = setup();
    plain.files.putTree('/work/c', signedCatalog());
    const expected = await lintCatalogUseCase(plain.ctx, { catalog: 'c', today: TODAY });
    const signatureErrors = expected.diagnostics.filter((d) => d.rule === 'signature');
    expect(signatureErrors).toHaveLength(2);

    const verdicts: string[] = [];
    const checker: ManifestChecker = {
      checkManifests(files, opts) {
        const checks = structuredClone(files.map((f) => checkCatalogManifest(f, opts)));
        for (const c of checks) if (c.verdict) verdicts.push(c.verdict.check.status);
        return Promise.resolve(checks);
      },
    };
    const threaded = setup();
    threaded.files.putTree('/work/c', signedCatalog());
    const report = await lintCatalogUseCase(
      { ...threaded.ctx, checker },
      { catalog: 'c', today: TODAY },
    );
    expect(report.diagnostics.filter((d) => d.rule === 'signature').map((d) => d.file)).toEqual(
      signatureErrors.map((d) => d.file),
    );
    expect(verdicts.sort()).toEqual(['invalid', 'invalid', 'verified']);
  });

  it('checks a signature again when the keys changed since its manifest was checked', () => {
    const files = Object.entries(signedCatalog()).map(([path, text]) => ({ path, text }));
    const opts = { today: TODAY, signers: signersOf(files) };
    const good = files.find(
      (f) => f.path.endsWith('.yaml') && files.some((s) => s.path === `${f.path}.sig`),
    )!;
    const signature = files.find((f) => f.path === `${good.path}.sig`)!.text;
    const check = checkCatalogManifest({ ...good, signature }, opts);
    expect(check.verdict?.check.status).toBe('verified');
    // The member's key is revoked (removed) after the manifest was checked on its own.
    const revoked = files.map((f) =>
      f.path === 'catalog/members/kota-bandung.yaml'
        ? { ...f, text: f.text.replace(/keys:[\s\S]*$/, 'keys: []\n') }
        : f,
    );
    const { diagnostics } = lintCatalogFiles(revoked, new Map([[good.path, check]]), opts);
    expect(diagnostics.filter((d) => d.rule === 'signature').map((d) => d.file)).toContain(
      `${good.path}.sig`,
    );
  });
});
