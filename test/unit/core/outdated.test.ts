import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import type { Catalog } from '../../../src/core/catalog-model.js';
import { outdatedEntry, upgradeStep } from '../../../src/core/outdated.js';
import type { ReleaseRecord } from '../../../src/core/release.js';
import { catalogYaml, manifest, member, mou } from './fixtures.js';

function catalogWith(versions: string[], mous: Parameters<typeof mou>[0][]): Catalog {
  const catalog = buildCatalog({
    name: 'test',
    root: '/catalog',
    files: [
      catalogYaml(),
      member({ slug: 'kota-bandung', code: '32.73', publisher: true }),
      member({ slug: 'kabupaten-sumbawa', code: '52.04', kind: 'kabupaten' }),
      ...mous.map(mou),
      ...versions.map((version) => manifest({ version })),
    ],
  });
  expect(catalog.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return catalog;
}

function running(version: string): ReleaseRecord {
  return {
    app: 'antrean-daring',
    publisher: 'kota-bandung',
    version,
    revision: 4,
    manifestDigest: 'sha256:x',
    manifestFile: `manifests/kota-bandung/antrean-daring/${version}.yaml`,
    catalog: { name: 'test' },
    configHash: 'sha256:y',
    services: {},
    levels: [],
    config: {},
    secretNames: [],
    mou: { kind: 'mou', slug: 'm', number: 'N', validUntil: '2028-12-31' },
    deployedBy: 'budi@host',
    deployedAt: '2026-01-01T00:00:00.000Z',
    status: 'deployed',
    description: 'install',
  };
}

const GRANT = {
  slug: 'bdg-sbw',
  grantor: '32.73',
  grantees: ['52.04'],
  number: 'NK/1',
  validUntil: '2028-12-31',
};

describe('upgradeStep', () => {
  it.each([
    ['1.0.0', '1.0.1', 'patch'],
    ['1.0.0', '1.2.0', 'minor'],
    ['1.0.0', '2.0.0', 'major'],
    ['1.2.3', '1.2.3', null],
    ['1.0.0', '2.0.0-rc.1', 'major'],
    ['1.0.0', '1.1.0-beta.1', 'minor'],
    // semver.diff: a prerelease to its release is the step that release makes.
    ['1.0.0-rc.1', '1.0.0', 'major'],
    ['1.2.3-rc.1', '1.2.3', 'patch'],
    ['1.0.0-rc.1', '1.0.0-rc.2', 'patch'],
  ] as const)('%s → %s is %s', (from, to, step) => {
    expect(upgradeStep(from, to)).toBe(step);
  });
});

describe('outdatedEntry', () => {
  it('picks the newest version the MoU covers, and lists newer ones it does not', () => {
    const catalog = catalogWith(
      ['1.0.0', '1.1.0', '1.4.2', '2.0.0'],
      [{ ...GRANT, apps: [{ name: 'antrean-daring', versions: '^1.0.0' }] }],
    );
    expect(outdatedEntry(catalog, running('1.1.0'), '52.04', '2026-06-01')).toEqual({
      app: 'antrean-daring',
      publisher: 'kota-bandung',
      current: '1.1.0',
      revision: 4,
      latest: '1.4.2',
      step: 'minor',
      mou: { slug: 'bdg-sbw', number: 'NK/1', validUntil: '2028-12-31' },
      newestInCatalog: '2.0.0',
      notCovered: ['2.0.0'],
    });
  });

  it('reports a major step when the MoU covers the next major', () => {
    const catalog = catalogWith(
      ['1.0.0', '2.0.0'],
      [{ ...GRANT, apps: [{ name: 'antrean-daring' }] }],
    );
    expect(outdatedEntry(catalog, running('1.0.0'), '52.04', '2026-06-01')).toMatchObject({
      latest: '2.0.0',
      step: 'major',
    });
  });

  it('reports a patch step', () => {
    const catalog = catalogWith(
      ['1.0.0', '1.0.3'],
      [{ ...GRANT, apps: [{ name: 'antrean-daring' }] }],
    );
    expect(outdatedEntry(catalog, running('1.0.0'), '52.04', '2026-06-01')).toMatchObject({
      latest: '1.0.3',
      step: 'patch',
    });
  });

  it('is up to date when nothing newer exists', () => {
    const catalog = catalogWith(
      ['1.0.0', '1.1.0'],
      [{ ...GRANT, apps: [{ name: 'antrean-daring' }] }],
    );
    expect(outdatedEntry(catalog, running('1.1.0'), '52.04', '2026-06-01')).toMatchObject({
      latest: null,
      step: null,
      mou: null,
      notCovered: [],
      newestInCatalog: '1.1.0',
    });
  });

  it('offers nothing once the MoU expired, and names the newer versions as not covered', () => {
    const catalog = catalogWith(
      ['1.0.0', '1.1.0'],
      [
        {
          ...GRANT,
          validFrom: '2020-01-01',
          validUntil: '2024-12-31',
          apps: [{ name: 'antrean-daring' }],
        },
      ],
    );
    expect(outdatedEntry(catalog, running('1.0.0'), '52.04', '2026-06-01')).toMatchObject({
      latest: null,
      step: null,
      notCovered: ['1.1.0'],
    });
  });

  it('covers a village host through its regency, and not another region', () => {
    const catalog = catalogWith(
      ['1.0.0', '1.1.0'],
      [{ ...GRANT, apps: [{ name: 'antrean-daring' }] }],
    );
    expect(outdatedEntry(catalog, running('1.0.0'), '52.04.01.2001', '2026-06-01').latest).toBe(
      '1.1.0',
    );
    expect(outdatedEntry(catalog, running('1.0.0'), '33.07', '2026-06-01').latest).toBeNull();
  });

  it('skips prereleases unless a prerelease runs', () => {
    const catalog = catalogWith(
      ['1.0.0', '1.1.0-rc.1', '1.1.0-rc.2'],
      [{ ...GRANT, apps: [{ name: 'antrean-daring' }] }],
    );
    expect(outdatedEntry(catalog, running('1.0.0'), '52.04', '2026-06-01')).toMatchObject({
      latest: null,
      newestInCatalog: '1.0.0',
    });
    expect(outdatedEntry(catalog, running('1.1.0-rc.1'), '52.04', '2026-06-01')).toMatchObject({
      latest: '1.1.0-rc.2',
      step: 'patch',
    });
  });
});
