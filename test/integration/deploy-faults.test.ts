/**
 * Faults a recipient region's engineer meets, through the built CLI against the real engine: each
 * gives its documented exit code and a message that names what is wrong, and leaves nothing
 * half-deployed. Every app has a name of its own in a temp copy of the sample catalog.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import {
  grantFile,
  guardHostProfile,
  httpGet,
  KsadCli,
  leftovers,
  manifestFile,
  sampleImage,
  tempCatalog,
  uniqueName,
  type RunResult,
  type TempCatalog,
  sumbawaHostInit,
} from '../support/deploy-fixture.js';
import {
  buildTestImage,
  cleanupByLabel,
  pullImage,
  requireEngine,
  sessionLabel,
  type Engine,
} from '../support/engine.js';

const apps = {
  noImage: uniqueName('uji-fault-noimage'),
  mismatch: uniqueName('uji-fault-digest'),
  port: uniqueName('uji-fault-port'),
  health: uniqueName('uji-fault-health'),
  noMou: uniqueName('uji-fault-nomou'),
};
const PORTS = { port: 19010, health: 19011, override: 19012 };
/** A digest no registry holds. */
const ABSENT_DIGEST = `sha256:${'0badc0de'.repeat(8)}`;

let engine: Engine;
let catalog: TempCatalog;
let home: string;
let cli: KsadCli;
let restoreProfile: () => Promise<void> = () => Promise.resolve();
const pulled: string[] = [];

function everything(r: RunResult): string {
  const e = r.json?.error as
    { message: string; details: string[]; suggestions: string[] } | undefined;
  return e ? [e.message, ...e.details, ...e.suggestions].join('\n') : r.stdout + r.stderr;
}

/** Nothing of `app` runs and no network (release network or lock) is left on the host. */
async function expectNothingLeft(app: string): Promise<void> {
  const left = await leftovers(engine.docker, app);
  expect(left.containers, `containers of ${app}`).toEqual([]);
  expect(left.networks, `networks of ${app}`).toEqual([]);
}

const deploy = (app: string, ...args: string[]): Promise<RunResult> =>
  cli.run([
    'deploy',
    app,
    '--catalog',
    catalog.root,
    '--set',
    'config.REGION_NAME=Kabupaten Sumbawa',
    ...args,
    '--json',
  ]);

beforeAll(async () => {
  engine = await requireEngine();
  const guard = await guardHostProfile(engine.docker);
  restoreProfile = () => guard.restore();

  // Two images under two repositories; the manifest names repo A with B's digest.
  const tiny = { 'ksad/entrypoint.sh': '#!/bin/sh\nexec httpd -f -p 8080 -h /ksad\n' };
  await buildTestImage(
    'uji-digest-a',
    { ...tiny, 'ksad/which': 'a\n' },
    { labels: sessionLabel.labels },
  );
  const imageB = await buildTestImage(
    'uji-digest-b',
    { ...tiny, 'ksad/which': 'b\n' },
    { labels: sessionLabel.labels },
  );
  // B is on the engine already, so a refusal below cannot be a missing blob: it is the repository.
  await pullImage(imageB);
  pulled.push(imageB);
  const crossed = `${imageB.slice(0, imageB.indexOf('/ksad-test/'))}/ksad-test/uji-digest-a@${imageB.slice(imageB.indexOf('@') + 1)}`;

  catalog = await tempCatalog({
    ...manifestFile({
      name: apps.noImage,
      version: '1.0.0',
      services: ['web', 'db'],
      images: {
        web: `${sampleImage('web').slice(0, sampleImage('web').indexOf('@'))}@${ABSENT_DIGEST}`,
      },
    }),
    ...manifestFile({
      name: apps.mismatch,
      version: '1.0.0',
      services: ['web'],
      images: { web: crossed },
    }),
    ...manifestFile({ name: apps.port, version: '1.0.0', services: ['web', 'db'] }),
    ...manifestFile({ name: apps.health, version: '1.0.0', services: ['web'] }),
    ...manifestFile({
      name: apps.health,
      version: '1.1.0',
      services: ['web'],
      webHealth: ['sh', '-c', 'echo "probe: /healthz answered 503" >&2; exit 1'],
      webRetries: 2,
    }),
    ...manifestFile({ name: apps.noMou, version: '1.0.0', services: ['web'] }),
    ...grantFile('uji-fault-sumbawa', {
      number: 'UJI/FAULT/2026',
      grantees: ['52.04'],
      apps: [apps.noImage, apps.mismatch, apps.port, apps.health],
    }),
    // noMou: granted to Bojonegoro only, and to Sumbawa by an MoU that ran out.
    ...grantFile('uji-fault-bojonegoro', {
      number: 'UJI/BJN/2026',
      grantees: ['35.22'],
      apps: [apps.noMou],
    }),
    ...grantFile('uji-fault-sumbawa-lama', {
      number: 'UJI/SMB/2020',
      grantees: ['52.04'],
      apps: [apps.noMou],
      validFrom: '2020-01-01',
      validUntil: '2022-12-31',
    }),
  });
  home = await mkdtemp(join(tmpdir(), 'ksad-faults-home-'));
  cli = new KsadCli({ home, dockerHost: engine.dockerHost });
  const init = await cli.run(sumbawaHostInit(catalog.root));
  expect(init.status, init.said).toBe(ExitCode.OK);
  guard.wrote(init.json.profile);
});

afterAll(async () => {
  try {
    if (engine) {
      for (const app of Object.values(apps)) await cleanupByLabel(`id.ksad.app=${app}`);
      await cleanupByLabel(sessionLabel);
      for (const ref of pulled)
        await engine.docker
          .getImage(ref)
          .remove({ force: true })
          .catch(() => undefined);
    }
  } finally {
    await restoreProfile();
    await catalog?.remove();
    if (home) await rm(home, { recursive: true, force: true });
  }
});

describe('ksad deploy faults', () => {
  it('an unreachable engine exits 7 and names the address it tried', async () => {
    const r = await cli.run([
      'deploy',
      apps.port,
      '--catalog',
      catalog.root,
      '--docker-host',
      'unix:///tmp/nope.sock',
      '--json',
    ]);
    expect(r.status, r.said).toBe(ExitCode.ENGINE_UNAVAILABLE);
    expect(r.json.error.code).toBe('ENGINE_UNAVAILABLE');
    expect(everything(r)).toContain('/tmp/nope.sock');
    expect(r.json.error.suggestions.length).toBeGreaterThan(0);
  });

  it('an image missing from the registry exits 9 naming it; nothing runs and no network is left', async () => {
    const r = await deploy(apps.noImage, '--set', `config.HTTP_PORT=${PORTS.port}`);
    expect(r.status, r.said).toBe(ExitCode.DEPLOY_FAILED);
    expect(r.json.error.message).toContain(ABSENT_DIGEST);
    await expectNothingLeft(apps.noImage);
    // The pull comes before anything is stored: not even a generated secret is left.
    expect((await leftovers(engine.docker, apps.noImage)).volumes).toEqual([]);
    const status = await cli.run(['status', apps.noImage, '--json']);
    expect(status.status, status.said).toBe(ExitCode.NOT_FOUND);
  });

  it("an image named by another repository's digest is refused by the engine; nothing runs", async () => {
    const r = await deploy(apps.mismatch, '--set', `config.HTTP_PORT=${PORTS.port}`);
    // The registry does not serve B's manifest under repository A (9); were it ever pulled, ksad's
    // own digest check would refuse it (10). Either way nothing may run.
    expect([ExitCode.DEPLOY_FAILED, ExitCode.INTEGRITY], r.said).toContain(r.status);
    expect(r.json.error.message).toContain('ksad-test/uji-digest-a@sha256:');
    await expectNothingLeft(apps.mismatch);
    // The engine did not take B's content under A's name either.
    const images = await engine.docker.listImages();
    expect(
      images
        .flatMap((i) => i.RepoDigests ?? [])
        .filter((d) => d.includes('/ksad-test/uji-digest-a@')),
    ).toEqual([]);
  });

  it('a host port already taken exits 9 naming the port and its holder, before anything starts', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(PORTS.port, '127.0.0.1', resolve);
    });
    try {
      const r = await deploy(apps.port, '--set', `config.HTTP_PORT=${PORTS.port}`);
      expect(r.status, r.said).toBe(ExitCode.DEPLOY_FAILED);
      expect(r.json.error.message).toBe(
        `${apps.port} cannot publish port ${PORTS.port}: it is held by a process on the host outside Docker (found by binding the port)`,
      );
      expect(r.json.error.suggestions[0]).toMatch(
        /^publish web on another port: --set config\.HTTP_PORT=\d+$/,
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    // Found before anything changed: no container, network, volume, secret or record.
    expect(await leftovers(engine.docker, apps.port)).toEqual({
      containers: [],
      running: [],
      networks: [],
      volumes: [],
    });
  });

  it('an upgrade whose service never becomes healthy exits 9 with its logs; the previous revision keeps answering', async () => {
    const url = `http://127.0.0.1:${PORTS.health}/`;
    const installed = await deploy(
      `${apps.health}@1.0.0`,
      '--set',
      `config.HTTP_PORT=${PORTS.health}`,
    );
    expect(installed.status, installed.said).toBe(ExitCode.OK);
    const before = await engine.docker.getContainer(`ksad-${apps.health}-web`).inspect();
    expect((await httpGet(url)).body).toContain('<td id="APP_VERSION">1.0.0</td>');

    const r = await deploy(
      `${apps.health}@1.1.0`,
      '--set',
      `config.HTTP_PORT=${PORTS.health}`,
      '--timeout',
      '15',
    );
    expect(r.status, r.said).toBe(ExitCode.DEPLOY_FAILED);
    expect(r.json.error.message).toMatch(/service web failed to start/);
    // What the health probe printed, then the service's own last log lines, prefixed with its name.
    expect(r.json.error.details).toContain('last health check output:');
    expect(r.json.error.details).toContain('web | exit 1: probe: /healthz answered 503');
    expect(r.json.error.details).toContain('web | web: serving on :8080');

    const page = await httpGet(url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<td id="APP_VERSION">1.0.0</td>');
    const after = await engine.docker.getContainer(`ksad-${apps.health}-web`).inspect();
    expect(after.Id).toBe(before.Id);
    expect(after.State.Running).toBe(true);
    // No new container and no parked "-old" copy left behind.
    expect((await leftovers(engine.docker, apps.health)).containers).toEqual([
      `ksad-${apps.health}-web`,
    ]);

    const status = await cli.run(['status', apps.health, '--json']);
    expect(status.status, status.said).toBe(ExitCode.OK);
    expect(status.json[0]).toMatchObject({ version: '1.0.0', revision: 1, health: 'healthy' });
  });

  it('an overlay with an unknown key and a wrong type exits 3 with file:line:col for each', async () => {
    const overlay = join(home, 'salah.yaml');
    await writeFile(
      overlay,
      `app: ${apps.port}\nconfig:\n  REGION_NAME: [Kabupaten, Sumbawa]\nservces:\n  web: {}\n`,
    );
    const r = await cli.run([
      'deploy',
      apps.port,
      '-f',
      overlay,
      '--catalog',
      catalog.root,
      '--json',
    ]);
    expect(r.status, r.said).toBe(ExitCode.INVALID);
    const details = (r.json.error.details as string[]).join('\n');
    expect(details).toMatch(
      new RegExp(`${overlay.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:1: error: .*servces`),
    );
    expect(details).toMatch(/salah\.yaml:3:\d+: error: config\.REGION_NAME/);
    await expectNothingLeft(apps.port);
  });

  it('an app no active MoU grants to the host region exits 6 naming the expired MoU', async () => {
    const r = await deploy(apps.noMou, '--set', `config.HTTP_PORT=${PORTS.override}`);
    expect(r.status, r.said).toBe(ExitCode.NOT_COVERED);
    expect(r.json.error.message).toContain(`${apps.noMou}@1.0.0`);
    expect(r.json.error.message).toContain('Kabupaten Sumbawa (52.04)');
    expect(everything(r)).toMatch(/UJI\/SMB\/2020.*expired/);
    expect(everything(r)).toContain('--override-mou');
    await expectNothingLeft(apps.noMou);
  });

  it('--override-mou deploys anyway and records the reason with the release', async () => {
    const reason = 'MoU 2027 sedang ditandatangani; disetujui Kadis, surat 045/12';
    const r = await deploy(
      apps.noMou,
      '--set',
      `config.HTTP_PORT=${PORTS.override}`,
      '--override-mou',
      reason,
    );
    expect(r.status, r.said).toBe(ExitCode.OK);
    expect(r.json.mou).toEqual({ kind: 'override', reason });

    const status = await cli.run(['status', apps.noMou, '--json']);
    expect(status.status, status.said).toBe(ExitCode.OK);
    expect(status.json[0]).toMatchObject({ health: 'healthy', mou: { kind: 'override', reason } });
    const record = await engine.docker.getVolume(`ksad-release-${apps.noMou}-r1`).inspect();
    expect(JSON.parse(record.Labels['id.ksad.record'] ?? '{}')).toMatchObject({
      mou: { kind: 'override', reason },
    });
  });
});
