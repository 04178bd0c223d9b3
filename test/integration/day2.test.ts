/**
 * The days after the first deploy, through the built CLI against the real engine: values
 * remembered across an upgrade and `--reset-values`, `values` and `logs` output, a host port held
 * by a process outside Docker, exec, stop and start told apart from a stop outside ksad by audit,
 * and `upgrade --all` whose upgrade fails and is rolled back. One app of its own, in a temp copy of
 * the sample catalog.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ExitCode } from '../../src/core/errors.js';
import {
  grantFile,
  guardHostProfile,
  httpGet,
  KsadCli,
  manifestFile,
  sampleImage,
  sumbawaHostInit,
  tempCatalog,
  uniqueName,
  vaultSecrets,
  type TempCatalog,
} from '../support/deploy-fixture.js';
import { cleanupByLabel, requireEngine, type Engine } from '../support/engine.js';

const APP = uniqueName('uji-day2');
const PORT = 19041;
/** Held by a plain TCP listener of this test: a process outside Docker. */
const BUSY = 19051;
const web = `ksad-${APP}-web`;

let engine: Engine;
let catalog: TempCatalog;
let home: string;
let cli: KsadCli;
let listener: Server | undefined;
let restoreProfile: () => Promise<void> = () => Promise.resolve();

const at = (...extra: string[]): string[] => [...extra, '--catalog', catalog.root, '--json'];

beforeAll(async () => {
  engine = await requireEngine();
  const guard = await guardHostProfile(engine.docker);
  restoreProfile = () => guard.restore();
  catalog = await tempCatalog({
    ...manifestFile({ name: APP, version: '1.0.0' }),
    ...manifestFile({ name: APP, version: '1.1.0', env: { BUILD: '1.1.0' } }),
    // 2.0.0's web runs the worker image, which serves nothing: its health check never passes.
    ...manifestFile({
      name: APP,
      version: '2.0.0',
      images: { web: sampleImage('worker') },
      webRetries: 2,
    }),
    ...grantFile('uji-day2-sumbawa', { number: 'UJI/DAY2/2026', grantees: ['52.04'], apps: [APP] }),
  });
  home = await mkdtemp(join(tmpdir(), 'ksad-day2-home-'));
  const overlay = join(home, 'sumbawa.yaml');
  await writeFile(
    overlay,
    `config:\n  REGION_NAME: Kabupaten Sumbawa\n  HTTP_PORT: ${PORT}\nservices:\n  web:\n    resources:\n      memory: 160m\n`,
  );
  cli = new KsadCli({ home, dockerHost: engine.dockerHost });
  const init = await cli.run(sumbawaHostInit(catalog.root));
  expect(init.status, init.said).toBe(ExitCode.OK);
  guard.wrote(init.json.profile);
  const first = await cli.run(['deploy', ...at(`${APP}@1.0.0`, '-f', overlay)]);
  expect(first.status, first.said).toBe(ExitCode.OK);
});

afterAll(async () => {
  listener?.close();
  try {
    if (engine) await cleanupByLabel(`id.ksad.app=${APP}`);
  } finally {
    await restoreProfile();
    await catalog?.remove();
    if (home) await rm(home, { recursive: true, force: true });
  }
});

describe(`day-2 operations (${APP})`, () => {
  it('remembers the values: a plain deploy is unchanged, an upgrade keeps them, values prints them', async () => {
    const again = await cli.run(['deploy', ...at(`${APP}@1.0.0`)]);
    expect(again.status, again.said).toBe(ExitCode.OK);
    expect(again.json).toMatchObject({ outcome: 'unchanged', revision: 1 });

    const up = await cli.run([
      'deploy',
      ...at(`${APP}@1.1.0`, '--set', 'config.WELCOME_MESSAGE=Halo'),
    ]);
    expect(up.status, up.said).toBe(ExitCode.OK);
    expect(up.json).toMatchObject({ outcome: 'upgraded', values: { reusedFrom: 1, dropped: [] } });
    expect((await httpGet(`http://127.0.0.1:${PORT}/`)).body).toContain('Kabupaten Sumbawa');

    const values = await cli.run(['values', APP, '--json']);
    expect(values.status, values.said).toBe(ExitCode.OK);
    expect(values.json).toMatchObject({
      revision: 2,
      version: '1.1.0',
      config: { REGION_NAME: 'Kabupaten Sumbawa', HTTP_PORT: PORT, WELCOME_MESSAGE: 'Halo' },
      services: { web: { resources: { memory: '160m' } } },
      secrets: { DB_PASSWORD: '********' },
    });
    const text = await cli.run(['values', APP, '--revision', '1']);
    expect(text.stdout).toContain('# secrets kept on the host (not shown): DB_PASSWORD');
    expect(parse(text.stdout)).toEqual({
      app: APP,
      config: { REGION_NAME: 'Kabupaten Sumbawa', HTTP_PORT: PORT },
      services: { web: { resources: { memory: '160m' } } },
    });
    const password = (await vaultSecrets(APP)).DB_PASSWORD ?? '';
    expect(password).not.toBe('');
    expect(text.stdout + values.stdout).not.toContain(password);

    // Without the remembered values the required REGION_NAME has none: reported at its line.
    const reset = await cli.run(['plan', ...at(`${APP}@1.1.0`, '--reset-values')]);
    expect(reset.status, reset.said).toBe(ExitCode.INVALID);
    expect(reset.json.error.details).toEqual([
      expect.stringMatching(
        new RegExp(
          `^manifests/kota-bandung/${APP}/1\\.1\\.0\\.yaml:\\d+:3: error: config\\.REGION_NAME: is required`,
        ),
      ),
    ]);
  });

  it('refuses a host port held by a process outside Docker, naming the --set that moves it', async () => {
    listener = createServer();
    await new Promise<void>((resolve) => listener?.listen(BUSY, '127.0.0.1', resolve));
    const plan = await cli.run(['plan', ...at(APP, '--set', `config.HTTP_PORT=${BUSY}`)]);
    expect(plan.status, plan.said).toBe(ExitCode.DEPLOY_FAILED);
    expect(plan.json.error.message).toBe(
      `${APP} cannot publish port ${BUSY}: it is held by a process on the host outside Docker (found by binding the port)`,
    );
    expect(plan.json.error.suggestions[0]).toBe(
      `publish web on another port: --set config.HTTP_PORT=${BUSY + 1}`,
    );
    listener.close();
    listener = undefined;
  });

  it('shows logs, runs commands, and tells a stop by ksad from a stop outside it', async () => {
    // The sample web logs each request it serves.
    await httpGet(`http://127.0.0.1:${PORT}/healthz`);
    const logs = await cli.run(['logs', APP, '--tail', '20', '--json']);
    expect(logs.status, logs.said).toBe(ExitCode.OK);
    const services = new Set((logs.json as Array<{ service: string }>).map((l) => l.service));
    expect([...services].every((s) => ['web', 'db', 'worker'].includes(s))).toBe(true);
    const one = await cli.run(['logs', APP, 'web', '--tail', '3']);
    expect(one.status, one.said).toBe(ExitCode.OK);
    expect(one.stdout.split('\n').filter(Boolean).length).toBeLessThanOrEqual(3);

    const echo = await cli.run(['exec', APP, 'web', '--', 'sh', '-c', 'echo "$REGION_NAME"']);
    expect(echo.status, echo.said).toBe(0);
    expect(echo.stdout).toBe('Kabupaten Sumbawa\n');

    const stop = await cli.run(['stop', APP, 'worker', '--json']);
    expect(stop.status, stop.said).toBe(ExitCode.OK);
    expect(stop.json).toMatchObject({ services: ['worker'], stoppedByOperator: ['worker'] });
    await engine.docker.getContainer(web).stop({ t: 1 });
    const audit = await cli.run(['audit', APP, '--catalog', catalog.root, '--json']);
    const findings = (audit.json.apps[0].findings as Array<{ code: string; message: string }>).map(
      (f) => [f.code, f.message.replace(/\(.*\)/, '(…)')],
    );
    expect(findings).toContainEqual([
      'container-stopped-by-operator',
      'stopped by an operator with ksad (…); ksad start brings it back',
    ]);
    expect(findings).toContainEqual([
      'container-stopped',
      expect.stringMatching(/^stopped outside ksad: container exited with code/),
    ]);
    const start = await cli.run(['start', APP, '--json']);
    expect(start.status, start.said).toBe(ExitCode.OK);
    expect(start.json).toMatchObject({ services: ['web', 'worker'], stoppedByOperator: [] });
    expect((await httpGet(`http://127.0.0.1:${PORT}/healthz`)).status).toBe(200);
  });

  it('upgrade --all plans first, and a failed upgrade is rolled back', async () => {
    const dry = await cli.run(['upgrade', ...at('--all', '--dry-run')]);
    expect(dry.status, dry.said).toBe(ExitCode.OK);
    expect(dry.json.apps).toEqual([
      expect.objectContaining({ app: APP, from: '1.1.0', to: '2.0.0', status: 'planned' }),
    ]);
    const run = await cli.run(['upgrade', ...at('--all', '--timeout', '20')]);
    expect(run.status, run.said).toBe(ExitCode.DEPLOY_FAILED);
    expect(run.json.error.message).toMatch(new RegExp(`^upgrade --all stopped at ${APP}: `));
    expect(run.json.error.details[0]).toBe(`${APP} 1.1.0 → 2.0.0: failed`);
    const status = await cli.run(['status', APP, '--json']);
    expect(status.json[0]).toMatchObject({ version: '1.1.0', health: 'healthy' });
    expect((await httpGet(`http://127.0.0.1:${PORT}/healthz`)).status).toBe(200);
  });
});
