/**
 * The path a newcomer at a region's Diskominfo follows, through the built CLI: initialise the
 * host for Kabupaten Sumbawa, deploy Antrean Daring with the example overlay, look at it with
 * list, host show and doctor, and get a machine-readable error for a mistake.
 *
 * The sample antrean-daring manifests are deployed under a name of this test's own (the engine
 * may already run the real antrean-daring, from the demo), with the example overlay's `app:`
 * changed to match; everything else is the sample as shipped.
 */
import { readFile, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { REPO_ROOT } from '../support/cli.js';
import {
  grantFile,
  guardHostProfile,
  httpGet,
  KsadCli,
  leftovers,
  tempCatalog,
  uniqueName,
  type TempCatalog,
  sumbawaHostInit,
} from '../support/deploy-fixture.js';
import { cleanupByLabel, requireEngine, type Engine } from '../support/engine.js';

const APP = uniqueName('uji-deploy-e2e');
const PORT = 19030;

let engine: Engine;
let catalog: TempCatalog;
let home: string;
let overlay: string;
let cli: KsadCli;
let restoreProfile: () => Promise<void> = () => Promise.resolve();
/** Tells the profile guard which `host init` was ours. */
let onProfile: (profile: unknown) => void = () => undefined;

beforeAll(async () => {
  engine = await requireEngine();
  const guard = await guardHostProfile(engine.docker);
  restoreProfile = () => guard.restore();
  const manifests: Record<string, string> = {};
  for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
    const text = await readFile(
      join(REPO_ROOT, 'manifests', 'kota-bandung', 'antrean-daring', `${version}.yaml`),
      'utf8',
    );
    manifests[`manifests/kota-bandung/${APP}/${version}.yaml`] = text.replace(
      /^name: antrean-daring$/m,
      `name: ${APP}`,
    );
  }
  catalog = await tempCatalog({
    ...manifests,
    ...grantFile('uji-e2e-sumbawa', { number: 'UJI/E2E/2026', grantees: ['52.04'], apps: [APP] }),
  });
  home = await mkdtemp(join(tmpdir(), 'ksad-e2e-home-'));
  overlay = join(home, 'sumbawa-antrean.yaml');
  const example = await readFile(join(REPO_ROOT, 'examples', 'sumbawa-antrean.yaml'), 'utf8');
  await writeFile(overlay, example.replace(/^app: antrean-daring$/m, `app: ${APP}`));
  cli = new KsadCli({ home, dockerHost: engine.dockerHost });
  onProfile = (p) => guard.wrote(p);
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

describe('a newcomer deploys Antrean Daring for Kabupaten Sumbawa', () => {
  it('host init records the region on the Docker host', async () => {
    const init = await cli.run(sumbawaHostInit(catalog.root));
    expect(init.status, init.said).toBe(ExitCode.OK);
    expect(init.json.profile).toMatchObject({
      region: { code: '52.04', name: 'Kabupaten Sumbawa' },
      policy: { bindAddress: '127.0.0.1' },
    });
    onProfile(init.json.profile);
  });

  it('deploy with the example overlay serves the Sumbawa page on the chosen port', async () => {
    const deployed = await cli.run([
      'deploy',
      APP,
      '-f',
      overlay,
      '--set',
      `config.HTTP_PORT=${PORT}`,
      '--catalog',
      catalog.root,
      '--json',
    ]);
    expect(deployed.status, deployed.said).toBe(ExitCode.OK);
    expect(deployed.json).toMatchObject({
      app: APP,
      version: '2.0.0',
      outcome: 'installed',
      revision: 1,
    });
    expect(deployed.json.endpoints).toEqual([
      { service: 'web', name: 'http', url: `http://127.0.0.1:${PORT}` },
    ]);

    const page = await httpGet(`http://127.0.0.1:${PORT}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Selamat datang di Antrean Daring Kabupaten Sumbawa.');
    expect(page.body).toContain('<td id="REGION_NAME">Kabupaten Sumbawa</td>');
    expect(page.body).toContain('<td id="APP_VERSION">2.0.0</td>');

    // Running the same command again, as people do, in text mode: nothing changes and it says so.
    const again = await cli.run([
      'deploy',
      APP,
      '-f',
      overlay,
      '--set',
      `config.HTTP_PORT=${PORT}`,
      '--catalog',
      catalog.root,
    ]);
    expect(again.status, again.said).toBe(ExitCode.OK);
    expect(again.stdout).toContain(`${APP} 2.0.0 is up to date (revision 1); nothing changed.`);
    expect(again.stdout).toContain(`web (http): http://127.0.0.1:${PORT}`);
  });

  it('list, host show and doctor describe the host and what runs on it', async () => {
    const list = await cli.run(['list', '--json']);
    expect(list.status, list.said).toBe(ExitCode.OK);
    expect(list.json).toContainEqual(
      expect.objectContaining({
        app: APP,
        version: '2.0.0',
        revision: 1,
        status: 'deployed',
        health: 'healthy',
        mou: expect.objectContaining({ number: 'UJI/E2E/2026' }),
      }),
    );

    const show = await cli.run(['host', 'show', '--json']);
    expect(show.status, show.said).toBe(ExitCode.OK);
    expect(show.json.endpoint).toContain(engine.dockerHost.replace(/^unix:\/\//, ''));
    expect(show.json.profile.region).toEqual({ code: '52.04', name: 'Kabupaten Sumbawa' });

    const doctor = await cli.run(['doctor', '--catalog', catalog.root, '--json']);
    expect(doctor.status, doctor.said).toBe(ExitCode.OK);
    expect(doctor.json.ok).toBe(true);
    expect(doctor.json.checks).toEqual([
      expect.objectContaining({ name: 'engine', status: 'ok' }),
      expect.objectContaining({
        name: 'host',
        status: 'ok',
        detail: expect.stringContaining('Kabupaten Sumbawa (52.04)'),
      }),
      expect.objectContaining({ name: 'catalog', status: 'ok' }),
    ]);
  });

  it('mistakes answer --json with {error:{code,exitCode,message,details,suggestions}} and the documented exit code', async () => {
    const shape = (json: unknown): string[] =>
      Object.keys((json as { error?: object } | undefined)?.error ?? {}).sort();
    const keys = ['code', 'details', 'exitCode', 'message', 'suggestions'];

    const badFlag = await cli.run([
      'deploy',
      APP,
      '--timeout',
      'soon',
      '--catalog',
      catalog.root,
      '--json',
    ]);
    expect(badFlag.status, badFlag.said).toBe(ExitCode.USAGE);
    expect(shape(badFlag.json)).toEqual(keys);
    expect(badFlag.json.error).toMatchObject({ code: 'USAGE', exitCode: ExitCode.USAGE });
    expect(badFlag.json.error.message).toContain('soon');

    const noSuchApp = await cli.run([
      'deploy',
      'antrean-dering',
      '--catalog',
      catalog.root,
      '--json',
    ]);
    expect(noSuchApp.status, noSuchApp.said).toBe(ExitCode.NOT_FOUND);
    expect(shape(noSuchApp.json)).toEqual(keys);
    expect(noSuchApp.json.error).toMatchObject({ code: 'NOT_FOUND', exitCode: ExitCode.NOT_FOUND });
    expect(noSuchApp.json.error.message).toContain('antrean-dering');
    expect(noSuchApp.json.error.suggestions.length).toBeGreaterThan(0);
  });

  it('uninstall --purge-data off a terminal refuses without --yes, changing nothing', async () => {
    const before = await leftovers(engine.docker, APP);
    const refused = await cli.run(['uninstall', APP, '--purge-data', '--json']);
    expect(refused.status, refused.said).toBe(ExitCode.USAGE);
    expect(refused.json.error.message).toContain('needs confirmation');
    expect(refused.json.error.suggestions).toEqual([
      `confirm it: ksad uninstall ${APP} --purge-data --yes`,
    ]);
    expect(await leftovers(engine.docker, APP)).toEqual(before);
    expect((await httpGet(`http://127.0.0.1:${PORT}/`)).status).toBe(200);
  });

  it('uninstall --purge-data --yes leaves only the evidence that the app ran', async () => {
    const purged = await cli.run(['uninstall', APP, '--purge-data', '--yes', '--json']);
    expect(purged.status, purged.said).toBe(ExitCode.OK);
    expect(purged.json).toMatchObject({ app: APP, removedNetwork: true, secretsRemoved: true });
    expect(await leftovers(engine.docker, APP)).toEqual({
      containers: [],
      running: [],
      networks: [],
      volumes: [expect.stringMatching(new RegExp(`^ksad-removed-${APP}(-g\\d+)?$`))],
    });
    await expect(httpGet(`http://127.0.0.1:${PORT}/`, 2000)).rejects.toThrow();

    const history = await cli.run(['history', APP, '--json']);
    expect(history.status, history.said).toBe(ExitCode.OK);
    expect(history.json).toMatchObject({
      app: APP,
      running: null,
      revisions: [],
      removal: {
        app: APP,
        purgedData: true,
        command: `ksad uninstall ${APP} --purge-data --yes --json`,
        revisions: [expect.objectContaining({ revision: 1, status: 'uninstalled' })],
      },
    });
    const text = await cli.run(['history', APP]);
    expect(text.stdout).toContain(`${APP}: removed from this host; 1 revision(s) ran here`);
    expect(text.stdout).toMatch(/Uninstalled \S+ by \S+@\S+; data purged/);

    const audit = await cli.run(['audit', '--catalog', catalog.root, '--json']);
    expect(audit.json.removed).toEqual(
      expect.arrayContaining([expect.objectContaining({ app: APP, purgedData: true })]),
    );
    const table = await cli.run(['audit', '--catalog', catalog.root]);
    expect(table.stdout).toContain('Removed apps');
    const html = await cli.run(['audit', '--catalog', catalog.root, '--format', 'html']);
    expect(html.stdout).toMatch(new RegExp(`<tr class="removed" data-app="${APP}">.*purged`));
    expect(table.stdout).toMatch(new RegExp(`${APP} .* purged +r1 `));
  });
});
