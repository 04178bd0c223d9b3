import { describe, expect, it } from 'vitest';
import { deployApp, type DeployRunContext } from '../../../src/app/deploy.js';
import { takeLock } from '../../../src/app/lock.js';
import { initHost } from '../../../src/app/host.js';
import { prepareDeploy, type DeployRequest } from '../../../src/app/prepare.js';
import { appHistory } from '../../../src/app/history.js';
import { releaseStatuses, uninstallApp } from '../../../src/app/releases.js';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import { ExitCode } from '../../../src/core/errors.js';
import type { ContainerSpec } from '../../../src/ports/docker-engine.js';
import type { ReleaseStore } from '../../../src/ports/release-store.js';
import { silentProgress } from '../../../src/ports/progress.js';
import { FakeEngine, type FakeBehaviour, type FakeEngineOptions } from '../../fakes/fake-engine.js';
import { catalogFixtureFiles, fakeDigest, REGISTRY } from '../../support/catalog-fixture.js';
import { dockerHost } from '../../support/host.js';
import { rejection } from '../../support/rejection.js';

const APP = 'antrean-daring';
const PASSWORD = 'kata-sandi-acak-0123456789abcdef';
const NOW = new Date('2025-06-01T08:00:00Z');
const operator = { user: 'budi', hostname: 'diskominfo-sumbawa', pid: 4242 };

/** antrean-daring 1.0.0, 1.1.0, 2.0.0 (web → db) granted to 52.04 until 2099; an expired MoU for 35.22. */
const catalog = buildCatalog({
  name: 'test',
  root: '/catalog',
  files: Object.entries(catalogFixtureFiles()).map(([path, text]) => ({ path, text })),
});

const image = (version: string, service: 'web' | 'db'): string =>
  `${REGISTRY}/${service}@${fakeDigest(`${APP}-${version}-${service}`)}`;

const sumbawa = {
  file: 'sumbawa.yaml',
  text: 'config:\n  REGION_NAME: Kabupaten Sumbawa\n  HTTP_PORT: 18080\n',
};

function request(ref: string, extra: Partial<DeployRequest> = {}): DeployRequest {
  return { ref, overlays: [sumbawa], sets: [], suppliedSecrets: {}, ...extra };
}

async function setup(
  options: FakeEngineOptions = {},
  region = '52.04',
): Promise<{ engine: FakeEngine; ctx: DeployRunContext; state: ReleaseStore }> {
  const images: NonNullable<FakeEngineOptions['images']> = {};
  for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
    images[image(version, 'web')] = {};
    images[image(version, 'db')] = {};
  }
  const engine = new FakeEngine({ images, ...options });
  const clock = { now: () => NOW };
  const host = dockerHost(engine, clock);
  // The fixture's manifests carry no signatures; this host allows that (and records it).
  await initHost({ ...host, catalog, clock, operator }, { region, allowUnsigned: true });
  const ctx: DeployRunContext = {
    ...host,
    catalog,
    clock,
    randomSecret: () => PASSWORD,
    operator,
    probe: { isAlive: () => true },
    progress: silentProgress,
  };
  return { engine, ctx, state: host.store };
}

const opts = { healthTimeoutMs: 30_000, command: `ksad deploy ${APP}` };

async function appContainers(
  engine: FakeEngine,
): Promise<Array<{ name: string; id: string; image: string; state: string }>> {
  const list = await engine.listContainers({ 'id.ksad.app': APP, 'id.ksad.kind': 'container' });
  return list
    .map((c) => ({ name: c.name, id: c.id, image: c.image, state: c.state }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const writes = (engine: FakeEngine, from: number): string[] =>
  engine.calls
    .slice(from)
    .map((c) => c.method)
    .filter(
      (m) =>
        ![
          'info',
          'inspectImage',
          'inspectContainer',
          'inspectVolume',
          'listContainers',
          'listNetworks',
          'listVolumes',
          'readFiles',
        ].includes(m),
    );

/** Another engineer's deploy holds the app's lock, from a process that is still alive. */
async function lockedBySiti(state: ReleaseStore): Promise<void> {
  await takeLock(state, APP, {
    operator: { user: 'siti', hostname: 'laptop-siti', pid: 777 },
    command: 'ksad deploy antrean-daring@2',
    probe: { isAlive: () => true },
    now: new Date('2025-06-01T07:59:00Z'),
  });
}

describe('deployApp', () => {
  it('stops with INTEGRITY rather than make a new password when a secret in use is gone', async () => {
    const { engine, ctx, state } = await setup();
    await deployApp(ctx, request(`${APP}@1.0.0`), opts);
    await state.deleteSecrets(APP);
    const from = engine.calls.length;
    const error = await rejection(deployApp(ctx, request(`${APP}@1.1.0`), opts));
    expect(error.code).toBe('INTEGRITY');
    expect(error.message).toContain('DB_PASSWORD (revision 1)');
    expect(error.suggestions).toContain(
      'supply the value it had: --secret DB_PASSWORD=@FILE (or KSAD_SECRET_DB_PASSWORD)',
    );
    expect(writes(engine, from)).toEqual([]);
    const supplied = await deployApp(
      ctx,
      request(`${APP}@1.1.0`, { suppliedSecrets: { DB_PASSWORD: PASSWORD } }),
      opts,
    );
    expect(supplied.outcome).toBe('upgraded');
    expect(await state.secrets(APP)).toEqual({ DB_PASSWORD: PASSWORD });
  });

  it('installs db then web, stores the generated secret and records revision 1 under the MoU', async () => {
    const { engine, ctx, state } = await setup();
    const result = await deployApp(ctx, request(`${APP}@1.0.0`), opts);

    expect(result).toMatchObject({
      app: APP,
      version: '1.0.0',
      outcome: 'installed',
      revision: 1,
      previousVersion: null,
    });
    expect(result.mou).toEqual({
      kind: 'mou',
      slug: 'bandung-sumbawa-2024',
      number: '119/KSAD/2024',
      validUntil: '2099-12-31',
    });
    expect(result.services.map((s) => [s.service, s.action])).toEqual([
      ['db', 'create'],
      ['web', 'create'],
    ]);
    expect(result.endpoints).toEqual([
      { service: 'web', name: 'http', url: 'http://127.0.0.1:18080' },
    ]);
    expect(result.secretsGenerated).toEqual(['DB_PASSWORD']);

    const started = engine.calls.filter((c) => c.method === 'startContainer').map((c) => c.args[0]);
    const containers = await appContainers(engine);
    const idOf = (name: string): string | undefined => containers.find((c) => c.name === name)?.id;
    // db must be healthy before web starts (dependsOn service_healthy).
    expect(started).toEqual([idOf(`ksad-${APP}-db`), idOf(`ksad-${APP}-web`)]);
    expect(containers.map((c) => [c.name, c.state])).toEqual([
      [`ksad-${APP}-db`, 'running'],
      [`ksad-${APP}-web`, 'running'],
    ]);
    expect(await state.secrets(APP)).toEqual({ DB_PASSWORD: PASSWORD });
    const [record] = await state.releases(APP);
    expect(record).toMatchObject({
      revision: 1,
      version: '1.0.0',
      status: 'deployed',
      deployedBy: 'budi@diskominfo-sumbawa',
    });
    expect(JSON.stringify(record)).not.toContain(PASSWORD);
    // The lock is gone once the deploy is done.
    expect(await state.lockHolder(APP)).toBeNull();
  });

  it('deploying the same request again changes nothing and records no revision', async () => {
    const { engine, ctx, state } = await setup();
    await deployApp(ctx, request(`${APP}@1.0.0`), opts);
    const before = await appContainers(engine);
    const from = engine.calls.length;

    const again = await deployApp(ctx, request(`${APP}@1.0.0`), opts);
    expect(again).toMatchObject({ outcome: 'unchanged', revision: 1, secretsGenerated: [] });
    expect(again.services.map((s) => s.action)).toEqual(['keep', 'keep']);
    expect(await appContainers(engine)).toEqual(before);
    // Answered from a read of the host: nothing was written, not even the lock.
    expect(writes(engine, from)).toEqual([]);
    expect((await state.releases(APP)).map((r) => r.revision)).toEqual([1]);
  });

  it('does not answer "unchanged" while another operation holds the lock', async () => {
    const { engine, ctx, state } = await setup();
    await deployApp(ctx, request(`${APP}@1.0.0`), opts);
    await lockedBySiti(state);
    const from = engine.calls.length;
    const error = await rejection(deployApp(ctx, request(`${APP}@1.0.0`), opts));
    expect(error.code).toBe('LOCKED');
    expect(writes(engine, from)).toEqual(['createMarker']);
  });

  it('refuses with NOT_COVERED when only an expired MoU names the region, and creates nothing', async () => {
    const { engine, ctx, state } = await setup({}, '35.22');
    const error = await rejection(deployApp(ctx, request(`${APP}@1.0.0`), opts));
    expect(error.code).toBe('NOT_COVERED');
    expect(error.exitCode).toBe(ExitCode.NOT_COVERED);
    expect(error.message).toBe(`no active MoU grants ${APP}@1.0.0 to Kabupaten Bojonegoro (35.22)`);
    expect(error.details.join('\n')).toMatch(/045\/KSAD\/2019: expired/);
    expect(error.suggestions.join('\n')).toContain('--override-mou');
    expect(
      engine.calls.some(
        (c) =>
          c.method === 'createContainer' ||
          (c.method === 'createVolume' && c.args[0] !== 'ksad-host'),
      ),
    ).toBe(false);
    expect(await state.lockHolder(APP)).toBeNull();
  });

  it('deploys with --override-mou and keeps the reason with the release', async () => {
    const { ctx, state } = await setup({}, '35.22');
    const reason = 'MoU 2026 sedang ditandatangani; disetujui Kadis';
    const result = await deployApp(ctx, request(`${APP}@1.0.0`, { overrideReason: reason }), opts);
    expect(result.mou).toEqual({ kind: 'override', reason });
    expect((await state.releases(APP))[0]?.mou).toEqual({ kind: 'override', reason });
  });

  it('fails with LOCKED naming the holder while another operation holds the lock', async () => {
    const { engine, ctx, state } = await setup();
    await lockedBySiti(state);
    const from = engine.calls.length;

    const error = await rejection(deployApp(ctx, request(`${APP}@1.0.0`), opts));
    expect(error.code).toBe('LOCKED');
    expect(error.exitCode).toBe(ExitCode.LOCKED);
    expect(error.message).toContain(
      'siti@laptop-siti (pid 777, "ksad deploy antrean-daring@2") since 2025-06-01T07:59:00.000Z',
    );
    expect(error.suggestions.join('\n')).toContain(`ksad unlock ${APP}`);
    // Nothing was changed and the other operation keeps its lock.
    expect(writes(engine, from)).toEqual(['createMarker']);
    expect((await state.lockHolder(APP))?.user).toBe('siti');
  });

  it('calls a lock stale when its holder on this machine is gone', async () => {
    const { ctx, state } = await setup();
    await takeLock(state, APP, {
      operator: { ...operator, pid: 999 },
      command: 'ksad deploy antrean-daring',
      probe: { isAlive: () => true },
      now: NOW,
    });
    const error = await rejection(
      deployApp(
        { ...ctx, probe: { isAlive: (pid) => pid !== 999 } },
        request(`${APP}@1.0.0`),
        opts,
      ),
    );
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain('that process is gone, so the lock is stale');
    expect(error.suggestions[0]).toBe(`clear the stale lock: ksad unlock ${APP}`);
  });

  it('a pull that fails leaves nothing on the host, not even the generated secret', async () => {
    const { engine, ctx, state } = await setup({ failPull: [image('1.0.0', 'web')] });
    const error = await rejection(deployApp(ctx, request(`${APP}@1.0.0`), opts));
    expect(error.exitCode).toBe(ExitCode.DEPLOY_FAILED);
    expect(error.message).toContain(image('1.0.0', 'web'));
    expect(await appContainers(engine)).toEqual([]);
    expect(await engine.listNetworks({ 'id.ksad.app': APP })).toEqual([]);
    expect(await engine.listVolumes({ 'id.ksad.app': APP })).toEqual([]);
    expect(await state.secrets(APP)).toEqual({});
  });

  it('an upgrade whose web never becomes healthy restores the previous containers and masks the secret in its logs', async () => {
    const behaviour = (spec: ContainerSpec): FakeBehaviour | undefined =>
      spec.image === image('1.1.0', 'web')
        ? {
            health: 'unhealthy',
            logs: `web: connecting with ${spec.env.DB_PASSWORD ?? ''}\nweb: /health answered 503\n`,
          }
        : undefined;
    const { engine, ctx, state } = await setup({ behaviour });
    await deployApp(ctx, request(`${APP}@1.0.0`), opts);
    const before = await appContainers(engine);

    const error = await rejection(deployApp(ctx, request(`${APP}@1.1.0`), opts));
    expect(error.exitCode).toBe(ExitCode.DEPLOY_FAILED);
    expect(error.message).toContain('service web failed to start');
    expect(error.message).toContain('revision 1 (1.0.0)');
    expect(error.details).toContain('web | web: /health answered 503');
    expect(error.details).toContain('web | web: connecting with ********');
    expect(JSON.stringify([error.message, error.details, error.suggestions])).not.toContain(
      PASSWORD,
    );

    // Both services were recreated (db first, healthy) and both went back: same ids, old images, running.
    expect(await appContainers(engine)).toEqual(before);
    expect(before.every((c) => c.state === 'running')).toBe(true);
    expect(before.map((c) => c.image)).toEqual([image('1.0.0', 'db'), image('1.0.0', 'web')]);
    expect((await state.releases(APP)).map((r) => [r.revision, r.status])).toEqual([
      [1, 'deployed'],
      [2, 'failed'],
    ]);
    const [status] = await releaseStatuses(dockerHost(engine), APP);
    expect(status).toMatchObject({ version: '1.0.0', revision: 1, health: 'healthy' });
    expect(await state.lockHolder(APP)).toBeNull();
  });
});

describe('prepareDeploy', () => {
  it('plans only the changed service and writes nothing to the host', async () => {
    const { engine, ctx } = await setup();
    await deployApp(ctx, request(`${APP}@1.0.0`), opts);
    const from = engine.calls.length;

    const p = await prepareDeploy(
      ctx,
      request(`${APP}@1.0.0`, { sets: ['config.HTTP_PORT=18081'] }),
    );
    expect(p.plan.changes).toBe(true);
    const actions = Object.fromEntries(p.plan.services.map((s) => [s.service, s]));
    expect(actions.db?.action).toBe('keep');
    expect(actions.web?.action).toBe('recreate');
    expect(actions.web?.reason).toContain(
      'ports changed: 127.0.0.1:18081→8080/tcp (was 127.0.0.1:18080→8080/tcp)',
    );
    expect(p.current?.revision).toBe(1);
    expect(writes(engine, from)).toEqual([]);
  });

  it('reports every overlay problem as file:line:col before touching the host', async () => {
    const { engine, ctx } = await setup();
    const from = engine.calls.length;
    const bad = { file: 'salah.yaml', text: 'config:\n  REGION_NAME: [a, b]\nservces: {}\n' };
    const error = await rejection(prepareDeploy(ctx, request(`${APP}@1.0.0`, { overlays: [bad] })));
    expect(error.exitCode).toBe(ExitCode.INVALID);
    expect(error.details).toEqual([
      expect.stringMatching(/^salah\.yaml:2:\d+: error: config\.REGION_NAME: /),
      expect.stringMatching(/^salah\.yaml:3:1: error: .*servces/),
    ]);
    expect(writes(engine, from)).toEqual([]);
  });
});

describe('uninstallApp', () => {
  const uctx = (engine: FakeEngine) => ({
    ...dockerHost(engine),
    clock: { now: () => NOW },
    operator,
    probe: { isAlive: () => true },
    progress: silentProgress,
  });

  it('removes containers and network but keeps volumes and secrets; --purge-data removes them too', async () => {
    const { engine, ctx, state } = await setup();
    await deployApp(ctx, request(`${APP}@1.0.0`), opts);

    const kept = await uninstallApp(uctx(engine), APP, {
      purgeData: false,
      command: 'ksad uninstall',
    });
    expect(kept).toMatchObject({
      removedContainers: [`ksad-${APP}-db`, `ksad-${APP}-web`],
      removedNetwork: true,
      volumes: { kept: [`ksad-${APP}-data`], removed: [] },
      secretsRemoved: false,
    });
    expect(await appContainers(engine)).toEqual([]);
    expect(await state.secrets(APP)).toEqual({ DB_PASSWORD: PASSWORD });
    expect((await state.releases(APP)).map((r) => r.status)).toEqual(['uninstalled']);

    // A later install reuses the stored password rather than generating a new one.
    const back = await deployApp(ctx, request(`${APP}@1.0.0`), opts);
    expect(back).toMatchObject({ outcome: 'installed', revision: 2, secretsGenerated: [] });

    const purged = await uninstallApp(uctx(engine), APP, {
      purgeData: true,
      yes: true,
      command: 'ksad uninstall --purge-data --yes',
    });
    expect(purged.volumes).toEqual({ kept: [], removed: [`ksad-${APP}-data`] });
    // Only the removal evidence is left of the app.
    expect((await engine.listVolumes({ 'id.ksad.app': APP })).map((v) => v.name)).toEqual([
      `ksad-removed-${APP}-g1`,
    ]);
    expect(await engine.listNetworks({ 'id.ksad.app': APP })).toEqual([]);
  });

  it('--purge-data also clears a secret and data volume left without any release', async () => {
    const { engine, state } = await setup();
    await state.saveSecrets(APP, { DB_PASSWORD: PASSWORD });
    await engine.createVolume(`ksad-${APP}-data`, {
      'id.ksad.managed': 'true',
      'id.ksad.kind': 'volume',
      'id.ksad.app': APP,
    });

    const purged = await uninstallApp(uctx(engine), APP, {
      purgeData: true,
      yes: true,
      command: 'ksad uninstall --purge-data --yes',
    });
    expect(purged).toMatchObject({
      removedContainers: [],
      volumes: { removed: [`ksad-${APP}-data`] },
      secretsRemoved: true,
      removal: { purgedData: true, revisions: [] },
    });
    expect(await engine.listVolumes({ 'id.ksad.app': APP, 'id.ksad.kind': 'volume' })).toEqual([]);
  });

  it('says NOT_FOUND for an app that left nothing on the host', async () => {
    const { engine } = await setup();
    const error = await rejection(
      uninstallApp(uctx(engine), 'sakip-online', {
        purgeData: true,
        yes: true,
        command: 'ksad uninstall',
      }),
    );
    expect(error.exitCode).toBe(ExitCode.NOT_FOUND);
    expect(error.message).toBe('sakip-online is not installed on this host');
  });

  it('--purge-data off a terminal without --yes is a usage error naming --yes, and changes nothing', async () => {
    const { engine, ctx } = await setup();
    await deployApp(ctx, request(`${APP}@1.0.0`), opts);
    const from = engine.calls.length;
    const error = await rejection(
      uninstallApp(uctx(engine), APP, { purgeData: true, command: 'ksad uninstall --purge-data' }),
    );
    expect(error.exitCode).toBe(ExitCode.USAGE);
    expect(error.message).toContain('nothing was changed');
    expect(error.suggestions).toEqual([`confirm it: ksad uninstall ${APP} --purge-data --yes`]);
    expect(writes(engine, from)).toEqual([]);
  });

  it('goes ahead only when the operator types the app name on a terminal', async () => {
    const { engine, ctx, state } = await setup();
    await deployApp(ctx, request(`${APP}@1.0.0`), opts);
    const asked: string[] = [];
    const from = engine.calls.length;
    const declined = await rejection(
      uninstallApp(
        { ...uctx(engine), confirm: (app) => (asked.push(app), Promise.resolve(false)) },
        APP,
        { purgeData: true, command: 'ksad uninstall --purge-data' },
      ),
    );
    expect(declined.exitCode).toBe(ExitCode.USAGE);
    expect(writes(engine, from)).toEqual([]);
    const done = await uninstallApp(
      { ...uctx(engine), confirm: (app) => (asked.push(app), Promise.resolve(true)) },
      APP,
      { purgeData: true, command: 'ksad uninstall --purge-data' },
    );
    expect(asked).toEqual([APP, APP]);
    expect(done.secretsRemoved).toBe(true);
    expect(await state.releases(APP)).toEqual([]);
  });

  it('keeps evidence of every revision, who removed the app and whether data went, secrets never', async () => {
    const { engine, ctx, state } = await setup();
    await deployApp(ctx, request(`${APP}@1.0.0`), opts);
    await deployApp(ctx, request(`${APP}@1.1.0`), opts);
    const kept = await uninstallApp(uctx(engine), APP, {
      purgeData: false,
      command: `ksad uninstall ${APP}`,
    });
    expect(kept.removal).toMatchObject({ purgedData: false, volumesRemoved: [] });
    await deployApp(ctx, request(`${APP}@2.0.0`), opts);
    await uninstallApp(uctx(engine), APP, {
      purgeData: true,
      yes: true,
      command: `ksad uninstall ${APP} --purge-data --yes`,
    });
    const [removal] = await state.removals(APP);
    expect(removal).toEqual({
      app: APP,
      removedAt: NOW.toISOString(),
      removedBy: 'budi@diskominfo-sumbawa',
      command: `ksad uninstall ${APP} --purge-data --yes`,
      purgedData: true,
      volumesRemoved: [`ksad-${APP}-data`],
      revisions: [
        {
          revision: 1,
          version: '1.0.0',
          status: 'superseded',
          deployedBy: 'budi@diskominfo-sumbawa',
          deployedAt: NOW.toISOString(),
        },
        {
          revision: 2,
          version: '1.1.0',
          status: 'uninstalled',
          deployedBy: 'budi@diskominfo-sumbawa',
          deployedAt: NOW.toISOString(),
        },
        {
          revision: 3,
          version: '2.0.0',
          status: 'uninstalled',
          deployedBy: 'budi@diskominfo-sumbawa',
          deployedAt: NOW.toISOString(),
        },
      ],
    });
    expect(JSON.stringify(await engine.listVolumes({ 'id.ksad.kind': 'removal' }))).not.toContain(
      PASSWORD,
    );
    const history = await appHistory(state, APP);
    expect(history).toMatchObject({ app: APP, running: null, revisions: [], removal });
  });
});
