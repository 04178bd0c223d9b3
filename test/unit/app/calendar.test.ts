/**
 * One calendar for every command: at 23:30 and 00:30 local time in each of Indonesia's zones,
 * deploy and plan (the MoU gate), outdated, mou list and audit agree on whether an MoU that ends
 * (or starts) that day is in force, because they all take the date in the host region's zone.
 */
import { describe, expect, it } from 'vitest';
import { auditApps } from '../../../src/app/audit.js';
import { listMous } from '../../../src/app/browse.js';
import { catalogCalendar } from '../../../src/app/calendar.js';
import { deployApp, type DeployRunContext } from '../../../src/app/deploy.js';
import { initHost } from '../../../src/app/host.js';
import { lintCatalogUseCase } from '../../../src/app/lint.js';
import { outdatedApps } from '../../../src/app/outdated.js';
import { prepareDeploy, type DeployRequest } from '../../../src/app/prepare.js';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import type { Catalog } from '../../../src/core/catalog-model.js';
import { isKsadError } from '../../../src/core/errors.js';
import type { Clock } from '../../../src/ports/clock.js';
import { silentProgress } from '../../../src/ports/progress.js';
import { FakeEngine } from '../../fakes/fake-engine.js';
import { dockerHost } from '../../support/host.js';
import { MemoryCatalogFiles } from '../../fakes/memory-catalog-files.js';
import { MemoryCatalogRegistry } from '../../fakes/memory-catalog-registry.js';
import { MemoryGitRepository } from '../../fakes/memory-git-repository.js';
import { fakeDigest, manifestYaml, REGISTRY } from '../../support/catalog-fixture.js';
import { rejection } from '../../support/rejection.js';
import { catalogYaml, member, mou } from '../core/fixtures.js';

const APP = 'antrean-daring';
const DAY = '2026-06-30';
const NEXT = '2026-07-01';

/** A region of each zone, and its offset from UTC in hours. */
const ZONES = [
  { zone: 'WIB', code: '35.22', name: 'Kabupaten Bojonegoro', hours: 7 },
  { zone: 'WITA', code: '52.04', name: 'Kabupaten Sumbawa', hours: 8 },
  { zone: 'WIT', code: '91.71', name: 'Kota Jayapura', hours: 9 },
] as const;

/** `HH:MM` local time on `day` in a zone `hours` east of UTC, as an instant. */
function localTime(day: string, hhmm: string, hours: number): Date {
  return new Date(new Date(`${day}T${hhmm}:00Z`).getTime() - hours * 3_600_000);
}

/** Kota Bandung grants antrean-daring to one region per zone under one MoU. */
function catalogWith(validity: { validFrom: string; validUntil: string }): Catalog {
  return buildCatalog({
    name: 'test',
    root: '/catalog',
    files: [
      catalogYaml(),
      member({ slug: 'kota-bandung', code: '32.73', publisher: true }),
      ...ZONES.map((z) => member({ slug: `m-${z.code}`, code: z.code, name: z.name })),
      mou({
        slug: 'bandung-2026',
        number: 'NK/2026',
        grantor: '32.73',
        grantees: ZONES.map((z) => z.code),
        apps: [{ name: APP }],
        ...validity,
      }),
      ...['1.0.0', '1.1.0'].map((v) => ({
        path: `manifests/kota-bandung/${APP}/${v}.yaml`,
        text: manifestYaml(APP, v),
      })),
    ],
  });
}

const request = (ref: string): DeployRequest => ({
  ref,
  overlays: [{ file: 'o.yaml', text: 'config:\n  REGION_NAME: Uji\n' }],
  sets: [],
  suppliedSecrets: {},
});

interface Verdicts {
  deploy: boolean;
  outdated: boolean;
  mouList: boolean;
  audit: boolean;
}

/**
 * A host of `region` with antrean-daring 1.0.0 deployed under the MoU at `deployedAt`; then, at
 * `at`, what each command says about the MoU. The machine itself runs on UTC-5, to show that no
 * command reads the machine's zone when it knows the region's.
 */
async function verdicts(
  catalog: Catalog,
  region: (typeof ZONES)[number],
  deployedAt: Date,
  at: Date,
): Promise<Verdicts> {
  const images = Object.fromEntries(
    ['1.0.0', '1.1.0'].flatMap((v) =>
      (['web', 'db'] as const).map((s) => [
        `${REGISTRY}/${s}@${fakeDigest(`${APP}-${v}-${s}`)}`,
        {},
      ]),
    ),
  );
  const engine = new FakeEngine({ images });
  let now = deployedAt;
  const clock: Clock = {
    now: () => now,
    zone: () => ({ name: 'America/Lima', offsetMinutes: -300 }),
  };
  const operator = { user: 'budi', hostname: 'diskominfo', pid: 1 };
  await initHost(
    { ...dockerHost(engine), catalog, clock, operator },
    { region: region.code, allowUnsigned: true },
  );
  const ctx: DeployRunContext = {
    ...dockerHost(engine),
    catalog,
    clock,
    randomSecret: (n) => 's'.repeat(n),
    operator,
    probe: { isAlive: () => true },
    progress: silentProgress,
  };
  await deployApp(ctx, request(`${APP}@1.0.0`), { healthTimeoutMs: 10_000, command: 'deploy' });

  now = at;
  const deploy = await prepareDeploy(ctx, request(`${APP}@1.1.0`)).then(
    (p) => p.grant.kind === 'mou',
    (e: unknown) => {
      if (isKsadError(e) && e.code === 'NOT_COVERED') return false;
      throw e;
    },
  );
  const outdated = (await outdatedApps(ctx)).apps[0]?.latest === '1.1.0';
  // mou list knows no host: it goes by --region.
  const day = catalogCalendar(clock, catalog, region.code);
  const mouList =
    listMous(catalog, { region: region.code, active: true, today: day.date }).length === 1;
  const report = await auditApps({ ...dockerHost(engine), catalog, clock }, {});
  const status = report.apps[0]?.mou.status;
  expect(report.calendar).toMatchObject({ zone: region.zone, source: 'host', fixed: false });
  expect(report.asOf).toBe(day.date);
  return { deploy, outdated, mouList, audit: status === 'active' || status === 'expiring' };
}

const all = (v: boolean): Verdicts => ({ deploy: v, outdated: v, mouList: v, audit: v });

describe.each(ZONES)('$zone ($code): at the boundary hours', (region) => {
  const ending = catalogWith({ validFrom: '2026-01-01', validUntil: DAY });
  const starting = catalogWith({ validFrom: NEXT, validUntil: '2027-06-30' });

  it(`an MoU ending ${DAY} is in force at 23:30 that day, for every command`, async () => {
    const at = localTime(DAY, '23:30', region.hours);
    expect(await verdicts(ending, region, new Date('2026-06-15T04:00:00Z'), at)).toEqual(all(true));
  });

  it(`and expired at 00:30 on ${NEXT}, for every command`, async () => {
    const at = localTime(NEXT, '00:30', region.hours);
    // Still 30 June in UTC (and on the machine): the old UTC rule would have let deploy through.
    expect(at.toISOString().slice(0, 10)).toBe(DAY);
    expect(await verdicts(ending, region, new Date('2026-06-15T04:00:00Z'), at)).toEqual(
      all(false),
    );
  });

  it(`an MoU starting ${NEXT} is not yet in force at 23:30 the day before`, async () => {
    const at = localTime(DAY, '23:30', region.hours);
    expect(await verdicts(starting, region, new Date('2026-07-15T04:00:00Z'), at)).toEqual(
      all(false),
    );
  });

  it(`and in force at 00:30 on ${NEXT}`, async () => {
    const at = localTime(NEXT, '00:30', region.hours);
    expect(await verdicts(starting, region, new Date('2026-07-15T04:00:00Z'), at)).toEqual(
      all(true),
    );
  });
});

describe('the host zone', () => {
  const catalog = catalogWith({ validFrom: '2026-01-01', validUntil: DAY });
  const clock: Clock = { now: () => new Date('2026-06-30T16:30:00Z') }; // 00:30 WITA on 1 July
  const operator = { user: 'budi', hostname: 'diskominfo', pid: 1 };

  it('is derived at host init, can be named instead, and is kept on a later init', async () => {
    const engine = new FakeEngine();
    const ctx = { ...dockerHost(engine), catalog, clock, operator };
    expect((await initHost(ctx, { region: '52.04' })).profile.timeZone).toBe('WITA');
    expect(
      (await initHost(ctx, { region: '52.04', timeZone: 'Asia/Jakarta' })).profile.timeZone,
    ).toBe('WIB');
    expect((await initHost(ctx, { region: '52.04', name: 'renamed' })).profile.timeZone).toBe(
      'WIB',
    );
    // Another region gets its own zone again.
    expect((await initHost(ctx, { region: '91.71' })).profile.timeZone).toBe('WIT');
    const bad = await rejection(initHost(ctx, { region: '52.04', timeZone: 'UTC' }));
    expect(bad).toMatchObject({ code: 'USAGE' });
    expect(bad.suggestions.join(' ')).toContain('Asia/Makassar');
  });

  it('is what a deploy goes by: a host of 52.04 told it runs on WIB still sees 30 June', async () => {
    const engine = new FakeEngine();
    await initHost(
      { ...dockerHost(engine), catalog, clock, operator },
      { region: '52.04', timeZone: 'WIB', allowUnsigned: true },
    );
    const ctx = {
      ...dockerHost(engine),
      catalog,
      clock,
      randomSecret: (n: number) => 's'.repeat(n),
    };
    await expect(prepareDeploy(ctx, request(`${APP}@1.0.0`))).resolves.toMatchObject({
      grant: { kind: 'mou', number: 'NK/2026' },
    });
  });

  it('is derived for a profile written before zones were recorded', async () => {
    const engine = new FakeEngine();
    await dockerHost(engine).store.saveProfile({
      region: { code: '52.04', name: 'Kabupaten Sumbawa' },
      name: 'old host',
      target: 'docker',
      policy: { bindAddress: '127.0.0.1', allowUnsigned: true, historyLimit: 10 },
      initializedAt: '2025-01-01T00:00:00.000Z',
      initializedBy: 'budi@host',
    });
    expect((await dockerHost(engine).store.requireProfile()).timeZone).toBe('WITA');
    const ctx = {
      ...dockerHost(engine),
      catalog,
      clock,
      randomSecret: (n: number) => 's'.repeat(n),
    };
    const refused = await rejection(prepareDeploy(ctx, request(`${APP}@1.0.0`)));
    expect(refused.code).toBe('NOT_COVERED');
    const report = await outdatedApps(ctx);
    expect(report).toMatchObject({
      checkedOn: NEXT,
      calendar: { date: NEXT, zone: 'WITA', utcOffset: '+08:00', source: 'host' },
    });
  });

  it('keeps audit --date as the day, in the host zone', async () => {
    const engine = new FakeEngine();
    await initHost({ ...dockerHost(engine), catalog, clock, operator }, { region: '35.22' });
    const report = await auditApps(
      { ...dockerHost(engine), catalog, clock },
      { today: '2027-01-15' },
    );
    expect(report.asOf).toBe('2027-01-15');
    expect(report.calendar).toEqual({
      date: '2027-01-15',
      zone: 'WIB',
      utcOffset: '+07:00',
      source: 'host',
      fixed: true,
    });
  });
});

describe('without a host', () => {
  const at = new Date('2026-06-30T16:30:00Z'); // 23:30 WIB, 00:30 WITA
  const machine: Clock = {
    now: () => at,
    zone: () => ({ name: 'Asia/Jakarta', offsetMinutes: 420 }),
  };

  it('goes by --region, else the zone catalog.yaml states, else the machine’s', () => {
    const plain = catalogWith({ validFrom: '2026-01-01', validUntil: DAY });
    expect(catalogCalendar(machine, plain, '52.04')).toMatchObject({
      date: NEXT,
      source: 'region',
    });
    expect(catalogCalendar(machine, plain)).toMatchObject({
      date: DAY,
      zone: 'Asia/Jakarta',
      source: 'machine',
    });
    // A fixed clock without a zone of its own is on UTC.
    expect(catalogCalendar({ now: () => at }, plain)).toMatchObject({
      date: DAY,
      zone: 'UTC',
      utcOffset: '+00:00',
    });
    const stated = buildCatalog({
      name: 'wita',
      root: '/c',
      files: [
        {
          path: 'catalog/catalog.yaml',
          text: 'schemaVersion: 1\nid: c\ntitle: C\ntimeZone: WITA\n',
        },
      ],
    });
    expect(catalogCalendar(machine, stated)).toMatchObject({
      date: NEXT,
      zone: 'WITA',
      source: 'catalog',
    });
  });

  it('catalog lint judges expiry on the catalog’s day and reports it', async () => {
    const files = new MemoryCatalogFiles('/work');
    files.putTree('/work/c', {
      'catalog/catalog.yaml': 'schemaVersion: 1\nid: c\ntitle: C\ntimeZone: Asia/Makassar\n',
      ...Object.fromEntries(
        [
          member({ slug: 'kota-bandung', code: '32.73', publisher: true }),
          member({ slug: 'kabupaten-sumbawa', code: '52.04' }),
          mou({
            slug: 'm',
            grantor: '32.73',
            grantees: ['52.04'],
            apps: [{ name: APP }],
            validUntil: DAY,
          }),
          { path: `manifests/kota-bandung/${APP}/1.0.0.yaml`, text: manifestYaml(APP, '1.0.0') },
        ].map((f) => [f.path, f.text]),
      ),
    });
    const ctx = {
      files,
      git: new MemoryGitRepository(files),
      registry: new MemoryCatalogRegistry(files),
      clock: machine,
      sampleRoot: '/opt/ksad',
    };
    const report = await lintCatalogUseCase(ctx, { catalog: 'c' });
    expect(report.calendar).toMatchObject({ date: NEXT, zone: 'WITA', source: 'catalog' });
    expect(report.diagnostics.map((d) => d.rule)).toContain('mou-expired');
    // The same instant in WIB is still 30 June: not expired yet.
    files.putTree('/work/c', {
      'catalog/catalog.yaml': 'schemaVersion: 1\nid: c\ntitle: C\ntimeZone: WIB\n',
    });
    const wib = await lintCatalogUseCase(ctx, { catalog: 'c' });
    expect(wib.calendar).toMatchObject({ date: DAY, zone: 'WIB', source: 'catalog' });
    expect(wib.diagnostics.map((d) => d.rule)).not.toContain('mou-expired');
  });
});
