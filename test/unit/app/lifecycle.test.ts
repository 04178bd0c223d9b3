/**
 * The release lifecycle against the in-memory engine: a failed multi-service upgrade restores every
 * service, rollbacks re-create a recorded revision exactly, history is capped without dropping the
 * running revision, and the lock refuses a second operation.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { deployApp, type DeployRunContext } from '../../../src/app/deploy.js';
import { appHistory } from '../../../src/app/history.js';
import { takeLock } from '../../../src/app/lock.js';
import { outdatedApps } from '../../../src/app/outdated.js';
import type { DeployRequest } from '../../../src/app/prepare.js';
import { rollbackApp } from '../../../src/app/rollback.js';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import type { Catalog } from '../../../src/core/catalog-model.js';
import { KsadError } from '../../../src/core/errors.js';
import { silentProgress } from '../../../src/ports/progress.js';
import { lifecycleManifest, type AppVersion } from '../../support/lifecycle-fixture.js';
import { FakeEngine } from '../../fakes/fake-engine.js';
import { dockerHost } from '../../support/host.js';
import { rejection } from '../../support/rejection.js';
import { catalogYaml, member, mou } from '../core/fixtures.js';

const APP = 'uji-siklus';
const IMAGES = [
  '127.0.0.1:5151/ksad-samples/db@sha256:ca6aa8ddf5a0f9921973d584a98dffb76b76d55114fa44321cc8136df5f036fb',
  '127.0.0.1:5151/ksad-samples/web@sha256:0bbef33c76ea0cbeeaafab346690495126f7e0156c911b8ae4e46fb3efc5a46a',
  '127.0.0.1:5151/ksad-samples/worker@sha256:798aa0470cc17a11f0c5da632851f27b1c68b0f8ab9ec68973cd81ac1484321d',
];
const VERSIONS: AppVersion[] = [
  { version: '1.0.0', schema: '1' },
  { version: '1.1.0', schema: '2' },
  { version: '2.0.0', schema: '3', brokenWeb: true },
];

function catalogOf(versions: AppVersion[], range = '>=1.0.0 <3.0.0'): Catalog {
  return buildCatalog({
    name: 'test',
    root: '/catalog',
    files: [
      catalogYaml(),
      member({ slug: 'kota-bandung', code: '32.73', publisher: true }),
      member({ slug: 'kabupaten-sumbawa', code: '52.04', kind: 'kabupaten' }),
      mou({
        slug: 'bdg-sbw',
        grantor: '32.73',
        grantees: ['52.04'],
        number: 'NK/1',
        apps: [{ name: APP, versions: range }],
      }),
      ...versions.map((v) => ({
        path: `manifests/kota-bandung/${APP}/${v.version}.yaml`,
        text: lifecycleManifest(APP, v),
      })),
    ],
  });
}

let engine: FakeEngine;
let ctx: DeployRunContext;

async function init(historyLimit = 10): Promise<void> {
  await dockerHost(engine).store.saveProfile({
    region: { code: '52.04', name: 'Kabupaten Sumbawa' },
    name: 'test host',
    target: 'docker',
    policy: { bindAddress: '127.0.0.1', allowUnsigned: true, historyLimit },
    initializedAt: '2026-01-01T00:00:00.000Z',
    initializedBy: 'budi@host',
  });
}

function req(ref: string, sets: string[] = []): DeployRequest {
  return { ref, overlays: [], sets, suppliedSecrets: {} };
}

const OPTS = { healthTimeoutMs: 10_000, command: 'ksad deploy' };

async function live(): Promise<
  Array<{ name: string; schema: string | undefined; state: string; env: Record<string, string> }>
> {
  const list = await engine.listContainers({ 'id.ksad.app': APP, 'id.ksad.kind': 'container' });
  return list
    .map((c) => ({ name: c.name, schema: c.env.SCHEMA, state: c.state, env: c.env }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function statuses(): Promise<Record<number, string>> {
  const records = await dockerHost(engine).store.releases(APP);
  return Object.fromEntries(records.map((r) => [r.revision, r.status]));
}

beforeEach(async () => {
  engine = new FakeEngine({
    images: Object.fromEntries(IMAGES.map((ref) => [ref, {}])),
    // 2.0.0's web never becomes healthy; everything else does.
    behaviour: (spec) =>
      spec.env.SCHEMA === '3' && spec.labels['id.ksad.service'] === 'web'
        ? {
            health: 'unhealthy',
            healthOutput: 'wget: server returned error: HTTP/1.1 404 Not Found',
            logs: 'web: /no-such-page 404',
          }
        : undefined,
  });
  const clock = { now: () => new Date('2026-06-01T08:00:00.000Z') };
  ctx = {
    ...dockerHost(engine, clock),
    catalog: catalogOf(VERSIONS),
    clock,
    randomSecret: (n) => 's'.repeat(n),
    operator: { user: 'budi', hostname: 'diskominfo', pid: 4242 },
    probe: { isAlive: () => true },
    progress: silentProgress,
  };
  await init();
});

describe('a failed upgrade', () => {
  it('brings every service back to the running revision, also one recreated fine in an earlier level', async () => {
    await deployApp(ctx, req(`${APP}@1.0.0`), OPTS);
    await deployApp(ctx, req(`${APP}@1.1.0`), OPTS);
    const error = await deployApp(ctx, req(`${APP}@2.0.0`), OPTS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KsadError);
    const k = error as KsadError;
    expect(k.code).toBe('DEPLOY_FAILED');
    expect(k.message).toBe(
      `upgrade 1.1.0 → 2.0.0 of ${APP} failed: service web failed to start: its health check failed; ksad rolled back to revision 2 (1.1.0), which runs again`,
    );
    // What the health probe itself said comes first, then the service's own last log lines.
    expect(k.details).toEqual([
      'last health check output:',
      'web | exit 1: wget: server returned error: HTTP/1.1 404 Not Found',
      'last log lines:',
      'web | web: /no-such-page 404',
    ]);

    const after = await live();
    expect(after.map((c) => [c.name, c.schema, c.state])).toEqual([
      [`ksad-${APP}-db`, '2', 'running'],
      [`ksad-${APP}-web`, '2', 'running'],
      [`ksad-${APP}-worker`, '2', 'running'],
    ]);
    // db really was recreated for 2.0.0 before web failed.
    const dbCreates = engine.calls.filter(
      (c) =>
        c.method === 'createContainer' &&
        (c.args[0] as { env: Record<string, string> }).env.SCHEMA === '3',
    );
    expect(dbCreates.length).toBeGreaterThanOrEqual(2);
    expect(await statuses()).toEqual({ 1: 'superseded', 2: 'deployed', 3: 'failed' });
    const history = await appHistory(dockerHost(engine).store, APP);
    expect(history.running).toBe(2);
    expect(history.revisions[2]?.description).toMatch(
      /^upgrade 1\.1\.0 → 2\.0\.0 failed: service web .*; rolled back to revision 2 \(1\.1\.0\)/,
    );
  });
});

describe('rollbackApp', () => {
  it('re-creates the revision before the running one as a new revision, overrides and secrets included', async () => {
    await deployApp(
      ctx,
      req(`${APP}@1.0.0`, [
        'services.web.environment.EXTRA=yes',
        'config.REGION_NAME=Sumbawa Besar',
      ]),
      OPTS,
    );
    const before = await live();
    await deployApp(ctx, { ...req(`${APP}@1.1.0`), resetValues: true }, OPTS);
    expect((await live()).find((c) => c.name.endsWith('-web'))?.env.EXTRA).toBeUndefined();

    const result = await rollbackApp(ctx, APP, { ...OPTS, command: 'ksad rollback' });
    expect(result).toMatchObject({
      app: APP,
      outcome: 'rolled-back',
      target: { revision: 1, version: '1.0.0' },
      from: { revision: 2, version: '1.1.0' },
      revision: 3,
      version: '1.0.0',
    });
    const after = await live();
    expect(after.map((c) => c.env)).toEqual(before.map((c) => c.env));
    expect(await statuses()).toEqual({ 1: 'superseded', 2: 'rolled-back', 3: 'deployed' });
    const records = await dockerHost(engine).store.releases(APP);
    expect(records[2]).toMatchObject({
      description: 'rollback to revision 1',
      manifestDigest: records[0]?.manifestDigest,
      configHash: records[0]?.configHash,
      config: records[0]?.config,
    });
  });

  it('goes to a named revision and refuses the running one, a failed one and an unknown one', async () => {
    await deployApp(ctx, req(`${APP}@1.0.0`), OPTS);
    await deployApp(ctx, req(`${APP}@1.1.0`), OPTS);
    await deployApp(ctx, req(`${APP}@2.0.0`), OPTS).catch(() => undefined);
    await expect(rollbackApp(ctx, APP, { ...OPTS, revision: 2 })).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringContaining('is the one running'),
    });
    await expect(rollbackApp(ctx, APP, { ...OPTS, revision: 3 })).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringContaining('failed to deploy'),
    });
    await expect(rollbackApp(ctx, APP, { ...OPTS, revision: 9 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('1 (1.0.0, superseded)'),
    });
    const r = await rollbackApp(ctx, APP, { ...OPTS, revision: 1 });
    expect(r).toMatchObject({ revision: 4, version: '1.0.0', target: { revision: 1 } });
  });

  it('fails with INTEGRITY, naming the digest, when the catalog no longer has the manifest', async () => {
    await deployApp(ctx, req(`${APP}@1.0.0`), OPTS);
    await deployApp(ctx, req(`${APP}@1.1.0`), OPTS);
    const digest = (await dockerHost(engine).store.releases(APP))[0]?.manifestDigest ?? '';
    const edited = {
      ...ctx,
      catalog: catalogOf([{ version: '1.0.0', schema: '1b' }, VERSIONS[1] as AppVersion]),
    };
    const error = (await rollbackApp(edited, APP, OPTS).catch((e: unknown) => e)) as KsadError;
    expect(error.code).toBe('INTEGRITY');
    expect(error.message).toContain(digest);
    expect(error.message).toContain(`manifests/kota-bandung/${APP}/1.0.0.yaml`);
    expect(await statuses()).toEqual({ 1: 'superseded', 2: 'deployed' });
  });

  it('still needs the MoU, unless overridden (and then records why)', async () => {
    await deployApp(ctx, req(`${APP}@1.0.0`), OPTS);
    await deployApp(ctx, req(`${APP}@1.1.0`), OPTS);
    const narrowed = { ...ctx, catalog: catalogOf(VERSIONS, '>=1.1.0 <3.0.0') };
    await expect(rollbackApp(narrowed, APP, OPTS)).rejects.toMatchObject({ code: 'NOT_COVERED' });
    const r = await rollbackApp(narrowed, APP, {
      ...OPTS,
      overrideReason: 'perpanjangan MoU sedang ditandatangani',
    });
    expect(r.mou).toEqual({ kind: 'override', reason: 'perpanjangan MoU sedang ditandatangani' });
  });

  it('says there is nothing to roll back to after a single install', async () => {
    await deployApp(ctx, req(`${APP}@1.0.0`), OPTS);
    await expect(rollbackApp(ctx, APP, OPTS)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('no earlier revision'),
    });
  });
});

describe('history', () => {
  it('is capped by the host policy, never dropping the running revision', async () => {
    await init(2);
    await deployApp(ctx, req(`${APP}@1.0.0`), OPTS);
    for (let i = 0; i < 3; i++)
      await deployApp(ctx, req(`${APP}@2.0.0`), OPTS).catch(() => undefined);
    const h = await appHistory(dockerHost(engine).store, APP);
    expect(h.revisions.map((r) => [r.revision, r.status])).toEqual([
      [1, 'deployed'],
      [4, 'failed'],
    ]);
    expect(h).toMatchObject({ running: 1, historyLimit: 2 });
    expect(Object.keys(h.revisions[0]?.images ?? {})).toEqual(['db', 'web', 'worker']);
  });

  it('says so when the app has no history', async () => {
    await expect(appHistory(dockerHost(engine).store, 'tidak-ada')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('the lock', () => {
  it('refuses a second operation while one runs, naming the holder', async () => {
    await deployApp(ctx, req(`${APP}@1.0.0`), OPTS);
    const state = dockerHost(engine).store;
    const release = await takeLock(state, APP, {
      operator: { user: 'siti', hostname: 'diskominfo', pid: 777 },
      command: 'ksad deploy x',
      probe: ctx.probe,
      now: new Date('2026-06-01T07:00:00Z'),
    });
    const locked = (await deployApp(ctx, req(`${APP}@1.1.0`), OPTS).catch(
      (e: unknown) => e,
    )) as KsadError;
    expect(locked.code).toBe('LOCKED');
    expect(locked.message).toContain('siti@diskominfo (pid 777, "ksad deploy x")');
    expect(locked.message).not.toContain('stale');
    const stale = (await deployApp(
      { ...ctx, probe: { isAlive: () => false } },
      req(`${APP}@1.1.0`),
      OPTS,
    ).catch((e: unknown) => e)) as KsadError;
    expect(stale.message).toContain('that process is gone, so the lock is stale');
    expect(stale.suggestions).toContain(`clear the stale lock: ksad unlock ${APP}`);
    await release();
    await expect(deployApp(ctx, req(`${APP}@1.1.0`), OPTS)).resolves.toMatchObject({
      outcome: 'upgraded',
    });
  });
});

describe('outdatedApps', () => {
  it('lists the newest covered version of each deployed app', async () => {
    await deployApp(ctx, req(`${APP}@1.0.0`), OPTS);
    const report = await outdatedApps(ctx);
    expect(report).toMatchObject({ region: { code: '52.04' }, checkedOn: '2026-06-01' });
    expect(report.apps).toEqual([
      expect.objectContaining({
        app: APP,
        current: '1.0.0',
        latest: '2.0.0',
        step: 'major',
        notCovered: [],
      }),
    ]);
  });
});

describe('an engine that stops answering mid-deploy', () => {
  it('says so, not what failed after it, and says the failed attempt could not be recorded', async () => {
    await deployApp(ctx, req(`${APP}@1.0.0`), OPTS);
    const start = engine.startContainer.bind(engine);
    engine.startContainer = (id) => {
      engine.stopAnswering();
      return start(id);
    };
    const k = await rejection(deployApp(ctx, req(`${APP}@1.1.0`), OPTS));
    expect(k.code).toBe('ENGINE_UNAVAILABLE');
    expect(k.reason).toBe('lost');
    expect(k.message).toBe(
      `upgrade 1.0.0 → 1.1.0 of ${APP} failed: the Docker engine at fake://docker stopped answering during \`startContainer\`; ksad could not restore the previous state; run the deploy again once the engine is back: ksad then recovers the interrupted change; the failed attempt (revision 2) could not be recorded on the host: the engine did not answer that either`,
    );
    expect(k.suggestions).toContain(
      `revision 2 is missing from the history of ${APP} (ksad history ${APP}): the attempt left no record`,
    );
    // The lock could not be released either: the next command finds it stale and says how to clear it.
    expect(k.suggestions.at(-1)).toContain(`ksad unlock ${APP}`);

    engine.answerAgain();
    const next = await rejection(
      deployApp({ ...ctx, probe: { isAlive: () => false } }, req(`${APP}@1.1.0`), OPTS),
    );
    expect(next.message).toContain('that process is gone, so the lock is stale');
  });

  it('records the failed attempt when the engine answers again for the restore', async () => {
    await deployApp(ctx, req(`${APP}@1.0.0`), OPTS);
    const start = engine.startContainer.bind(engine);
    let dropped = false;
    engine.startContainer = async (id) => {
      if (dropped) return start(id);
      dropped = true;
      engine.stopAnswering();
      try {
        return await start(id);
      } finally {
        engine.answerAgain();
      }
    };
    const k = await rejection(deployApp(ctx, req(`${APP}@1.1.0`), OPTS));
    expect(k.code).toBe('ENGINE_UNAVAILABLE');
    expect(k.message).toBe(
      `upgrade 1.0.0 → 1.1.0 of ${APP} failed: the Docker engine at fake://docker stopped answering during \`startContainer\`; ksad rolled back to revision 1 (1.0.0), which runs again; run the deploy again once the engine is back: ksad then recovers the interrupted change`,
    );
    expect(k.suggestions).toContain(`revision 2 is recorded as failed: ksad history ${APP}`);
    expect(await statuses()).toEqual({ 1: 'deployed', 2: 'failed' });
    expect((await live()).map((c) => [c.schema, c.state])).toEqual([
      ['1', 'running'],
      ['1', 'running'],
      ['1', 'running'],
    ]);
    await expect(deployApp(ctx, req(`${APP}@1.1.0`), OPTS)).resolves.toMatchObject({
      outcome: 'upgraded',
      revision: 3,
    });
  });
});
