/**
 * A deploy killed with SIGKILL at any point leaves a state the next `ksad deploy` (or `ksad
 * rollback`) recovers from, with no data lost. The upgrades run through the built CLI; the test
 * watches the engine and kills the process at chosen moments: when a service's old container is
 * parked as `<name>-rN-old`, or after a delay.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppHistory } from '../../src/app/history.js';
import type { ReleaseStatus } from '../../src/app/releases.js';
import type { CliResult } from '../support/cli.js';
import { waitFor, type Engine } from '../support/engine.js';
import {
  lifecycleSession,
  samplePage,
  type LifecycleCatalog,
  type LifecycleSession,
} from '../support/lifecycle-fixture.js';
import type { CliProcess } from '../support/cli-process.js';

const APP = `uji-siklus-kr-${randomBytes(3).toString('hex')}`;
const PORT = 19121;

let session: LifecycleSession | undefined;
let engine: Engine;
let catalog: LifecycleCatalog;
let cli: CliProcess;
/** The database's records before any upgrade: every later read must still start with them. */
let firstRecords: string[] = [];

function ksad(...args: string[]): CliResult {
  return cli.run(args);
}

async function containerNames(): Promise<string[]> {
  const list = await engine.docker.listContainers({
    all: true,
    filters: { label: [`id.ksad.app=${APP}`, 'id.ksad.kind=container'] },
  });
  return list.map((c) => (c.Names[0] ?? '').replace(/^\//, '')).sort();
}

/** Resolves when a parked old container of `service` exists. */
function parked(service: string): () => Promise<void> {
  return () =>
    waitFor(
      `ksad-${APP}-${service}-rN-old`,
      async () =>
        (await containerNames()).some((n) =>
          new RegExp(`^ksad-${APP}-${service}-r\\d+-old$`).test(n),
        )
          ? true
          : undefined,
      { timeoutMs: 60_000, intervalMs: 20 },
    ).then(() => undefined);
}

function after(ms: number): () => Promise<void> {
  return () => new Promise((r) => setTimeout(r, ms));
}

/** Starts `ksad deploy APP@version`, waits for `moment`, and kills it with SIGKILL. */
async function killedDeploy(version: string, moment: () => Promise<void>): Promise<ChildProcess> {
  const child = cli.start([
    'deploy',
    `${APP}@${version}`,
    '--set',
    `config.HTTP_PORT=${PORT}`,
    '--catalog',
    catalog.root,
  ]);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  await moment();
  child.kill('SIGKILL');
  // The point of the test is an interrupted deploy: one that finished first proves nothing.
  expect(await exited, `the deploy finished before it was killed:\n${stderr}`).toBe('SIGKILL');
  return child;
}

/** Runs `command` after a kill: clears the stale lock when the killed process held it. */
function recover(killed: ChildProcess, command: string[]): CliResult {
  let r = ksad(...command, '--catalog', catalog.root, '--json');
  if (r.status === 8) {
    expect(r.json.error.message).toContain(`pid ${killed.pid}`);
    expect(r.json.error.message).toContain('stale');
    const unlock = ksad('unlock', APP);
    expect(unlock.status, unlock.stderr).toBe(0);
    expect(unlock.stdout).toContain(`pid ${killed.pid}`);
    expect(unlock.stdout).toMatch(/held by \S+@\S+/);
    r = ksad(...command, '--catalog', catalog.root, '--json');
  }
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return r;
}

/** The app runs `version`, healthy, with its database records kept and one more start recorded. */
async function expectHealthyOn(version: string, startsBefore: number): Promise<number> {
  const p = await waitFor(`web answering with ${version}`, async () => {
    const x = await samplePage(PORT);
    return x?.version === version ? x : undefined;
  });
  expect(p.records.slice(0, firstRecords.length)).toEqual(firstRecords);
  expect(p.records.length).toBeGreaterThanOrEqual(startsBefore);
  expect(await containerNames()).toEqual([
    `ksad-${APP}-db`,
    `ksad-${APP}-web`,
    `ksad-${APP}-worker`,
  ]);
  const status = await waitFor('every service healthy', () => {
    const s = (ksad('status', APP, '--json').json as ReleaseStatus[] | undefined)?.[0];
    return Promise.resolve(s?.health === 'healthy' ? s : undefined);
  });
  expect(status.version).toBe(version);
  const history = ksad('history', APP, '--json').json as AppHistory;
  expect(history.revisions.filter((r) => r.status === 'deployed')).toHaveLength(1);
  return p.records.length;
}

beforeAll(async () => {
  session = await lifecycleSession(
    APP,
    ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0'].map((version, i) => ({
      version,
      schema: String(i + 1),
    })),
  );
  ({ engine, catalog, cli } = session);
  const install = ksad(
    'deploy',
    `${APP}@1.0.0`,
    '--set',
    `config.HTTP_PORT=${PORT}`,
    '--catalog',
    catalog.root,
    '--json',
  );
  expect(install.status, install.stdout + install.stderr).toBe(0);
  const p = await waitFor('the installed app', async () =>
    (await samplePage(PORT))?.version === '1.0.0' ? samplePage(PORT) : undefined,
  );
  firstRecords = p.records;
}, 300_000);

afterAll(() => session?.close());

// An engine on a busy machine can be slow: each step runs several CLI deploys.
describe('a deploy killed with SIGKILL', { timeout: 300_000 }, () => {
  let starts = 1;

  it('right after the database container was parked: the next deploy finishes the upgrade', async () => {
    const killed = await killedDeploy('1.1.0', parked('db'));
    recover(killed, ['deploy', `${APP}@1.1.0`, '--set', `config.HTTP_PORT=${PORT}`]);
    starts = await expectHealthyOn('1.1.0', starts + 1);
  });

  it('while the second level starts (db already upgraded, web parked): the next deploy finishes it', async () => {
    const killed = await killedDeploy('1.2.0', parked('web'));
    recover(killed, ['deploy', `${APP}@1.2.0`, '--set', `config.HTTP_PORT=${PORT}`]);
    starts = await expectHealthyOn('1.2.0', starts + 1);
  });

  it('after a fixed delay: the next deploy finishes it', async () => {
    const killed = await killedDeploy('1.3.0', after(2500));
    recover(killed, ['deploy', `${APP}@1.3.0`, '--set', `config.HTTP_PORT=${PORT}`]);
    starts = await expectHealthyOn('1.3.0', starts + 1);
  });

  it('mid-upgrade, then a rollback: it recovers and goes back to the previous revision', async () => {
    const killed = await killedDeploy('1.4.0', parked('web'));
    const r = recover(killed, ['rollback', APP]);
    expect(r.json).toMatchObject({
      outcome: 'rolled-back',
      from: { version: '1.3.0' },
      target: { version: '1.2.0' },
      version: '1.2.0',
    });
    await expectHealthyOn('1.2.0', starts + 1);
  });
});
