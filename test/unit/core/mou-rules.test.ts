import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import type { LoadedManifest } from '../../../src/core/catalog-model.js';
import { coverage, mouStatus, mousFor, regionAndParents } from '../../../src/core/mou-rules.js';
import { baseCatalog, mou, withFiles } from './fixtures.js';

const window = { validFrom: '2025-01-01', validUntil: '2025-12-31' };

describe('mouStatus', () => {
  it.each([
    ['2024-12-31', 'not-yet-valid'],
    ['2025-01-01', 'active'], // valid on validFrom
    ['2025-10-01', 'active'], // 91 days left
    ['2025-10-02', 'expiring'], // 90 days left
    ['2025-12-31', 'expiring'], // valid on validUntil
    ['2026-01-01', 'expired'],
  ])('%s is %s', (today, status) => {
    expect(mouStatus(window, today)).toBe(status);
  });
});

describe('regionAndParents', () => {
  it('walks up to PP.KK', () => {
    expect(regionAndParents('33.07.01.2001')).toEqual(['33.07.01.2001', '33.07.01', '33.07']);
    expect(regionAndParents('52.04')).toEqual(['52.04']);
  });
});

describe('coverage', () => {
  const catalog = buildCatalog({
    name: 't',
    root: '/c',
    files: withFiles(
      baseCatalog(),
      mou({
        slug: 'bandung-sumbawa',
        grantor: '32.73',
        grantees: ['52.04'],
        apps: [{ name: 'antrean-daring', versions: '^1.0.0' }],
        ...window,
      }),
      mou({
        slug: 'bandung-wonosobo-old',
        grantor: '32.73',
        grantees: ['33.07'],
        apps: [{ name: 'antrean-daring' }],
        validFrom: '2020-01-01',
        validUntil: '2024-12-31',
      }),
      mou({
        slug: 'tangerang-sumbawa',
        grantor: '36.71',
        grantees: ['52.04'],
        apps: [{ name: 'antrean-daring' }],
      }),
    ),
  });
  const version = (v: string): LoadedManifest => {
    const m = catalog.manifests.find((x) => x.manifest.version === v);
    if (!m) throw new Error(v);
    return m;
  };
  const slugs = (c: ReturnType<typeof coverage>) => ({
    covering: c.covering.map((m) => m.slug),
    inactive: c.inactive.map((i) => `${i.mou.slug}: ${i.reason}`),
  });

  it.each([
    {
      name: 'grantee region',
      region: '52.04',
      v: '1.2.0',
      covering: ['bandung-sumbawa'],
      inactive: [],
    },
    {
      name: 'village under the grantee',
      region: '52.04.01.2001',
      v: '1.0.0',
      covering: ['bandung-sumbawa'],
      inactive: [],
    },
    {
      name: 'version outside the range',
      region: '52.04',
      v: '2.0.0-beta.1',
      covering: [],
      inactive: ['bandung-sumbawa: covers versions ^1.0.0 only, not 2.0.0-beta.1'],
    },
    {
      name: 'expired MoU',
      region: '33.07',
      v: '1.0.0',
      covering: [],
      inactive: ['bandung-wonosobo-old: expired on 2024-12-31'],
    },
    { name: 'not a grantee', region: '35.22', v: '1.0.0', covering: [], inactive: [] },
  ])('$name', ({ region, v, covering, inactive }) => {
    expect(slugs(coverage(catalog, version(v), region, '2025-06-01'))).toEqual({
      covering,
      inactive,
    });
  });

  it('counts a not-yet-valid MoU as inactive', () => {
    expect(slugs(coverage(catalog, version('1.0.0'), '52.04', '2024-06-01')).inactive).toEqual([
      'bandung-sumbawa: not valid until 2025-01-01',
    ]);
  });

  it('mousFor filters by region and activity', () => {
    const all = mousFor(catalog, { today: '2025-06-01' });
    expect(all.map((e) => [e.mou.slug, e.status, e.daysLeft])).toEqual([
      ['bandung-wonosobo-old', 'expired', -152],
      ['bandung-sumbawa', 'active', 213],
      ['tangerang-sumbawa', 'active', 1309],
    ]);
    expect(
      mousFor(catalog, { region: '52.04.01', active: true, today: '2025-06-01' }).map(
        (e) => e.mou.slug,
      ),
    ).toEqual(['bandung-sumbawa', 'tangerang-sumbawa']);
    expect(
      mousFor(catalog, { region: '32.73', active: false, today: '2025-06-01' }).map(
        (e) => e.mou.slug,
      ),
    ).toEqual(['bandung-wonosobo-old']);
  });
});
