import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import { KsadError } from '../../../src/core/errors.js';
import { lintCatalog } from '../../../src/core/lint/index.js';
import {
  allRegions,
  lookupRegion,
  officialRegion,
  provinceOf,
  regionByName,
  regionFlag,
  REGION_DATA_SOURCE,
} from '../../../src/core/regions.js';
import type { SourceFile } from '../../../src/core/catalog-model.js';
import { baseCatalog, member, mou, withFiles } from './fixtures.js';

describe('official region list', () => {
  it('is the regencies and cities of the pinned idn-area-data, every one of them', () => {
    const pkg = JSON.parse(readFileSync('node_modules/idn-area-data/package.json', 'utf8')) as {
      version: string;
    };
    expect(REGION_DATA_SOURCE).toBe(`idn-area-data ${pkg.version}`);
    const csv = readFileSync('node_modules/idn-area-data/data/regencies.csv', 'utf8')
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line) => line.split(','))
      .map(([code, , name]) => [code, name]);
    expect(allRegions().map((r) => [r.code, r.name])).toEqual(csv);
  });

  it.each([
    ['32.73', 'Kota Bandung', 'kota', '32', 'Jawa Barat'],
    ['36.71', 'Kota Tangerang', 'kota', '36', 'Banten'],
    ['33.07', 'Kabupaten Wonosobo', 'kabupaten', '33', 'Jawa Tengah'],
    ['52.04', 'Kabupaten Sumbawa', 'kabupaten', '52', 'Nusa Tenggara Barat'],
    ['52.07', 'Kabupaten Sumbawa Barat', 'kabupaten', '52', 'Nusa Tenggara Barat'],
    ['35.22', 'Kabupaten Bojonegoro', 'kabupaten', '35', 'Jawa Timur'],
  ])('%s is %s in %s', (code, name, kind, province, provinceName) => {
    expect(officialRegion(code)).toEqual({
      code,
      name,
      kind,
      province: { code: province, name: provinceName },
    });
    expect(provinceOf(code)).toEqual({ code: province, name: provinceName });
    expect(regionByName(name)?.code).toBe(code);
  });

  it('knows the provinces after the 2022 Papua split', () => {
    expect(provinceOf('93')?.name).toBe('Papua Selatan');
    expect(provinceOf('96.01')?.name).toBe('Papua Barat Daya');
    expect(provinceOf('99')).toBeUndefined();
  });

  it('gives the regency of a finer code', () => {
    expect(officialRegion('52.04.01.2001')?.name).toBe('Kabupaten Sumbawa');
    expect(officialRegion('52.99')).toBeUndefined();
  });
});

describe('lookupRegion / regionFlag: a code or an official name', () => {
  it.each([
    ['52.04', '52.04'],
    ['52.04.01', '52.04.01'],
    ['Kabupaten Sumbawa', '52.04'],
    ['kabupaten  sumbawa', '52.04'],
    ['Kab. Sumbawa', '52.04'],
    ['Kabupaten Sumbawa Barat', '52.07'],
    ['Kota Bandung', '32.73'],
  ])('%s → %s', (input, code) => {
    expect(regionFlag(input)).toBe(code);
  });

  it.each([
    ['52.99', '52.99 is not a regency or city of Nusa Tenggara Barat (52)'],
    ['99.01', '99 is not a province code'],
    ['Bandung', 'write it with Kabupaten or Kota'],
    ['Kabupaten Sumbwa', 'neither a Kemendagri region code'],
  ])('refuses %s', (input, message) => {
    expect(() => regionFlag(input)).toThrow(KsadError);
    expect(() => regionFlag(input)).toThrow(message);
  });

  it('suggests the official region', () => {
    const bare = lookupRegion('Bandung');
    expect(bare.ok ? [] : bare.suggestions).toEqual([
      '32.04 (Kabupaten Bandung)',
      '32.73 (Kota Bandung)',
    ]);
    const typo = lookupRegion('Kabupaten Sumbwa');
    expect(typo.ok ? [] : typo.suggestions).toEqual(['did you mean 52.04 (Kabupaten Sumbawa)?']);
  });
});

function lintRule(files: SourceFile[], rule: string): string[] {
  const catalog = buildCatalog({ name: 'test', root: '/catalog', files });
  return lintCatalog(catalog, { today: '2025-06-01' })
    .filter((d) => d.rule === rule)
    .map(formatDiagnostic);
}

describe('catalog lint: region codes and names against the official list', () => {
  it('passes the base catalog and the sample catalog', () => {
    expect(lintRule(baseCatalog(), 'unknown-region')).toEqual([]);
    expect(lintRule(baseCatalog(), 'region-name')).toEqual([]);
    const sample = ['catalog/members', 'catalog/mous'].flatMap((dir) =>
      readdirSync(dir).map((f) => ({
        path: `${dir}/${f}`,
        text: readFileSync(`${dir}/${f}`, 'utf8'),
      })),
    );
    expect(sample.length).toBeGreaterThan(8);
    expect(lintRule(sample, 'unknown-region')).toEqual([]);
    expect(lintRule(sample, 'region-name')).toEqual([]);
  });

  it('reports a code that does not exist, with the official code of the name', () => {
    expect(
      lintRule(
        withFiles(
          baseCatalog(),
          member({
            slug: 'kab-sumbawa',
            code: '52.40',
            name: 'Kabupaten Sumbawa',
            kind: 'kabupaten',
          }),
        ),
        'unknown-region',
      ),
    ).toEqual([
      'catalog/members/kab-sumbawa.yaml:1:7: error: code: region code 52.40 is not in the official Kemendagri list: the official code of Kabupaten Sumbawa is "52.04"',
    ]);
  });

  it('reports a name or kind that disagrees with the code, with the official name', () => {
    expect(
      lintRule(
        withFiles(
          baseCatalog(),
          member({
            slug: 'kab-sumbawa',
            code: '52.04',
            name: 'Kabupaten Sumbawa Besar',
            kind: 'kota',
          }),
        ),
        'region-name',
      ),
    ).toEqual([
      'catalog/members/kab-sumbawa.yaml:2:7: error: name: "Kabupaten Sumbawa Besar" is not the official name of 52.04: write "Kabupaten Sumbawa"',
      'catalog/members/kab-sumbawa.yaml:3:7: error: kind: 52.04 Kabupaten Sumbawa is a kabupaten, not a kota: write "kind: kabupaten"',
    ]);
  });

  it('reports a province that disagrees with the code', () => {
    const file = member({ slug: 'kab-sumbawa', code: '52.04', kind: 'kabupaten' });
    file.text += 'province: Nusa Tenggara Timur\n';
    expect(lintRule(withFiles(baseCatalog(), file), 'region-name')).toEqual([
      'catalog/members/kab-sumbawa.yaml:8:11: error: province: 52.04 is in Nusa Tenggara Barat, not "Nusa Tenggara Timur": write "province: Nusa Tenggara Barat"',
    ]);
  });

  it('reports an MoU party that is not an official region', () => {
    expect(
      lintRule(
        withFiles(
          baseCatalog(),
          mou({
            slug: 'bandung-sumbawa',
            grantor: '32.73',
            grantees: ['52.04', '52.99'],
            apps: [{ name: 'antrean-daring' }],
          }),
        ),
        'unknown-region',
      ),
    ).toEqual([
      'catalog/mous/bandung-sumbawa.yaml:6:5: error: grantees.1: 52.99 is not a region code in the official Kemendagri list',
    ]);
  });
});
