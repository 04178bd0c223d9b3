import { describe, expect, it } from 'vitest';
import { listMous, searchApps, showApp } from '../../../src/app/browse.js';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import type { Catalog } from '../../../src/core/catalog-model.js';
import { KsadError } from '../../../src/core/errors.js';
import { catalogFixtureFiles, manifestYaml, mouYaml } from '../../support/catalog-fixture.js';

const TODAY = '2025-06-01';

function catalog(extra: Record<string, string> = {}): Catalog {
  const files = Object.entries({ ...catalogFixtureFiles(), ...extra }).map(([path, text]) => ({
    path,
    text,
  }));
  return buildCatalog({ name: 'test', root: '/catalog', files });
}

function thrown(fn: () => unknown): KsadError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KsadError);
    return error as KsadError;
  }
  throw new Error('expected a KsadError');
}

const names = (hits: { name: string }[]): string[] => hits.map((h) => h.name);

describe('searchApps', () => {
  it('lists every app, newest release as latest, versions newest first', () => {
    const hits = searchApps(catalog(), { today: TODAY });
    expect(hits.map((h) => [h.publisher.slug, h.name, h.latest, h.versions])).toEqual([
      ['kota-bandung', 'antrean-daring', '2.0.0', ['2.0.0', '1.1.0', '1.0.0']],
      ['kota-bandung', 'e-budgeting', '2.0.0', ['2.0.0', '1.4.2']],
    ]);
    expect(hits[0]?.publisher).toEqual({
      slug: 'kota-bandung',
      name: 'Kota Bandung',
      code: '32.73',
    });
    expect(hits[0]?.coveredBy).toBeNull();
  });

  it.each([
    ['ANTREAN', ['antrean-daring']],
    ['online queue', ['antrean-daring']],
    ['finance', ['e-budgeting']],
    ['anggaran', ['e-budgeting']],
    ['e-budget', ['e-budgeting']],
    ['nothing like this', []],
  ])('matches text %j in names, titles, descriptions and categories', (text, expected) => {
    expect(names(searchApps(catalog(), { text, today: TODAY }))).toEqual(expected);
  });

  it('does not keep an old prerelease as latest', () => {
    const c = catalog({
      'manifests/kota-bandung/e-budgeting/3.0.0-rc.1.yaml': manifestYaml(
        'e-budgeting',
        '3.0.0-rc.1',
      ),
    });
    const hit = searchApps(c, { text: 'e-budgeting', today: TODAY })[0];
    expect(hit?.latest).toBe('2.0.0');
    expect(hit?.versions[0]).toBe('3.0.0-rc.1');
  });

  it('filters by publisher slug, code or name, and by dimension', () => {
    for (const publisher of ['kota-bandung', '32.73', 'Kota Bandung']) {
      expect(searchApps(catalog(), { publisher, today: TODAY })).toHaveLength(2);
    }
    expect(searchApps(catalog(), { publisher: '36.71', today: TODAY })).toEqual([]);
    expect(names(searchApps(catalog(), { dimension: 'smart-society', today: TODAY }))).toEqual([
      'antrean-daring',
    ]);
    expect(
      thrown(() => searchApps(catalog(), { dimension: 'smart-nothing', today: TODAY })).code,
    ).toBe('USAGE');
  });

  it('keeps, with a region, only apps an active MoU grants to it', () => {
    const sumbawa = searchApps(catalog(), { region: '52.04', today: TODAY });
    expect(sumbawa.map((h) => [h.name, h.coveredBy])).toEqual([
      ['antrean-daring', ['119/KSAD/2024']],
      ['e-budgeting', ['119/KSAD/2024']],
    ]);
    // Bojonegoro's MoU expired in 2021; a village of Sumbawa is covered by its regency's MoU.
    expect(searchApps(catalog(), { region: '35.22', today: TODAY })).toEqual([]);
    expect(
      searchApps(catalog(), { region: '35.22', today: '2020-06-01' }).map((h) => h.name),
    ).toEqual(['antrean-daring']);
    expect(searchApps(catalog(), { region: '52.04.01.2001', today: TODAY })).toHaveLength(2);
    expect(thrown(() => searchApps(catalog(), { region: 'Sumbawa', today: TODAY })).code).toBe(
      'USAGE',
    );
  });
});

describe('signature status', () => {
  it('says unsigned without a .sig, and invalid for a .sig that does not verify, in show and search alike', () => {
    const plain = catalog();
    expect(showApp(plain, 'antrean-daring@2.0.0', TODAY)).toMatchObject({
      signed: false,
      signature: 'unsigned',
      signatureMessage:
        'no signature: manifests/kota-bandung/antrean-daring/2.0.0.yaml.sig is missing',
    });
    expect(searchApps(plain, { today: TODAY }).map((h) => h.signature)).toEqual([
      'unsigned',
      'unsigned',
    ]);
    const forged = catalog({
      'manifests/kota-bandung/antrean-daring/2.0.0.yaml.sig': 'not a signature\n',
    });
    const shown = showApp(forged, 'antrean-daring@2.0.0', TODAY);
    expect(shown).toMatchObject({ signed: false, signature: 'invalid' });
    expect(shown.signatureMessage).not.toBeNull();
    expect(searchApps(forged, { today: TODAY, text: 'antrean' })[0]?.signature).toBe('invalid');
  });
});

describe('showApp', () => {
  it('resolves a range and shows services, config, secrets and coverage', () => {
    const app = showApp(catalog(), 'antrean-daring@~1.0', TODAY);
    expect(app).toMatchObject({
      name: 'antrean-daring',
      version: '1.0.0',
      versions: ['2.0.0', '1.1.0', '1.0.0'],
      signed: false,
    });
    expect(app.file).toBe('manifests/kota-bandung/antrean-daring/1.0.0.yaml');
    expect(app.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(app.services.map((s) => [s.name, s.dependsOn, s.healthcheck])).toEqual([
      ['web', ['db'], true],
      ['db', [], true],
    ]);
    expect(app.services[1]?.volumes).toEqual([
      { name: 'data', source: null, path: '/var/lib/db', readOnly: false },
    ]);
    expect(app.config).toEqual([
      {
        key: 'HTTP_PORT',
        type: 'port',
        required: false,
        default: 8080,
        description: 'Port published on the host',
      },
      {
        key: 'REGION_NAME',
        type: 'string',
        required: true,
        default: null,
        description: 'Region name shown on every page',
      },
    ]);
    expect(app.secrets).toEqual([
      { name: 'DB_PASSWORD', source: 'generate', description: 'Password of the app database' },
    ]);
    expect(
      app.mous.map((m) => [
        m.number,
        m.status,
        m.regions.map((r) => [r.code, r.name, r.covered, r.reason]),
      ]),
    ).toEqual([
      [
        '045/KSAD/2019',
        'expired',
        [['35.22', 'Kabupaten Bojonegoro', false, 'expired on 2021-02-28']],
      ],
      ['119/KSAD/2024', 'active', [['52.04', 'Kabupaten Sumbawa', true, null]]],
    ]);
  });

  it('says when an MoU grants other versions only', () => {
    const app = showApp(catalog(), 'kota-bandung/e-budgeting@1', TODAY);
    expect(app.version).toBe('1.4.2');
    expect(app.mous).toHaveLength(1);
    expect(app.mous[0]).toMatchObject({
      versions: '^2.0.0',
      regions: [{ code: '52.04', covered: false }],
    });
    expect(app.mous[0]?.regions[0]?.reason).toContain('^2.0.0');
  });

  it('fails with NOT_FOUND listing the versions when none satisfies the range', () => {
    const error = thrown(() => showApp(catalog(), 'antrean-daring@^3', TODAY));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('2.0.0, 1.1.0, 1.0.0');
    expect(thrown(() => showApp(catalog(), 'no-such-app', TODAY)).code).toBe('NOT_FOUND');
    expect(thrown(() => showApp(catalog(), 'Bad App!', TODAY)).code).toBe('USAGE');
  });
});

describe('listMous', () => {
  const extra = {
    'catalog/mous/bandung-sumbawa-2026.yaml': mouYaml({
      number: '200/KSAD/2026',
      title: 'Perpanjangan',
      grantees: ['52.04'],
      apps: [{ name: 'e-budgeting' }],
      validFrom: '2026-01-01',
      validUntil: '2030-12-31',
    }),
  };

  it('lists every MoU with its status and the parties by name', () => {
    const rows = listMous(catalog(extra), { today: TODAY });
    expect(rows.map((r) => [r.number, r.status])).toEqual([
      ['045/KSAD/2019', 'expired'],
      ['119/KSAD/2024', 'active'],
      ['200/KSAD/2026', 'not-yet-valid'],
    ]);
    expect(rows[1]).toMatchObject({
      grantor: { code: '32.73', name: 'Kota Bandung' },
      grantees: [{ code: '52.04', name: 'Kabupaten Sumbawa' }],
      apps: [
        { name: 'antrean-daring', versions: null },
        { name: 'e-budgeting', versions: '^2.0.0' },
      ],
      signedOn: null,
    });
  });

  it('filters by region and by --active', () => {
    expect(listMous(catalog(extra), { active: true, today: TODAY }).map((r) => r.number)).toEqual([
      '119/KSAD/2024',
    ]);
    expect(
      listMous(catalog(extra), { region: '35.22', today: TODAY }).map((r) => r.number),
    ).toEqual(['045/KSAD/2019']);
    expect(
      listMous(catalog(extra), { region: '32.73', active: true, today: TODAY }).map(
        (r) => r.number,
      ),
    ).toEqual(['119/KSAD/2024']);
    expect(listMous(catalog(extra), { active: false, today: TODAY })).toHaveLength(3);
    expect(thrown(() => listMous(catalog(), { region: '5204', today: TODAY })).code).toBe('USAGE');
  });
});
