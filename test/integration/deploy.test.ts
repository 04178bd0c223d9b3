/**
 * The deploy lifecycle through the built CLI against the real engine: install a web+db+worker app
 * with an overlay, re-deploy with nothing changed, change one service, plan, render, uninstall and
 * re-install (data found again), purge. The app has a name of its own, in a temp copy of the sample
 * catalog, so other apps on the same engine are never touched.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import {
  containerId,
  execIn,
  grantFile,
  guardHostProfile,
  httpGet,
  KsadCli,
  leftovers,
  manifestFile,
  tempCatalog,
  uniqueName,
  type TempCatalog,
  sumbawaHostInit,
  vaultSecrets,
} from '../support/deploy-fixture.js';
import { cleanupByLabel, requireEngine, type Engine } from '../support/engine.js';

const APP = uniqueName('uji-deploy');
const PORT = 19001;
const WELCOME = 'Selamat datang di layanan uji Kabupaten Sumbawa.';
const names = { web: `ksad-${APP}-web`, db: `ksad-${APP}-db`, worker: `ksad-${APP}-worker` };

let engine: Engine;
let catalog: TempCatalog;
let home: string;
let overlay: string;
let cli: KsadCli;
let restoreProfile: () => Promise<void> = () => Promise.resolve();
/** The DB_PASSWORD ksad generated, read from the host; no command may ever print it. */
let password = '';
let firstIds: Record<keyof typeof names, string | null>;

/** Every deploy/plan/render of the app uses the same catalog and overlay. */
const target = (...extra: string[]): string[] => [
  APP,
  '-f',
  overlay,
  '--catalog',
  catalog.root,
  ...extra,
  '--json',
];

async function ids(): Promise<Record<keyof typeof names, string | null>> {
  return {
    web: await containerId(engine.docker, names.web),
    db: await containerId(engine.docker, names.db),
    worker: await containerId(engine.docker, names.worker),
  };
}

async function releaseRevisions(): Promise<number[]> {
  const { Volumes } = await engine.docker.listVolumes({
    filters: { label: [`id.ksad.app=${APP}`, 'id.ksad.kind=release'] },
  });
  return (Volumes ?? []).map((v) => Number(v.Labels['id.ksad.revision'])).sort((a, b) => a - b);
}

async function storedPassword(): Promise<string> {
  return (await vaultSecrets(APP)).DB_PASSWORD ?? '';
}

async function dbRecords(): Promise<string[]> {
  const text = await execIn(engine.docker, names.db, ['cat', '/data/records']);
  return text.split('\n').filter((l) => l.startsWith('started '));
}

beforeAll(async () => {
  engine = await requireEngine();
  const guard = await guardHostProfile(engine.docker);
  restoreProfile = () => guard.restore();
  catalog = await tempCatalog({
    ...manifestFile({ name: APP, version: '1.0.0' }),
    ...grantFile('uji-deploy-sumbawa', {
      number: 'UJI/DEPLOY/2026',
      grantees: ['52.04'],
      apps: [APP],
    }),
  });
  home = await mkdtemp(join(tmpdir(), 'ksad-deploy-home-'));
  overlay = join(home, 'sumbawa-uji.yaml');
  await writeFile(
    overlay,
    `app: ${APP}
config:
  REGION_NAME: Kabupaten Sumbawa
  HTTP_PORT: ${PORT}
  WELCOME_MESSAGE: ${WELCOME}
services:
  web:
    resources:
      memory: 160m
`,
  );
  cli = new KsadCli({ home, dockerHost: engine.dockerHost });
  // The host profile is one per engine and other test files set it too: set it, never assume it.
  const init = await cli.run(sumbawaHostInit(catalog.root));
  expect(init.status, init.said).toBe(ExitCode.OK);
  guard.wrote(init.json.profile);
});

afterAll(async () => {
  try {
    if (engine) await cleanupByLabel(`id.ksad.app=${APP}`);
  } finally {
    await restoreProfile();
    await catalog?.remove();
    if (home) await rm(home, { recursive: true, force: true });
  }
});

describe(`ksad deploy lifecycle (${APP})`, () => {
  it('installs web, db and worker with the overlay; the page shows its welcome message and region', async () => {
    const deployed = await cli.run(['deploy', ...target()]);
    expect(deployed.status, deployed.said).toBe(ExitCode.OK);
    expect(deployed.json).toMatchObject({
      app: APP,
      version: '1.0.0',
      outcome: 'installed',
      revision: 1,
      previousVersion: null,
    });
    expect(deployed.json.mou).toMatchObject({ kind: 'mou', number: 'UJI/DEPLOY/2026' });
    expect(deployed.json.services).toEqual([
      expect.objectContaining({ service: 'db', action: 'create' }),
      expect.objectContaining({ service: 'web', action: 'create' }),
      expect.objectContaining({ service: 'worker', action: 'create' }),
    ]);
    expect(deployed.json.endpoints).toEqual([
      { service: 'web', name: 'http', url: `http://127.0.0.1:${PORT}` },
    ]);
    expect(deployed.json.secretsGenerated).toEqual(['DB_PASSWORD']);

    const page = await httpGet(`http://127.0.0.1:${PORT}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(WELCOME);
    expect(page.body).toContain('<td id="REGION_NAME">Kabupaten Sumbawa</td>');
    expect(page.body).toContain('<td id="REGION_CODE">52.04</td>');
    // web reached db over the release network by its service name.
    expect(page.body).toMatch(/<pre id="records">started /);

    // The overlay's resource change reached the engine.
    const web = await engine.docker.getContainer(names.web).inspect();
    expect(web.HostConfig.Memory).toBe(160 * 1024 * 1024);

    const status = await cli.run(['status', APP, '--json']);
    expect(status.status, status.said).toBe(ExitCode.OK);
    expect(status.json).toEqual([
      expect.objectContaining({
        app: APP,
        version: '1.0.0',
        revision: 1,
        status: 'deployed',
        health: 'healthy',
        services: [
          expect.objectContaining({ service: 'db', state: 'running', health: 'healthy' }),
          expect.objectContaining({
            service: 'web',
            state: 'running',
            health: 'healthy',
            ports: [`127.0.0.1:${PORT}->8080/tcp`],
          }),
          expect.objectContaining({ service: 'worker', state: 'running', health: 'none' }),
        ],
      }),
    ]);

    password = await storedPassword();
    expect(password.length).toBeGreaterThanOrEqual(16);
    firstIds = await ids();
    expect(Object.values(firstIds).every((id) => id !== null)).toBe(true);
    expect(await dbRecords()).toHaveLength(1);
  });

  it('re-deploying with nothing changed keeps every container and records no new revision', async () => {
    const again = await cli.run(['deploy', ...target()]);
    expect(again.status, again.said).toBe(ExitCode.OK);
    expect(again.json).toMatchObject({ outcome: 'unchanged', revision: 1, secretsGenerated: [] });
    expect((again.json.services as Array<{ action: string }>).map((s) => s.action)).toEqual([
      'keep',
      'keep',
      'keep',
    ]);
    expect(await ids()).toEqual(firstIds);
    expect(await releaseRevisions()).toEqual([1]);
  });

  it('plan exits 20 when one service changed, names only that one, and 0 when the host matches', async () => {
    const pending = await cli.run([
      'plan',
      ...target('--set', 'services.worker.environment.INTERVAL=3'),
    ]);
    expect(pending.status, pending.said).toBe(ExitCode.CHANGES_PENDING);
    const byService = Object.fromEntries(
      (
        pending.json.plan.services as Array<{ service: string; action: string; reason: string }>
      ).map((s) => [s.service, s]),
    );
    expect(byService.db?.action).toBe('keep');
    expect(byService.web?.action).toBe('keep');
    expect(byService.worker?.action).toBe('recreate');
    expect(byService.worker?.reason).toContain('environment.INTERVAL');
    expect(pending.json.plan.summary).toMatchObject({ create: 0, recreate: 1, remove: 0 });

    const clean = await cli.run(['plan', ...target()]);
    expect(clean.status, clean.said).toBe(ExitCode.OK);
    expect(clean.json.plan.changes).toBe(false);
  });

  it('deploying the change recreates only the worker; web and db keep their containers and data', async () => {
    const changed = await cli.run([
      'deploy',
      ...target('--set', 'services.worker.environment.INTERVAL=3'),
    ]);
    expect(changed.status, changed.said).toBe(ExitCode.OK);
    expect(changed.json).toMatchObject({
      outcome: 'updated',
      revision: 2,
      previousVersion: '1.0.0',
    });

    const now = await ids();
    expect(now.web).toBe(firstIds.web);
    expect(now.db).toBe(firstIds.db);
    expect(now.worker).not.toBe(firstIds.worker);
    const worker = await engine.docker.getContainer(names.worker).inspect();
    expect(worker.Config.Env).toContain('INTERVAL=3');
    expect(worker.State.Running).toBe(true);
    expect(await dbRecords()).toHaveLength(1);
    expect(await releaseRevisions()).toEqual([1, 2]);

    const settled = await cli.run([
      'plan',
      ...target('--set', 'services.worker.environment.INTERVAL=3'),
    ]);
    expect(settled.status, settled.said).toBe(ExitCode.OK);
  });

  it('render --json shows the resolved specs with the secret masked', async () => {
    const rendered = await cli.run([
      'render',
      ...target('--set', 'services.worker.environment.INTERVAL=3'),
    ]);
    expect(rendered.status, rendered.said).toBe(ExitCode.OK);
    expect(rendered.json).toMatchObject({
      app: APP,
      region: { code: '52.04', name: 'Kabupaten Sumbawa' },
      secrets: ['DB_PASSWORD'],
    });
    const web = (
      rendered.json.state.services as Array<{
        service: string;
        spec: { env: Record<string, string> };
      }>
    ).find((s) => s.service === 'web');
    expect(web?.spec.env).toMatchObject({
      DB_PASSWORD: '********',
      WELCOME_MESSAGE: WELCOME,
      REGION_NAME: 'Kabupaten Sumbawa',
    });
    expect(rendered.stdout).not.toContain(password);
  });

  it('uninstall keeps data and secrets; a re-install finds the db records and the same password', async () => {
    const removed = await cli.run(['uninstall', APP, '--json']);
    expect(removed.status, removed.said).toBe(ExitCode.OK);
    expect(removed.json).toMatchObject({
      app: APP,
      removedContainers: [names.db, names.web, names.worker],
      removedNetwork: true,
      volumes: { kept: [`ksad-${APP}-data`, `ksad-${APP}-worker-data`], removed: [] },
      secretsRemoved: false,
    });
    const gone = await leftovers(engine.docker, APP);
    expect(gone.containers).toEqual([]);
    expect(gone.networks).toEqual([]);
    expect(gone.volumes).toEqual(
      expect.arrayContaining([`ksad-${APP}-data`, `ksad-${APP}-worker-data`, `ksad-vault-${APP}`]),
    );
    const notDeployed = await cli.run(['status', APP, '--json']);
    expect(notDeployed.status, notDeployed.said).toBe(ExitCode.NOT_FOUND);

    const back = await cli.run(['deploy', ...target()]);
    expect(back.status, back.said).toBe(ExitCode.OK);
    expect(back.json).toMatchObject({ outcome: 'installed', revision: 3, secretsGenerated: [] });
    expect(await storedPassword()).toBe(password);
    // The db started a second time on the same volume: two lines, not one.
    expect(await dbRecords()).toHaveLength(2);
    const page = await httpGet(`http://127.0.0.1:${PORT}/`);
    expect(page.body.match(/started \d{4}-/g)).toHaveLength(2);
  });

  it('uninstall --purge-data removes the volumes, secrets and history, keeping the evidence', async () => {
    const purged = await cli.run(['uninstall', APP, '--purge-data', '--yes', '--json']);
    expect(purged.status, purged.said).toBe(ExitCode.OK);
    expect(purged.json).toMatchObject({
      volumes: { kept: [], removed: [`ksad-${APP}-data`, `ksad-${APP}-worker-data`] },
      secretsRemoved: true,
    });
    expect(await leftovers(engine.docker, APP)).toEqual({
      containers: [],
      running: [],
      networks: [],
      volumes: [expect.stringMatching(new RegExp(`^ksad-removed-${APP}(-g\\d+)?$`))],
    });
  });

  it('no command printed the generated DB_PASSWORD, on stdout or stderr', () => {
    expect(password).not.toBe('');
    const leaks = cli.transcript.filter((t) => t.includes(password)).map((t) => t.split('\n')[0]);
    expect(leaks).toEqual([]);
  });
});
