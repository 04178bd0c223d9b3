import { describe, expect, it } from 'vitest';
import { initHost } from '../../../src/app/host.js';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import { FakeEngine } from '../../fakes/fake-engine.js';
import { catalogFixtureFiles } from '../../support/catalog-fixture.js';
import { dockerHost } from '../../support/host.js';
import { rejection } from '../../support/rejection.js';

const catalog = buildCatalog({
  name: 'test',
  root: '/catalog',
  files: Object.entries(catalogFixtureFiles()).map(([path, text]) => ({ path, text })),
});
const ctx = () => ({
  ...dockerHost(new FakeEngine({})),
  catalog,
  clock: { now: () => new Date('2025-06-01T08:00:00Z') },
  operator: { user: 'budi', hostname: 'diskominfo-sumbawa', pid: 4242 },
});

describe('initHost --region: a code or an official name', () => {
  it.each(['52.04', 'Kabupaten Sumbawa', 'kab. sumbawa'])('%s is 52.04', async (region) => {
    const { profile } = await initHost(ctx(), { region });
    expect(profile.region.code).toBe('52.04');
  });

  it('refuses a code that is not in the official list, suggesting one that is', async () => {
    const error = await rejection(initHost(ctx(), { region: '52.40' }));
    expect(error).toMatchObject({ code: 'USAGE' });
    expect(String(error)).toContain('52.40 is not a regency or city of Nusa Tenggara Barat');
  });

  it('refuses an official region that is not a member', async () => {
    const error = await rejection(initHost(ctx(), { region: 'Kota Mataram' }));
    expect(error).toMatchObject({ code: 'NOT_FOUND' });
    expect(String(error)).toContain('region 52.71 is not a member');
  });
});

describe('initHost for another region', () => {
  it('refuses while apps run on the host, and with --force keeps the earlier profile', async () => {
    const host = ctx();
    await initHost(host, { region: '52.04', name: 'Diskominfotik Kabupaten Sumbawa' });
    const record = {
      app: 'antrean-daring',
      publisher: 'kota-bandung',
      version: '1.0.0',
      revision: 1,
      manifestDigest: `sha256:${'a'.repeat(64)}`,
      manifestFile: 'manifests/kota-bandung/antrean-daring/1.0.0.yaml',
      catalog: { name: 'test' },
      configHash: 'h',
      services: {},
      levels: [],
      config: {},
      secretNames: [],
      mou: { kind: 'override' as const, reason: 'test' },
      deployedBy: 'budi@diskominfo-sumbawa',
      deployedAt: '2025-06-01T08:00:00.000Z',
      status: 'deployed' as const,
      description: 'install 1.0.0',
    };
    await host.store.saveRelease(record);

    const error = await rejection(initHost(host, { region: '35.22' }));
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain(
      'this host belongs to Kabupaten Sumbawa (52.04), which runs 1 app(s) on it: antrean-daring',
    );
    expect(error.suggestions).toContain(
      "to hand it over (the earlier profile stays in the host's record): ksad host init --region 35.22 --force",
    );
    expect((await host.store.requireProfile()).region.code).toBe('52.04');

    const { profile } = await initHost(host, { region: '35.22', force: true });
    expect(profile.region.code).toBe('35.22');
    expect(profile.name).not.toBe('Diskominfotik Kabupaten Sumbawa');
    expect((await host.store.requireProfile()).formerRegions).toEqual([
      {
        region: { code: '52.04', name: 'Kabupaten Sumbawa' },
        name: 'Diskominfotik Kabupaten Sumbawa',
        initializedAt: '2025-06-01T08:00:00.000Z',
        initializedBy: 'budi@diskominfo-sumbawa',
        replacedAt: '2025-06-01T08:00:00.000Z',
        replacedBy: 'budi@diskominfo-sumbawa',
        apps: ['antrean-daring'],
      },
    ]);
    // The same region again needs no --force and keeps the record.
    const again = await initHost(host, { region: '35.22' });
    expect(again.profile.formerRegions).toHaveLength(1);
  });
});
