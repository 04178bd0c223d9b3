import { describe, expect, it } from 'vitest';
import { deployApp, type DeployRunContext } from '../../../src/app/deploy.js';
import { initHost } from '../../../src/app/host.js';
import { upgradeAll } from '../../../src/app/upgrade-all.js';
import { appValues } from '../../../src/app/values.js';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import { silentProgress } from '../../../src/ports/progress.js';
import { FakeEngine, type FakeEngineOptions } from '../../fakes/fake-engine.js';
import {
  catalogFixtureFiles,
  fakeDigest,
  manifestYaml,
  REGISTRY,
} from '../../support/catalog-fixture.js';
import { dockerHost } from '../../support/host.js';
import { rejection } from '../../support/rejection.js';

const NOW = new Date('2025-06-01T08:00:00Z');
const operator = { user: 'budi', hostname: 'diskominfo-sumbawa', pid: 4242 };
const catalog = buildCatalog({
  name: 'test',
  root: '/catalog',
  files: Object.entries({
    ...catalogFixtureFiles(),
    'manifests/kota-bandung/e-budgeting/2.1.0.yaml': manifestYaml('e-budgeting', '2.1.0'),
  }).map(([path, text]) => ({ path, text })),
});
const image = (app: string, version: string, service: string): string =>
  `${REGISTRY}/${service}@${fakeDigest(`${app}-${version}-${service}`)}`;
const opts = { healthTimeoutMs: 30_000, command: 'ksad upgrade --all', suppliedSecrets: {} };

async function setup(unhealthy?: string): Promise<{ engine: FakeEngine; ctx: DeployRunContext }> {
  const images: NonNullable<FakeEngineOptions['images']> = {};
  for (const [app, versions] of [
    ['antrean-daring', ['1.0.0', '1.1.0', '2.0.0']],
    ['e-budgeting', ['2.0.0', '2.1.0']],
  ] as const) {
    for (const v of versions) for (const s of ['web', 'db']) images[image(app, v, s)] = {};
  }
  const engine = new FakeEngine({
    images,
    behaviour: (spec) => (spec.image === unhealthy ? { health: 'unhealthy' } : undefined),
  });
  const clock = { now: () => NOW };
  const host = dockerHost(engine, clock);
  await initHost({ ...host, catalog, clock, operator }, { region: '52.04', allowUnsigned: true });
  const ctx: DeployRunContext = {
    ...host,
    catalog,
    clock,
    randomSecret: () => 'kata-sandi-acak-0123456789abcdef',
    operator,
    probe: { isAlive: () => true },
    progress: silentProgress,
  };
  const deploy = (ref: string, port: number) =>
    deployApp(
      ctx,
      {
        ref,
        overlays: [],
        sets: ['config.REGION_NAME=Kabupaten Sumbawa', `config.HTTP_PORT=${port}`],
        suppliedSecrets: {},
      },
      { healthTimeoutMs: 30_000, command: 'ksad deploy' },
    );
  await deploy('antrean-daring@1.0.0', 18080);
  await deploy('e-budgeting@2.0.0', 18090);
  return { engine, ctx };
}

const versions = async (ctx: DeployRunContext): Promise<Record<string, string>> =>
  Object.fromEntries(
    (await ctx.store.releases())
      .filter((r) => r.status === 'deployed')
      .map((r) => [r.app, r.version]),
  );

describe('upgradeAll', () => {
  it('--dry-run plans every upgrade with its values and changes nothing', async () => {
    const { engine, ctx } = await setup();
    const from = engine.calls.length;
    const report = await upgradeAll(ctx, { ...opts, dryRun: true });
    expect(report.apps.map((a) => [a.app, a.from, a.to, a.step, a.status])).toEqual([
      ['antrean-daring', '1.0.0', '2.0.0', 'major', 'planned'],
      ['e-budgeting', '2.0.0', '2.1.0', 'minor', 'planned'],
    ]);
    expect(report.apps[0]?.services.map((s) => [s.service, s.action])).toEqual([
      ['db', 'recreate'],
      ['web', 'recreate'],
    ]);
    const writes = engine.calls
      .slice(from)
      .filter((c) => /^(create|start|stop|remove|rename|put)/.test(c.method));
    expect(writes).toEqual([]);
  });

  it('upgrades every app one at a time, each keeping its values', async () => {
    const { ctx } = await setup();
    const report = await upgradeAll(ctx, { ...opts, dryRun: false });
    expect(report.apps.map((a) => [a.app, a.status, a.revision])).toEqual([
      ['antrean-daring', 'upgraded', 2],
      ['e-budgeting', 'upgraded', 2],
    ]);
    expect(await versions(ctx)).toEqual({ 'antrean-daring': '2.0.0', 'e-budgeting': '2.1.0' });
    expect((await appValues(ctx.store, catalog, 'e-budgeting')).config.HTTP_PORT).toBe(18090);
    expect((await upgradeAll(ctx, { ...opts, dryRun: false })).apps).toEqual([]);
  });

  it('stops at the first failure, which is rolled back; the apps after it are untouched', async () => {
    const { ctx } = await setup(image('antrean-daring', '2.0.0', 'web'));
    const error = await rejection(upgradeAll(ctx, { ...opts, dryRun: false }));
    expect(error.code).toBe('DEPLOY_FAILED');
    expect(error.message).toMatch(/^upgrade --all stopped at antrean-daring: /);
    expect(error.details.slice(0, 2)).toEqual([
      'antrean-daring 1.0.0 → 2.0.0: failed',
      'e-budgeting 2.0.0 → 2.1.0: skipped',
    ]);
    expect(await versions(ctx)).toEqual({ 'antrean-daring': '1.0.0', 'e-budgeting': '2.0.0' });
  });
});
