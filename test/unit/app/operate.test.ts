import { describe, expect, it } from 'vitest';
import { deployApp } from '../../../src/app/deploy.js';
import { takeLock } from '../../../src/app/lock.js';
import { initHost } from '../../../src/app/host.js';
import { appExec, appLogs, serviceAction, type OperateContext } from '../../../src/app/operate.js';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import { silentProgress } from '../../../src/ports/progress.js';
import { FakeEngine, type FakeEngineOptions } from '../../fakes/fake-engine.js';
import { catalogFixtureFiles, fakeDigest, REGISTRY } from '../../support/catalog-fixture.js';
import { dockerHost } from '../../support/host.js';
import { rejection } from '../../support/rejection.js';

const APP = 'antrean-daring';
const NOW = new Date('2025-06-01T08:00:00Z');
const operator = { user: 'budi', hostname: 'diskominfo-sumbawa', pid: 4242 };
const catalog = buildCatalog({
  name: 'test',
  root: '/catalog',
  files: Object.entries(catalogFixtureFiles()).map(([path, text]) => ({ path, text })),
});

async function setup(): Promise<OperateContext> {
  const images: NonNullable<FakeEngineOptions['images']> = {};
  for (const s of ['web', 'db'])
    images[`${REGISTRY}/${s}@${fakeDigest(`${APP}-1.0.0-${s}`)}`] = {
      logs: `${s} ready\n${s} serving\n`,
    };
  const engine = new FakeEngine({ images });
  const clock = { now: () => NOW };
  const host = dockerHost(engine, clock);
  await initHost({ ...host, catalog, clock, operator }, { region: '52.04', allowUnsigned: true });
  const ctx = {
    ...host,
    clock,
    operator,
    probe: { isAlive: () => true },
    progress: silentProgress,
  };
  await deployApp(
    { ...ctx, catalog, randomSecret: () => 'kata-sandi-acak-0123456789abcdef' },
    {
      ref: `${APP}@1.0.0`,
      overlays: [],
      sets: ['config.REGION_NAME=Kabupaten Sumbawa'],
      suppliedSecrets: {},
    },
    { healthTimeoutMs: 30_000, command: 'ksad deploy' },
  );
  return ctx;
}

const action = { healthTimeoutMs: 30_000, command: 'ksad stop' };

describe('operating a running app', () => {
  it('logs come per service, tail included; exec returns the exit code', async () => {
    const ctx = await setup();
    const got: string[] = [];
    await appLogs(ctx, APP, undefined, { follow: false, tail: 1 }, (service, _s, data) =>
      got.push(`${service}: ${Buffer.from(data).toString().trim()}`),
    );
    expect(got.sort()).toEqual(['db: db serving', 'web: web serving']);
    const out: string[] = [];
    const io = {
      tty: false,
      stdout: (d: Uint8Array) => out.push(Buffer.from(d).toString()),
      stderr: () => undefined,
    };
    expect(await appExec(ctx, APP, 'web', ['echo', 'halo'], io)).toBe(0);
    expect(out).toEqual(['halo\n']);
    expect((await rejection(appExec(ctx, 'sakip-online', 'web', ['true'], io))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('a stop is recorded with who and when; a start clears it', async () => {
    const ctx = await setup();
    const stopped = await serviceAction(ctx, APP, 'stop', { ...action, service: 'web' });
    expect(stopped).toEqual({
      app: APP,
      action: 'stop',
      revision: 1,
      services: ['web'],
      stoppedByOperator: ['web'],
    });
    const [record] = await ctx.store.releases(APP);
    expect(record?.stopped).toEqual({
      web: { by: 'budi@diskominfo-sumbawa', at: NOW.toISOString() },
    });
    expect(record?.status).toBe('deployed');
    const all = await serviceAction(ctx, APP, 'start', action);
    expect(all).toMatchObject({ services: ['web'], stoppedByOperator: [] });
    expect((await ctx.store.releases(APP))[0]?.stopped).toBeUndefined();
    const restarted = await serviceAction(ctx, APP, 'restart', action);
    expect(restarted.services).toEqual(['db', 'web']);
  });

  it('waits for no one: another operation holding the lock is named', async () => {
    const ctx = await setup();
    await takeLock(ctx.store, APP, {
      operator: { user: 'siti', hostname: 'laptop-siti', pid: 777 },
      command: 'ksad deploy antrean-daring@2',
      probe: { isAlive: () => true },
      now: NOW,
    });
    const error = await rejection(serviceAction(ctx, APP, 'stop', action));
    expect(error.code).toBe('LOCKED');
  });
});
