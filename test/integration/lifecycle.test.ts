/**
 * The release lifecycle against the real engine through the built CLI (`npm run build` first):
 * a health-gated upgrade that rolls itself back, manual rollbacks, history, outdated, and the lock
 * refusing a second deploy while one runs.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppHistory } from '../../src/app/history.js';
import type { OutdatedReport } from '../../src/app/outdated.js';
import type { CliResult } from '../support/cli.js';
import { waitFor, type Engine } from '../support/engine.js';
import {
  lifecycleSession,
  samplePage,
  type LifecycleCatalog,
  type LifecycleSession,
} from '../support/lifecycle-fixture.js';
import type { CliProcess } from '../support/cli-process.js';

const APP = `uji-siklus-lc-${randomBytes(3).toString('hex')}`;
const PORT = 19111;

let session: LifecycleSession | undefined;
let engine: Engine;
let catalog: LifecycleCatalog;
let cli: CliProcess;

const CATALOG_COMMANDS = new Set(['deploy', 'rollback', 'outdated', 'host']);

/** Runs the CLI; commands that read the catalog get the test's own. */
function ksad(...args: string[]): CliResult {
  return cli.run(CATALOG_COMMANDS.has(args[0] ?? '') ? [...args, '--catalog', catalog.root] : args);
}

function pageAt(version: string) {
  return waitFor(`web answering with ${version} on :${PORT}`, async () => {
    const p = await samplePage(PORT);
    return p?.version === version ? p : undefined;
  });
}

async function containers(): Promise<Array<{ name: string; env: string[]; state: string }>> {
  const list = await engine.docker.listContainers({
    all: true,
    filters: { label: [`id.ksad.app=${APP}`, 'id.ksad.kind=container'] },
  });
  return Promise.all(
    list.map(async (c) => {
      const info = await engine.docker.getContainer(c.Id).inspect();
      return { name: info.Name.replace(/^\//, ''), env: info.Config.Env, state: info.State.Status };
    }),
  );
}

async function schemaOf(service: string): Promise<string | undefined> {
  const c = (await containers()).find((x) => x.name === `ksad-${APP}-${service}`);
  return c?.env.find((e) => e.startsWith('SCHEMA='))?.slice('SCHEMA='.length);
}

async function passwordOf(service: string): Promise<string | undefined> {
  const c = (await containers()).find((x) => x.name === `ksad-${APP}-${service}`);
  return c?.env.find((e) => e.startsWith('DB_PASSWORD='));
}

beforeAll(async () => {
  session = await lifecycleSession(
    APP,
    [
      { version: '1.0.0', schema: '1' },
      { version: '1.1.0', schema: '2' },
      { version: '2.0.0', schema: '3', brokenWeb: true },
      { version: '3.0.0', schema: '4' },
    ],
    ['--history-limit', '10'],
  );
  ({ engine, catalog, cli } = session);
}, 300_000);

afterAll(() => session?.close());

describe('release lifecycle on a real engine', { timeout: 240_000 }, () => {
  it('installs and upgrades, recording each revision', async () => {
    const install = ksad('deploy', `${APP}@1.0.0`, '--set', `config.HTTP_PORT=${PORT}`, '--json');
    expect(install.status, install.stdout + install.stderr).toBe(0);
    expect(install.json).toMatchObject({ outcome: 'installed', revision: 1, version: '1.0.0' });
    const first = await pageAt('1.0.0');
    expect(first.records).toHaveLength(1);

    const upgrade = ksad('deploy', `${APP}@1.1.0`, '--set', `config.HTTP_PORT=${PORT}`, '--json');
    expect(upgrade.status, upgrade.stdout + upgrade.stderr).toBe(0);
    expect(upgrade.json).toMatchObject({
      outcome: 'upgraded',
      revision: 2,
      previousVersion: '1.0.0',
    });
    const second = await pageAt('1.1.0');
    expect(second.records[0]).toBe(first.records[0]);
    expect(second.records).toHaveLength(2);
  });

  it('rolls an upgrade whose health check fails back by itself, every service included', async () => {
    const before = await passwordOf('db');
    // 2.0.0 recreates db (healthy) in the first level, then web never becomes healthy.
    const bad = ksad('deploy', `${APP}@2.0.0`, '--set', `config.HTTP_PORT=${PORT}`, '--json');
    expect(bad.status, bad.stdout + bad.stderr).toBe(9);
    expect(bad.json.error.code).toBe('DEPLOY_FAILED');
    expect(bad.json.error.message).toContain('upgrade 1.1.0 → 2.0.0');
    expect(bad.json.error.message).toContain(
      'service web failed to start: its health check failed',
    );
    expect(bad.json.error.message).toContain('rolled back to revision 2 (1.1.0)');

    const p = await pageAt('1.1.0');
    expect(p.records.length).toBeGreaterThanOrEqual(3);
    // db was recreated successfully for 2.0.0, and still came back to revision 2's container.
    expect(await schemaOf('db')).toBe('2');
    expect(await schemaOf('web')).toBe('2');
    expect(await schemaOf('worker')).toBe('2');
    expect(await passwordOf('db')).toBe(before);
    const all = await containers();
    expect(all.map((c) => c.name).sort()).toEqual([
      `ksad-${APP}-db`,
      `ksad-${APP}-web`,
      `ksad-${APP}-worker`,
    ]);
    expect(all.every((c) => c.state === 'running')).toBe(true);

    const status = ksad('status', APP, '--json');
    expect(status.json[0]).toMatchObject({
      version: '1.1.0',
      revision: 2,
      health: expect.stringMatching(/healthy|degraded/),
    });

    const history = ksad('history', APP, '--json');
    expect(history.status).toBe(0);
    const failed = (history.json as AppHistory).revisions.find((r) => r.revision === 3);
    expect(failed).toMatchObject({ version: '2.0.0', status: 'failed' });
    expect(failed?.description).toMatch(/health check failed; rolled back to revision 2/);
    expect(history.json.running).toBe(2);
  });

  it('rolls back by hand as a new revision, with the same images, configuration and secrets', async () => {
    const password = await passwordOf('db');
    const back = ksad('rollback', APP, '--json');
    expect(back.status, back.stdout + back.stderr).toBe(0);
    expect(back.json).toMatchObject({
      app: APP,
      outcome: 'rolled-back',
      target: { revision: 1, version: '1.0.0' },
      from: { revision: 2, version: '1.1.0' },
      revision: 4,
      version: '1.0.0',
    });
    const p = await pageAt('1.0.0');
    expect(p.records.length).toBeGreaterThanOrEqual(4);
    expect(await schemaOf('worker')).toBe('1');
    expect(await passwordOf('db')).toBe(password);

    const history = ksad('history', APP, '--json');
    const byRev = new Map((history.json as AppHistory).revisions.map((r) => [r.revision, r]));
    expect(byRev.get(1)).toMatchObject({ status: 'superseded', version: '1.0.0' });
    expect(byRev.get(2)).toMatchObject({ status: 'rolled-back', version: '1.1.0' });
    expect(byRev.get(4)).toMatchObject({
      status: 'deployed',
      description: 'rollback to revision 1',
    });
    const r1 = byRev.get(1) as {
      manifestDigest: string;
      configHash: string;
      images: Record<string, string>;
    };
    expect(byRev.get(4)).toMatchObject({
      manifestDigest: r1.manifestDigest,
      configHash: r1.configHash,
      images: r1.images,
    });
    expect(ksad('history', APP).stdout).toContain('rollback to revision 1');

    const forward = ksad('rollback', APP, '2', '--json');
    expect(forward.status, forward.stdout + forward.stderr).toBe(0);
    expect(forward.json).toMatchObject({ target: { revision: 2 }, revision: 5, version: '1.1.0' });
    await pageAt('1.1.0');

    const failedTarget = ksad('rollback', APP, '3', '--json');
    expect(failedTarget.status).toBe(2);
    expect(failedTarget.json.error.message).toContain('failed to deploy');
  });

  it('refuses a rollback whose manifest is no longer in the catalog, naming its digest', async () => {
    const file = join(catalog.root, 'manifests/kota-bandung', APP, '1.0.0.yaml');
    const original = await readFile(file, 'utf8');
    const history = ksad('history', APP, '--json');
    const digest =
      (history.json as AppHistory).revisions.find((r) => r.revision === 1)?.manifestDigest ?? '';
    await writeFile(file, `${original}# edited after release\n`);
    try {
      const r = ksad('rollback', APP, '1', '--json');
      expect(r.status).toBe(10);
      expect(r.json.error.code).toBe('INTEGRITY');
      expect(r.json.error.message).toContain(digest);
      expect(r.json.error.message).toContain('1.0.0.yaml');
    } finally {
      await writeFile(file, original);
    }
    await pageAt('1.1.0');
  });

  it('reports the newest version the MoU still covers and the size of the step', () => {
    const r = ksad('outdated', '--json');
    expect(r.status, r.stderr).toBe(0);
    const entry = (r.json as OutdatedReport).apps.find((a) => a.app === APP);
    expect(entry).toMatchObject({
      current: '1.1.0',
      latest: '2.0.0',
      step: 'major',
      newestInCatalog: '3.0.0',
      notCovered: ['3.0.0'],
      mou: { number: `900/${APP}/KSAD/2025` },
    });
    expect(r.json.region.code).toBe('52.04');
    expect(ksad('outdated').stdout).toMatch(
      new RegExp(`kota-bandung/${APP}\\s+1\\.1\\.0\\s+2\\.0\\.0\\s+major`),
    );
  });

  it('refuses a second deploy while one runs: exit 8 LOCKED, naming the holder', async () => {
    // The broken 2.0.0 keeps the first deploy busy for seconds (db recreated, web never healthy).
    const first = cli.start(['deploy', `${APP}@2.0.0`, '--catalog', catalog.root, '--json'], {
      KSAD_OPERATOR: 'budi',
    });
    let out = '';
    first.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    const done = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    await waitFor(
      'the first deploy to take the lock',
      async () => {
        // The lock is a never-started marker container named ksad-lock-<app>.
        const locks = await engine.docker.listContainers({
          all: true,
          filters: { label: [`id.ksad.app=${APP}`, 'id.ksad.kind=lock'] },
        });
        return locks.length > 0 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    const second = ksad('deploy', `${APP}@1.0.0`, '--json');
    expect(second.status).toBe(8);
    expect(second.json.error.code).toBe('LOCKED');
    expect(second.json.error.message).toContain(`budi@`);
    expect(second.json.error.message).toContain(`pid ${first.pid}`);
    expect(second.json.error.message).toContain('ksad deploy');
    expect(await done, out).toBe(9);
    await pageAt('1.1.0');
    expect(ksad('unlock', APP, '--json').json).toEqual({ app: APP, cleared: null });
  });
});
