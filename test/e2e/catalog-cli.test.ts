import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestYaml, writeCatalogFixture, writeFiles } from '../support/catalog-fixture.js';
import type { AppDetails, AppHit, MouRow } from '../../src/app/browse.js';
import type { AddedCatalog, ListedCatalog } from '../../src/app/catalogs.js';
import { FsCatalogFiles } from '../../src/adapters/fs-catalog-files.js';
import { JsonCatalogRegistry } from '../../src/adapters/json-catalog-registry.js';
import { ksadDirs } from '../../src/adapters/paths.js';
import { SimpleGitRepository } from '../../src/adapters/simple-git-repository.js';
import { lintCatalogUseCase, type LintReport } from '../../src/app/lint.js';
import { formatDiagnostic } from '../../src/core/diagnostics.js';
import type { WrittenSchema } from '../../src/app/schemas.js';
import { CLI_ROOT, runCli, type ErrorJson } from '../support/cli.js';
import { tempDir } from '../support/git-fixture.js';

interface JsonSchema {
  properties: Record<string, unknown>;
}

async function fixture(): Promise<{ home: string; catalog: string }> {
  const home = await tempDir('ksad-home-');
  const catalog = await tempDir('ksad-catalog-');
  await writeCatalogFixture(catalog);
  return { home, catalog };
}

describe('built CLI: catalogs, search, show, MoUs, lint, schema', () => {
  it('has been built', () => {
    expect(existsSync(join(CLI_ROOT, 'dist', 'ksad.cjs')), 'run `npm run build` first').toBe(true);
  });

  it('adds a folder catalog and lists it as the default', async () => {
    const { home, catalog } = await fixture();
    const added = runCli<AddedCatalog>(['catalog', 'add', 'test', catalog, '--json'], { home });
    expect(added.status, added.stderr).toBe(0);
    expect(added.json).toMatchObject({
      name: 'test',
      kind: 'folder',
      default: true,
      counts: { members: 3, mous: 2, manifests: 5 },
    });
    const listed = runCli<ListedCatalog[]>(['catalog', 'list', '--json'], { home });
    expect(listed.json).toEqual([
      expect.objectContaining({ name: 'test', kind: 'folder', default: true, source: catalog }),
    ]);
  });

  it('sees a changed catalog file on the next run although it keeps the catalog index', async () => {
    const { home, catalog } = await fixture();
    const search = (text: string) =>
      runCli<AppHit[]>(['search', text, '--catalog', catalog, '--json'], { home });
    expect(search('kelurahan').json).toEqual([]);
    expect(readdirSync(join(home, 'cache', 'index'))).toHaveLength(1);
    await writeFiles(catalog, {
      'manifests/kota-bandung/e-budgeting/9.0.0.yaml': manifestYaml('e-budgeting', '9.0.0', {
        shortDescription: 'Penganggaran elektronik sampai tingkat kelurahan',
      }),
    });
    const found = search('kelurahan');
    expect(found.status, found.stderr).toBe(0);
    expect(found.json).toEqual([expect.objectContaining({ name: 'e-budgeting', latest: '9.0.0' })]);
  });

  it('searches by text, dimension and region coverage', async () => {
    const { home, catalog } = await fixture();
    const byText = runCli<AppHit[]>(['search', 'DARING', '--catalog', catalog, '--json'], { home });
    expect(byText.status, byText.stderr).toBe(0);
    expect(byText.json.map((a) => a.name)).toEqual(['antrean-daring']);
    expect(byText.json[0]).toMatchObject({
      publisher: { slug: 'kota-bandung', code: '32.73' },
      latest: '2.0.0',
      versions: ['2.0.0', '1.1.0', '1.0.0'],
    });

    const byCategory = runCli<AppHit[]>(['search', 'finance', '--catalog', catalog, '--json'], {
      home,
    });
    expect(byCategory.json.map((a) => a.name)).toEqual(['e-budgeting']);

    const byDimension = runCli<AppHit[]>(
      ['search', '--dimension', 'smart-society', '--catalog', catalog, '--json'],
      { home },
    );
    expect(byDimension.json.map((a) => a.name)).toEqual(['antrean-daring']);

    const sumbawa = runCli<AppHit[]>(
      ['search', '--region', '52.04', '--catalog', catalog, '--json'],
      { home },
    );
    expect(sumbawa.json.map((a) => a.name).sort()).toEqual(['antrean-daring', 'e-budgeting']);
    const bojonegoro = runCli<AppHit[]>(
      ['search', '--region', '35.22', '--catalog', catalog, '--json'],
      { home },
    );
    expect(bojonegoro.json).toEqual([]);

    const text = runCli(['search', '--catalog', catalog], { home });
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/antrean-daring\s+2\.0\.0/);
  });

  it('shows the version a range resolves to, with services, config, secrets and MoU coverage', async () => {
    const { home, catalog } = await fixture();
    const shown = runCli<AppDetails>(
      ['show', 'antrean-daring@^1', '--catalog', catalog, '--json'],
      { home },
    );
    expect(shown.status, shown.stderr).toBe(0);
    const app = shown.json;
    expect(app).toMatchObject({
      name: 'antrean-daring',
      version: '1.1.0',
      publisher: { slug: 'kota-bandung', code: '32.73' },
    });
    expect(app.versions).toEqual(['2.0.0', '1.1.0', '1.0.0']);
    expect(app.services.map((s) => s.name)).toEqual(['web', 'db']);
    expect(app.services[0]?.image).toMatch(
      /^127\.0\.0\.1:5151\/ksad-samples\/web@sha256:[0-9a-f]{64}$/,
    );
    expect(app.services[0]?.ports).toEqual([
      { name: 'http', container: 8080, host: '${config.HTTP_PORT}', protocol: 'tcp' },
    ]);
    expect(app.config).toContainEqual({
      key: 'REGION_NAME',
      type: 'string',
      required: true,
      default: null,
      description: 'Region name shown on every page',
    });
    expect(app.secrets.map((s) => s.name)).toEqual(['DB_PASSWORD']);
    const mou = app.mous.find((m) => m.number === '119/KSAD/2024');
    expect(mou).toMatchObject({
      status: 'active',
      regions: [{ code: '52.04', name: 'Kabupaten Sumbawa', covered: true }],
    });
    const expired = app.mous.find((m) => m.number === '045/KSAD/2019');
    expect(expired).toMatchObject({
      status: 'expired',
      regions: [{ code: '35.22', covered: false }],
    });

    const text = runCli(['show', 'kota-bandung/e-budgeting', '--catalog', catalog], { home });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain('e-budgeting 2.0.0');
    expect(text.stdout).toContain('DB_PASSWORD');
  });

  it('exits 4 for a missing version and lists the versions there are', async () => {
    const { home, catalog } = await fixture();
    const missing = runCli<ErrorJson>(
      ['show', 'antrean-daring@^9', '--catalog', catalog, '--json'],
      { home },
    );
    expect(missing.status).toBe(4);
    expect(missing.json.error.code).toBe('NOT_FOUND');
    const said = [
      missing.json.error.message,
      ...missing.json.error.details,
      ...missing.json.error.suggestions,
    ].join('\n');
    for (const v of ['2.0.0', '1.1.0', '1.0.0']) expect(said).toContain(v);

    const text = runCli(['show', 'no-such-app', '--catalog', catalog], { home });
    expect(text.status).toBe(4);
    expect(text.stderr).toContain('no-such-app');
  });

  it('lists MoUs, only the active ones with --active, by region with --region', async () => {
    const { home, catalog } = await fixture();
    const all = runCli<MouRow[]>(['mou', 'list', '--catalog', catalog, '--json'], { home });
    expect(all.status, all.stderr).toBe(0);
    expect(all.json.map((m) => m.number).sort()).toEqual(['045/KSAD/2019', '119/KSAD/2024']);
    const active = runCli<MouRow[]>(['mou', 'list', '--active', '--catalog', catalog, '--json'], {
      home,
    });
    expect(active.json).toHaveLength(1);
    expect(active.json[0]).toMatchObject({
      number: '119/KSAD/2024',
      status: 'active',
      grantor: { code: '32.73', name: 'Kota Bandung' },
      grantees: [{ code: '52.04', name: 'Kabupaten Sumbawa' }],
    });
    const bojonegoro = runCli<MouRow[]>(
      ['mou', 'list', '--region', '35.22', '--catalog', catalog, '--json'],
      { home },
    );
    expect(bojonegoro.json.map((m) => m.number)).toEqual(['045/KSAD/2019']);
  });

  it('states the day and zone MoUs were judged on: --region, else catalog.yaml, else the machine', async () => {
    const { home, catalog } = await fixture();
    type Dated = { calendar: { date: string; zone: string; utcOffset: string; source: string } };
    const sumbawa = runCli<Dated[]>(
      ['mou', 'list', '--region', '52.04', '--catalog', catalog, '--json'],
      { home, env: { TZ: 'America/Lima' } },
    );
    expect(sumbawa.status, sumbawa.stderr).toBe(0);
    expect(sumbawa.json[0]?.calendar).toMatchObject({
      zone: 'WITA',
      utcOffset: '+08:00',
      source: 'region',
    });
    const machine = runCli<Dated[]>(['mou', 'list', '--catalog', catalog, '--json'], {
      home,
      env: { TZ: 'Asia/Jayapura' },
    });
    expect(machine.json[0]?.calendar).toMatchObject({
      zone: 'Asia/Jayapura',
      utcOffset: '+09:00',
      source: 'machine',
    });
    const text = runCli(['mou', 'list', '--region', '52.04', '--catalog', catalog], { home });
    expect(text.stdout).toMatch(
      /^Status as of \d{4}-\d{2}-\d{2} WITA \(UTC\+08:00, --region's zone\)\.$/m,
    );

    await writeFiles(catalog, {
      'catalog/catalog.yaml': 'schemaVersion: 1\nid: ksad-test\ntitle: KSAD test\ntimeZone: WIT\n',
    });
    const stated = runCli<Dated>(['show', 'antrean-daring', '--catalog', catalog, '--json'], {
      home,
      env: { TZ: 'UTC' },
    });
    expect(stated.status, stated.stderr).toBe(0);
    expect(stated.json.calendar).toMatchObject({ zone: 'WIT', source: 'catalog' });
  });

  it('lints a broken catalog: exit 3, every problem as file:line:col', async () => {
    const { home, catalog } = await fixture();
    await writeFiles(catalog, {
      // Malformed YAML: an unclosed flow sequence.
      'catalog/members/kota-tangerang.yaml':
        'code: "36.71"\nname: Kota Tangerang\nkind: kota\ncontacts: [\n',
      // An unknown key on line 9.
      'catalog/members/kabupaten-wonosobo.yaml':
        'code: "33.07"\nname: Kabupaten Wonosobo\nkind: kabupaten\ncontacts:\n  - name: Diskominfo Wonosobo\n    email: diskominfo@wonosobo.example.org\npublisher: false\nkeys: []\nwebsiteUrl: https://wonosobokab.go.id\n',
      // A version that is not semver, on line 3.
      'manifests/kota-bandung/e-budgeting/2.1.yaml': manifestYaml('e-budgeting', '2.1'),
    });
    const json = runCli<ErrorJson>(['catalog', 'lint', '--catalog', catalog, '--json'], { home });
    expect(json.status).toBe(3);
    expect(json.json.error.code).toBe('INVALID');
    const lines = json.json.error.details;
    expect(
      lines.some((l) => /^catalog\/members\/kota-tangerang\.yaml:\d+:\d+: error: /.test(l)),
    ).toBe(true);
    expect(
      lines.some((l) =>
        /^catalog\/members\/kabupaten-wonosobo\.yaml:9:1: error: .*websiteUrl/.test(l),
      ),
    ).toBe(true);
    expect(
      lines.some((l) =>
        /^manifests\/kota-bandung\/e-budgeting\/2\.1\.yaml:3:\d+: error: version: /.test(l),
      ),
    ).toBe(true);

    const text = runCli(['catalog', 'lint', '--catalog', catalog], { home });
    expect(text.status).toBe(3);
    expect(
      text.stdout.split('\n').filter((l) => /^\S+:\d+:\d+: (error|warning): /.test(l)).length,
    ).toBeGreaterThanOrEqual(3);
    expect(text.stderr).toMatch(/error\(s\)/);
  });

  it('lints a large catalog on worker threads as it lints one in a single thread', async () => {
    const { home, catalog } = await fixture();
    const files: Record<string, string> = {};
    for (let i = 0; i < 2100; i++) {
      const name = `aplikasi-${i % 40}`;
      const version = `${Math.floor(i / 40)}.${i % 3}.0`;
      const path = `manifests/kota-bandung/${name}/${version}.yaml`;
      let text = manifestYaml(name, version);
      if (i % 97 === 0) text = text.replace(`version: ${version}`, `version: v${version}`);
      if (i % 89 === 0) text = text.replace(/@sha256:[a-f0-9]{64}/, ':latest');
      if (i % 83 === 0) text += 'unknownKey: 1\n';
      if (i % 211 === 0) text = 'name: [unclosed\n';
      files[path] = text;
      if (i % 101 === 0) files[path.replace(/\.yaml$/, '-copy.yaml')] = manifestYaml(name, version);
    }
    await writeFiles(catalog, files);

    const threaded = runCli<ErrorJson>(['catalog', 'lint', '--catalog', catalog, '--json'], {
      home,
    });
    expect(threaded.status, threaded.stderr).toBe(3);
    const inThread = await lintCatalogUseCase(
      {
        files: new FsCatalogFiles(),
        git: new SimpleGitRepository({ ...process.env, KSAD_HOME: home }),
        registry: new JsonCatalogRegistry(ksadDirs({ KSAD_HOME: home })),
        clock: { now: () => new Date() },
        sampleRoot: CLI_ROOT,
      },
      { catalog, today: new Date().toISOString().slice(0, 10) },
    );
    const rules = new Set(inThread.diagnostics.map((d) => d.rule));
    for (const rule of ['yaml', 'schema', 'image-not-pinned', 'duplicate-version', 'path-mismatch'])
      expect(rules).toContain(rule);
    expect(threaded.json.error.details).toEqual(inThread.diagnostics.map(formatDiagnostic));
  });

  it('passes a valid catalog and lints loose manifests', async () => {
    const { home, catalog } = await fixture();
    const ok = runCli<LintReport>(['catalog', 'lint', '--catalog', catalog, '--json'], { home });
    expect(ok.status, ok.stdout).toBe(0);
    expect(ok.json).toMatchObject({ errors: 0, catalog: { name: catalog } });
    // --json keeps stderr free of progress; plain output off a terminal shows the step in lines.
    expect(ok.stderr).not.toContain('manifests');
    const text = runCli(['catalog', 'lint', '--catalog', catalog], { home });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stderr).toMatch(/^✔ Checking \d+ manifests$/m);

    const loose = await tempDir('ksad-loose-');
    await writeFiles(loose, {
      'good.yaml': manifestYaml('antrean-daring', '2.1.0'),
      'bad.yaml': manifestYaml('antrean-daring', 'v2'),
    });
    const linted = runCli<ErrorJson>(['manifest', 'lint', loose, '--catalog', catalog, '--json'], {
      home,
    });
    expect(linted.status).toBe(3);
    expect(linted.json.error.details.some((l) => l.startsWith(`${loose}/bad.yaml:3:`))).toBe(true);
    expect(
      linted.json.error.details.some(
        (l) => l.startsWith(`${loose}/good.yaml`) && l.includes(': error: '),
      ),
    ).toBe(false);
  });

  it('prints and writes the JSON Schemas', async () => {
    const { home } = await fixture();
    const printed = runCli<JsonSchema>(['manifest', 'schema', '--json'], { home });
    expect(printed.status, printed.stderr).toBe(0);
    expect(printed.json.properties).toHaveProperty('services');
    const mou = runCli<JsonSchema>(['manifest', 'schema', '--kind', 'mou', '--json'], { home });
    expect(mou.json.properties).toHaveProperty('grantees');

    const out = await tempDir('ksad-schemas-');
    const written = runCli<{ written: WrittenSchema[] }>(
      ['manifest', 'schema', '--out', out, '--json'],
      { home },
    );
    expect(written.status, written.stderr).toBe(0);
    expect(written.json.written.map((w) => w.kind)).toEqual([
      'manifest',
      'member',
      'mou',
      'catalog',
      'overlay',
    ]);
    const member = JSON.parse(readFileSync(join(out, 'member.schema.json'), 'utf8')) as JsonSchema;
    expect(member.properties).toHaveProperty('code');
  });

  it('rejects a bad --kind as a usage error', async () => {
    const { home } = await fixture();
    const bad = runCli<ErrorJson>(['manifest', 'schema', '--kind', 'nope', '--json'], { home });
    expect(bad.status).toBe(2);
  });

  it('fails to add an unreachable git URL with exit 5 and writes nothing', async () => {
    const { home } = await fixture();
    const failed = runCli<ErrorJson>(
      ['catalog', 'add', 'far', 'https://127.0.0.1:1/ksad.git', '--json'],
      { home },
    );
    expect(failed.status).toBe(5);
    expect(failed.json.error).toMatchObject({ code: 'CATALOG_UNAVAILABLE' });
    expect(failed.json.error.message).toContain('https://127.0.0.1:1/ksad.git');
    expect(existsSync(join(home, 'catalogs.json'))).toBe(false);
  });
});
