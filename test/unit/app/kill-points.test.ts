/*
 * ksad killed right after each Engine API call of a change, at every call: install, an upgrade
 * that adds a secret, a failed upgrade, a rollback, an uninstall and a repeated host init. After
 * each kill the next ksad command (clearing the dead holder's lock first, as its error says)
 * recovers, and nothing is lost: the secrets in use are unchanged, every revision record is there,
 * the data volume is the same one, and the app runs healthy (or, after an uninstall, is gone with
 * its data kept). The real-engine counterpart is test/integration/kill-points.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { deployApp, type DeployRunContext } from '../../../src/app/deploy.js';
import { initHost } from '../../../src/app/host.js';
import { releaseStatuses, uninstallApp } from '../../../src/app/releases.js';
import { rollbackApp } from '../../../src/app/rollback.js';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import { KsadError } from '../../../src/core/errors.js';
import { silentProgress } from '../../../src/ports/progress.js';
import { FakeEngine } from '../../fakes/fake-engine.js';
import {
  catalogFixtureFiles,
  fakeDigest,
  manifestYaml,
  REGISTRY,
} from '../../support/catalog-fixture.js';
import { dyingEngine, Killed } from '../../support/dying-engine.js';
import { dockerHost } from '../../support/host.js';

const APP = 'antrean-daring';
const NOW = new Date('2026-06-01T08:00:00Z');
const ALIVE = { user: 'budi', hostname: 'diskominfo-sumbawa', pid: 4242 };
const DEAD = { ...ALIVE, pid: 999 };

/** 2.1.0 adds SMTP_PASSWORD; 2.2.0's web never becomes healthy. */
function files(): Record<string, string> {
  const withSmtp = (version: string): string =>
    manifestYaml(APP, version)
      .replace(
        'secrets:\n  DB_PASSWORD:\n    description: Password of the app database\n',
        'secrets:\n  DB_PASSWORD:\n    description: Password of the app database\n  SMTP_PASSWORD:\n    description: Mail relay password\n',
      )
      .replace(
        '      DB_PASSWORD: ${secret.DB_PASSWORD}\n    ports:',
        '      DB_PASSWORD: ${secret.DB_PASSWORD}\n      SMTP_PASSWORD: ${secret.SMTP_PASSWORD}\n    ports:',
      );
  return {
    ...catalogFixtureFiles(),
    [`manifests/kota-bandung/${APP}/2.1.0.yaml`]: withSmtp('2.1.0'),
    [`manifests/kota-bandung/${APP}/2.2.0.yaml`]: withSmtp('2.2.0'),
  };
}
const catalog = buildCatalog({
  name: 'kill-points',
  root: '/catalog',
  files: Object.entries(files()).map(([path, text]) => ({ path, text })),
});
const image = (version: string, service: string): string =>
  `${REGISTRY}/${service}@${fakeDigest(`${APP}-${version}-${service}`)}`;

function newEngine(): FakeEngine {
  const images: Record<string, { health?: 'unhealthy' }> = {};
  for (const v of ['1.0.0', '1.1.0', '2.0.0', '2.1.0', '2.2.0']) {
    images[image(v, 'db')] = {};
    images[image(v, 'web')] = v === '2.2.0' ? { health: 'unhealthy' } : {};
  }
  return new FakeEngine({ images });
}

let secretCounter = 0;
function context(engine: FakeEngine, who = ALIVE): DeployRunContext {
  const clock = { now: () => NOW };
  return {
    ...dockerHost(engine, clock),
    catalog,
    clock,
    randomSecret: (n) => `secret-${(secretCounter += 1)}-`.padEnd(n, 'x'),
    operator: who,
    probe: { isAlive: (pid) => pid !== DEAD.pid },
    progress: silentProgress,
  };
}
const request = (ref: string) => ({
  ref,
  overlays: [],
  sets: ['config.REGION_NAME=Kabupaten Sumbawa', 'config.HTTP_PORT=18080'],
  suppliedSecrets: {},
});
const OPTS = { healthTimeoutMs: 5_000, command: 'ksad deploy' };

type Step = (ctx: DeployRunContext) => Promise<unknown>;
const deploy =
  (ref: string): Step =>
  (ctx) =>
    deployApp(ctx, request(ref), OPTS);
const rollback: Step = (ctx) => rollbackApp(ctx, APP, OPTS);
const uninstall: Step = (ctx) =>
  uninstallApp(ctx, APP, { purgeData: false, command: 'ksad uninstall' });
const hostInit =
  (name: string): Step =>
  (ctx) =>
    initHost(ctx, { region: '52.04', name, allowUnsigned: true });

interface Scenario {
  name: string;
  /** What the host went through before the operation under test. */
  before: Step[];
  operation: Step;
  /** Whether the operation itself fails even when nothing kills it. */
  fails?: boolean;
  /** What must hold once the next command recovered. */
  after: 'running' | 'uninstalled';
}

const scenarios: Scenario[] = [
  { name: 'an install', before: [], operation: deploy(`${APP}@1.0.0`), after: 'running' },
  {
    name: 'an upgrade that adds a secret',
    before: [deploy(`${APP}@1.0.0`)],
    operation: deploy(`${APP}@2.1.0`),
    after: 'running',
  },
  {
    name: 'a failed upgrade',
    before: [deploy(`${APP}@2.1.0`)],
    operation: deploy(`${APP}@2.2.0`),
    fails: true,
    after: 'running',
  },
  {
    name: 'a rollback',
    before: [deploy(`${APP}@1.0.0`), deploy(`${APP}@2.1.0`)],
    operation: rollback,
    after: 'running',
  },
  {
    name: 'an uninstall',
    before: [deploy(`${APP}@1.0.0`)],
    operation: uninstall,
    after: 'uninstalled',
  },
  {
    name: 'a repeated host init',
    before: [deploy(`${APP}@1.0.0`)],
    operation: hostInit('Diskominfotik Sumbawa (baru)'),
    after: 'running',
  },
];

/** Runs `step` once more as the next engineer would: a dead holder's lock is cleared first. */
async function again(ctx: DeployRunContext, step: Step): Promise<unknown> {
  try {
    return await step(ctx);
  } catch (error) {
    if (!(error instanceof KsadError) || !error.message.includes('the lock is stale')) throw error;
    await ctx.store.unlock(APP);
    return step(ctx);
  }
}

/** What must never be lost, read from the host. */
async function evidence(ctx: DeployRunContext) {
  const [secrets, records, volume] = await Promise.all([
    ctx.store.secrets(APP),
    ctx.store.releases(APP),
    ctx.target.actual(APP).then((a) => a.volumes.find((v) => v.name === `ksad-${APP}-data`)),
  ]);
  return { secrets, records, volumeCreatedAt: volume?.createdAt };
}

async function prepared(scenario: Scenario): Promise<FakeEngine> {
  const engine = newEngine();
  const ctx = context(engine);
  await initHost(ctx, { region: '52.04', allowUnsigned: true });
  for (const step of scenario.before) await step(ctx);
  return engine;
}

describe('ksad killed after every engine call of a change', () => {
  const covered: Record<string, number> = {};

  for (const scenario of scenarios) {
    it(`${scenario.name}: the next command recovers and nothing is lost`, async () => {
      // How many engine calls the whole operation makes when nothing kills it.
      const probe = await prepared(scenario);
      const counting = dyingEngine(probe, Infinity);
      await scenario
        .operation({ ...context(probe), ...dockerHost(counting) })
        .catch(() => undefined);
      const calls = counting.count();
      expect(calls).toBeGreaterThan(3);

      for (let n = 0; n < calls; n++) {
        const engine = await prepared(scenario);
        const ctx = context(engine);
        const before = await evidence(ctx);
        const dying = { ...context(engine, DEAD), ...dockerHost(dyingEngine(engine, n)) };
        const killed = await scenario.operation(dying).then(
          () => false,
          (e: unknown) => e instanceof Killed,
        );
        const mid = await evidence(ctx);

        const outcome = await again(ctx, scenario.operation).then(
          () => 'ok',
          (e: unknown) => (e instanceof KsadError ? e.code : e),
        );
        const where = `killed after call ${n} of ${calls} (${killed ? 'killed' : 'finished'})`;
        expect(outcome, where).toBe(scenario.fails ? 'DEPLOY_FAILED' : 'ok');
        const after = await evidence(ctx);

        // A secret that was stored (and so may be in use) is never replaced.
        for (const [name, value] of Object.entries(before.secrets))
          expect(after.secrets[name], `${where}: ${name}`).toBe(value);
        for (const [name, value] of Object.entries(mid.secrets))
          expect(after.secrets[name], `${where}: ${name} stored before the kill`).toBe(value);
        // Every revision that existed is still recorded, and numbers have no gaps.
        const revisions = after.records.map((r) => r.revision);
        for (const r of before.records) expect(revisions, where).toContain(r.revision);
        expect(revisions, where).toEqual(revisions.map((_, i) => i + 1));
        // The data volume is the same one (its data kept).
        if (before.volumeCreatedAt !== undefined)
          expect(after.volumeCreatedAt, where).toBe(before.volumeCreatedAt);
        expect(await ctx.store.lockHolder(APP), where).toBeNull();
        expect(await ctx.store.profile(), where).not.toBeNull();

        if (scenario.after === 'running') {
          const [status] = await releaseStatuses(ctx, APP);
          expect(status?.health, where).toBe('healthy');
          expect(ctx.target.interrupted(await ctx.target.actual(APP)), where).toBe(false);
        } else {
          expect((await ctx.target.actual(APP)).containers, where).toEqual([]);
          expect(after.records.at(-1)?.status, where).toBe('uninstalled');
        }
      }
      covered[scenario.name] = calls;
    }, 120_000);
  }

  it('covered every kill point of every scenario', () => {
    const total = Object.values(covered).reduce((a, b) => a + b, 0);
    console.log(`kill points covered: ${total} (${JSON.stringify(covered)})`);
    expect(Object.keys(covered)).toHaveLength(scenarios.length);
  });
});
