import { describe, expect, it } from 'vitest';
import { deployApp, type DeployRunContext } from '../../../src/app/deploy.js';
import { initHost } from '../../../src/app/host.js';
import { prepareDeploy, type DeployRequest } from '../../../src/app/prepare.js';
import { refusePortConflicts } from '../../../src/app/port-conflicts.js';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import type { ContainerSpec } from '../../../src/ports/docker-engine.js';
import { silentProgress } from '../../../src/ports/progress.js';
import { DockerHostReleaseStore } from '../../../src/targets/docker-host/release-store.js';
import { DockerHostTarget } from '../../../src/targets/docker-host/target.js';
import { RegistryImageSource } from '../../../src/targets/images/registry-source.js';
import { FakeEngine, type FakeEngineOptions } from '../../fakes/fake-engine.js';
import { catalogFixtureFiles, fakeDigest, REGISTRY } from '../../support/catalog-fixture.js';
import { rejection } from '../../support/rejection.js';

const NOW = new Date('2025-06-01T08:00:00Z');
const operator = { user: 'budi', hostname: 'diskominfo-sumbawa', pid: 4242 };
const catalog = buildCatalog({
  name: 'test',
  root: '/catalog',
  files: Object.entries(catalogFixtureFiles()).map(([path, text]) => ({ path, text })),
});
const opts = { healthTimeoutMs: 30_000, command: 'ksad deploy' };

function request(ref: string, sets: string[] = []): DeployRequest {
  return {
    ref,
    overlays: [],
    sets: ['config.REGION_NAME=Kabupaten Sumbawa', ...sets],
    suppliedSecrets: {},
  };
}

/** A container somebody ran by hand, publishing `port` on every address. */
function foreign(name: string, port: number): ContainerSpec {
  return {
    name,
    image: 'nginx:1',
    env: {},
    labels: {},
    ports: [{ container: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: port }],
    mounts: [],
    network: 'bridge',
    aliases: [],
    restartPolicy: 'no',
    init: false,
    readOnlyRootFilesystem: false,
    stopTimeoutSec: 10,
  };
}

async function setup(
  options: FakeEngineOptions = {},
  busy: ReadonlySet<number> = new Set(),
): Promise<{ engine: FakeEngine; ctx: DeployRunContext; probed: number[] }> {
  const images: NonNullable<FakeEngineOptions['images']> = { 'nginx:1': { local: true } };
  for (const app of ['antrean-daring', 'e-budgeting']) {
    for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
      for (const service of ['web', 'db']) {
        images[`${REGISTRY}/${service}@${fakeDigest(`${app}-${version}-${service}`)}`] = {};
      }
    }
  }
  const engine = new FakeEngine({ images, ...options });
  const clock = { now: () => NOW };
  const probed: number[] = [];
  const probe = {
    isFree: (_address: string, port: number): Promise<boolean> => {
      probed.push(port);
      return Promise.resolve(!busy.has(port));
    },
  };
  const store = new DockerHostReleaseStore(engine);
  const target = new DockerHostTarget(engine, new RegistryImageSource(engine), clock, probe);
  await initHost(
    { store, target, catalog, clock, operator },
    { region: '52.04', allowUnsigned: true },
  );
  const ctx: DeployRunContext = {
    store,
    target,
    catalog,
    clock,
    randomSecret: () => 'kata-sandi-acak-0123456789abcdef',
    operator,
    probe: { isAlive: () => true },
    progress: silentProgress,
  };
  return { engine, ctx, probed };
}

describe('host-port conflicts', () => {
  it('another ksad app on the port: refused before anything changes, with the --set that moves it', async () => {
    const { engine, ctx } = await setup();
    await deployApp(ctx, request('e-budgeting@2.0.0', ['config.HTTP_PORT=18080']), opts);
    const from = engine.calls.length;
    const error = await rejection(
      deployApp(ctx, request('antrean-daring@1.0.0', ['config.HTTP_PORT=18080']), opts),
    );
    expect(error.code).toBe('DEPLOY_FAILED');
    expect(error.message).toBe(
      'antrean-daring cannot publish port 18080: it is held by ksad app e-budgeting (container ksad-e-budgeting-web)',
    );
    expect(error.details).toEqual([
      'port 127.0.0.1:18080/tcp of service web is held by ksad app e-budgeting (container ksad-e-budgeting-web)',
    ]);
    expect(error.suggestions).toEqual([
      'publish web on another port: --set config.HTTP_PORT=18081',
      'nothing was changed on the host',
    ]);
    const writes = engine.calls
      .slice(from)
      .filter((c) => /^(create|start|stop|remove|rename|put)/.test(c.method));
    expect(writes).toEqual([]);
  });

  it('a container not made by ksad, and a process outside Docker, are named; the suggestion skips taken ports', async () => {
    const { ctx } = await setup(
      { containers: [{ spec: foreign('kiosk-nginx', 8080) }] },
      new Set([9090, 9091]),
    );
    const byContainer = await prepareDeploy(ctx, request('antrean-daring@1.0.0'));
    expect(byContainer.portConflicts).toMatchObject([
      {
        service: 'web',
        holder: { kind: 'container', container: 'kiosk-nginx' },
        configKey: 'HTTP_PORT',
        free: 8081,
      },
    ]);
    const byProcess = await prepareDeploy(
      ctx,
      request('antrean-daring@1.0.0', ['config.HTTP_PORT=9090']),
    );
    expect(byProcess.portConflicts).toMatchObject([
      { holder: { kind: 'process' }, configKey: 'HTTP_PORT', free: 9092 },
    ]);
    const error = rejection(
      Promise.resolve().then(() => refusePortConflicts('antrean-daring', byProcess.portConflicts)),
    );
    expect((await error).message).toContain(
      'held by a process on the host outside Docker (found by binding the port)',
    );
  });

  it('a redeploy of the running app asks nothing about its own ports', async () => {
    const { engine, ctx, probed } = await setup();
    await deployApp(ctx, request('antrean-daring@1.0.0'), opts);
    const from = engine.calls.length;
    probed.length = 0;
    const p = await prepareDeploy(ctx, request('antrean-daring@1.1.0'));
    expect(p.portConflicts).toEqual([]);
    expect(probed).toEqual([]);
    expect(engine.calls.slice(from).filter((c) => c.method === 'listContainers')).toHaveLength(1);
  });
});
