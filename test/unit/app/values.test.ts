import { describe, expect, it } from 'vitest';
import { deployApp, type DeployRunContext } from '../../../src/app/deploy.js';
import { initHost } from '../../../src/app/host.js';
import { prepareDeploy, type DeployRequest } from '../../../src/app/prepare.js';
import { appValues } from '../../../src/app/values.js';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import type { ReleaseStore } from '../../../src/ports/release-store.js';
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

const APP = 'antrean-daring';
const NOW = new Date('2025-06-01T08:00:00Z');
const operator = { user: 'budi', hostname: 'diskominfo-sumbawa', pid: 4242 };
const V3 = 'manifests/kota-bandung/antrean-daring/3.0.0.yaml';

/** 3.0.0 renames HTTP_PORT to WEB_PORT and adds a required ADMIN_EMAIL. */
const v3 = manifestYaml(APP, '3.0.0')
  .replaceAll('HTTP_PORT', 'WEB_PORT')
  .replace(
    'config:\n',
    'config:\n  ADMIN_EMAIL:\n    type: email\n    description: Who answers for the app\n    required: true\n',
  );

const catalog = buildCatalog({
  name: 'test',
  root: '/catalog',
  files: Object.entries({ ...catalogFixtureFiles(), [V3]: v3 }).map(([path, text]) => ({
    path,
    text,
  })),
});

const sumbawa = {
  file: 'sumbawa.yaml',
  text: 'config:\n  REGION_NAME: Kabupaten Sumbawa\n  HTTP_PORT: 18080\n',
};

function request(ref: string, extra: Partial<DeployRequest> = {}): DeployRequest {
  return { ref, overlays: [], sets: [], suppliedSecrets: {}, ...extra };
}

async function setup(): Promise<{ ctx: DeployRunContext; store: ReleaseStore }> {
  const images: NonNullable<FakeEngineOptions['images']> = {};
  for (const version of ['1.0.0', '1.1.0', '2.0.0', '3.0.0']) {
    for (const service of ['web', 'db']) {
      images[`${REGISTRY}/${service}@${fakeDigest(`${APP}-${version}-${service}`)}`] = {};
    }
  }
  const engine = new FakeEngine({ images });
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
  return { ctx, store: host.store };
}

const opts = { healthTimeoutMs: 30_000, command: `ksad deploy ${APP}` };
const withOverlay = request(`${APP}@1.0.0`, {
  overlays: [sumbawa],
  sets: ['services.web.resources.memory=192m'],
});

describe('remembered values', () => {
  it('a plain deploy after an overlay deploy is unchanged, and `values` shows what was given', async () => {
    const { ctx, store } = await setup();
    await deployApp(ctx, withOverlay, opts);
    const again = await deployApp(ctx, request(`${APP}@1.0.0`), opts);
    expect(again).toMatchObject({ outcome: 'unchanged', revision: 1 });

    const values = await appValues(store, catalog, APP);
    expect(values).toEqual({
      app: APP,
      revision: 1,
      version: '1.0.0',
      status: 'deployed',
      config: { REGION_NAME: 'Kabupaten Sumbawa', HTTP_PORT: 18080 },
      services: { web: { resources: { memory: '192m' } } },
      secrets: { DB_PASSWORD: '********' },
      derived: false,
      all: false,
    });
    const all = await appValues(store, catalog, APP, { all: true });
    expect(all.config).toEqual({ REGION_NAME: 'Kabupaten Sumbawa', HTTP_PORT: 18080 });
  });

  it('an upgrade with one --set keeps every other value; --reset-values starts from the defaults', async () => {
    const { ctx, store } = await setup();
    await deployApp(ctx, withOverlay, opts);
    const up = await deployApp(
      ctx,
      request(`${APP}@2.0.0`, { sets: ['config.REGION_NAME=Kab. Sumbawa'] }),
      opts,
    );
    expect(up).toMatchObject({ outcome: 'upgraded', values: { reusedFrom: 1, dropped: [] } });
    const after = await appValues(store, catalog, APP);
    expect(after).toMatchObject({
      revision: 2,
      config: { REGION_NAME: 'Kab. Sumbawa', HTTP_PORT: 18080 },
      services: { web: { resources: { memory: '192m' } } },
    });
    // The first revision's values stay readable.
    expect((await appValues(store, catalog, APP, { revision: 1 })).config.REGION_NAME).toBe(
      'Kabupaten Sumbawa',
    );

    const reset = await deployApp(
      ctx,
      request(`${APP}@2.0.0`, { resetValues: true, sets: ['config.REGION_NAME=Sumbawa'] }),
      opts,
    );
    expect(reset).toMatchObject({ outcome: 'updated', values: { reusedFrom: null } });
    expect((await appValues(store, catalog, APP)).config).toEqual({ REGION_NAME: 'Sumbawa' });
    expect(reset.endpoints.map((e) => e.url)).toEqual(['http://127.0.0.1:8080']);
  });

  it('a required key without a value is reported at the line that declares it', async () => {
    const { ctx } = await setup();
    const error = await rejection(prepareDeploy(ctx, request(`${APP}@1.0.0`)));
    expect(error.code).toBe('INVALID');
    const line = manifestYaml(APP, '1.0.0').split('\n').indexOf('  REGION_NAME:') + 1;
    expect(error.details).toEqual([
      `manifests/kota-bandung/antrean-daring/1.0.0.yaml:${line}:3: error: config.REGION_NAME: is required and has no default: Region name shown on every page`,
    ]);
  });

  it('reports dropped and renamed keys, and names a new required key with its line', async () => {
    const { ctx } = await setup();
    await deployApp(ctx, withOverlay, opts);
    const error = await rejection(prepareDeploy(ctx, request(`${APP}@3.0.0`)));
    const line = v3.split('\n').indexOf('  ADMIN_EMAIL:') + 1;
    expect(error.details).toEqual([
      `${V3}:${line}:3: error: config.ADMIN_EMAIL: is required and has no default: Who answers for the app`,
    ]);

    const p = await prepareDeploy(
      ctx,
      request(`${APP}@3.0.0`, { sets: ['config.ADMIN_EMAIL=diskominfo@sumbawakab.go.id'] }),
    );
    expect(p.droppedValues).toEqual([
      { path: 'config.HTTP_PORT', value: 18080, renamedTo: 'WEB_PORT' },
    ]);
    expect(p.valuesFrom).toBe(1);
    expect(p.suppliedConfig).toEqual({
      REGION_NAME: 'Kabupaten Sumbawa',
      ADMIN_EMAIL: 'diskominfo@sumbawakab.go.id',
    });
  });

  it('reads a record written before values were remembered, without its defaults', async () => {
    const { ctx, store } = await setup();
    await deployApp(ctx, request(`${APP}@1.0.0`, { sets: ['config.REGION_NAME=Sumbawa'] }), opts);
    const [record] = await store.releases(APP);
    if (record === undefined) throw new Error('no record');
    const older = { ...record };
    delete older.suppliedConfig;
    await store.saveRelease(older);

    const values = await appValues(store, catalog, APP);
    expect(values).toMatchObject({ derived: true, config: { REGION_NAME: 'Sumbawa' } });
    // Without the catalog, the resolved values are all there is.
    expect((await appValues(store, undefined, APP)).config).toEqual({
      REGION_NAME: 'Sumbawa',
      HTTP_PORT: 8080,
    });
    expect(await deployApp(ctx, request(`${APP}@1.0.0`), opts)).toMatchObject({
      outcome: 'unchanged',
    });
  });

  it('says NOT_FOUND for an unknown revision, naming those kept', async () => {
    const { ctx, store } = await setup();
    await deployApp(ctx, withOverlay, opts);
    const error = await rejection(appValues(store, catalog, APP, { revision: 7 }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.suggestions[0]).toContain('revisions kept: 1');
  });
});

describe('--secret', () => {
  it('naming a secret the manifest does not declare is a usage error', async () => {
    const { ctx } = await setup();
    const error = await rejection(
      prepareDeploy(
        ctx,
        request(`${APP}@1.0.0`, { overlays: [sumbawa], secretFlags: ['DB_PASSWROD'] }),
      ),
    );
    expect(error.code).toBe('USAGE');
    expect(error.message).toBe('antrean-daring 1.0.0 declares no secret DB_PASSWROD (--secret)');
    expect(error.suggestions[0]).toBe('its secrets: DB_PASSWORD');
  });
});
