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
