/**
 * The built ksad, killed with SIGKILL right after its N-th Engine API call (through the
 * fault-injecting proxy, test/support/engine-proxy.ts), on the real engine, for an install, an
 * upgrade that adds a secret, a failed upgrade, a rollback, an uninstall and a repeated host init,
 * with an app whose PostgreSQL really checks its password. After each kill the same command is
 * run again as an engineer would (clearing the dead holder's stale lock first, as its error
 * says), and nothing is lost: the secrets are unchanged, every revision record is there, the data
 * volume is the same one with the same rows, and the app, which logs in to the database with its
 * password, answers with them.
 *
 * The scenarios run as a chain (each starts where the one before ended: installed, upgraded, …),
 * so a round needs one reset, on one engine, with the image pulled once. `KSAD_KILL_POINTS=every`
 * kills at every N, from 0 until the command finishes before its kill; by default
 * (`KSAD_KILL_POINTS=2`) two points spread inside each command's calls keep the run short. The
 * fake-engine counterpart is test/unit/app/kill-points.test.ts. Counts go to
 * `<tmp>/ksad-kill-points.json`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerodeEngine } from '../../src/adapters/dockerode-engine.js';
import { ExitCode } from '../../src/core/errors.js';
import type { HostProfile, ReleaseRecord } from '../../src/core/release.js';
import { DockerHostReleaseStore } from '../../src/targets/docker-host/release-store.js';
import { cliProcess } from '../support/cli-process.js';
import {
  KsadCli,
  leftovers,
  tempCatalog,
  type RunResult,
  type TempCatalog,
} from '../support/deploy-fixture.js';
import { killAfterRequests, startEngineProxy } from '../support/engine-proxy.js';
import { cleanupByLabel, requireEngine, type Engine } from '../support/engine.js';
import {
  appPage,
  dbRecords,
  postgresAppManifest,
  postgresImage,
  sql,
  type PostgresAppVersion,
} from '../support/postgres-app.js';

const APP = `uji-kill-pg-${randomBytes(3).toString('hex')}`;
const PORT = 19171;
const DB = `ksad-${APP}-db`;
const HOST_NAME = 'Diskominfotik Kabupaten Sumbawa (uji)';
const MODE = process.env.KSAD_KILL_POINTS ?? '2';
/** With `every`: the first N (a long run may be taken up where an earlier one stopped). */
const FROM = Number(process.env.KSAD_KILL_FROM ?? 0);

const VERSIONS: PostgresAppVersion[] = [
  { version: '1.0.0', schema: '1' },
  { version: '2.0.0', schema: '2', smtp: true },
  { version: '2.1.0', schema: '2', smtp: true, brokenApp: true },
];

let engine: Engine;
let catalog: TempCatalog;
let home: string;
let cli: KsadCli;
let direct: DockerodeEngine;
let store: DockerHostReleaseStore;
let profileBefore: HostProfile | null = null;

const deploy = (version: string): string[] => [
  'deploy',
  `${APP}@${version}`,
  '--catalog',
  catalog.root,
  '--set',
  `config.HTTP_PORT=${PORT}`,
  '--timeout',
  '60',
  '--json',
];
const hostInit = (name: string): string[] => [
  'host',
  'init',
  '--region',
  '52.04',
  '--name',
  name,
  '--allow-unsigned',
  // Records are never pruned here, so that every one can be checked.
  '--history-limit',
  '1000',
  '--catalog',
  catalog.root,
  '--json',
];

/** The host's state a command starts from: the app absent, or running 1.0.0, or 2.0.0. */
type State = 'clean' | 'v1' | 'v2';

interface Scenario {
  name: string;
  start: State;
  command: () => string[];
  /** The exit code of the command run to its end. */
  exit: number;
  /** Running this version once recovered, or uninstalled (then installed again to check). */
  after: { version: string; uninstalled?: boolean };
  /** The state once it recovered and `next` ran: the start of the next scenario, without a reset. */
  ends: State;
  next?: () => Promise<unknown>;
}

/** The host profile's name, as the last `host init` left it. */
let hostName = HOST_NAME;
let hostInits = 0;

/** In the order that lets each start where the one before ended. */
const SCENARIOS: Scenario[] = [
  {
    name: 'an install',
    start: 'clean',
    command: () => deploy('1.0.0'),
    exit: ExitCode.OK,
    after: { version: '1.0.0' },
    ends: 'v1',
    next: () => sql(DB, "INSERT INTO records (note) VALUES ('installed')"),
  },
  {
    name: 'an upgrade that adds a secret',
    start: 'v1',
    command: () => deploy('2.0.0'),
    exit: ExitCode.OK,
    after: { version: '2.0.0' },
    ends: 'v2',
    next: () => sql(DB, "INSERT INTO records (note) VALUES ('upgraded')"),
  },
  {
    name: 'a failed upgrade',
    start: 'v2',
    command: () => deploy('2.1.0'),
    exit: ExitCode.DEPLOY_FAILED,
    after: { version: '2.0.0' },
    ends: 'v2',
  },
  {
    name: 'a rollback',
    start: 'v2',
    // Named, so that running it again after a finished rollback does not go back once more.
    command: () => ['rollback', APP, '1', '--catalog', catalog.root, '--timeout', '60', '--json'],
    exit: ExitCode.OK,
    after: { version: '1.0.0' },
    ends: 'v1',
  },
  {
    name: 'an uninstall',
    start: 'v1',
    command: () => ['uninstall', APP, '--json'],
    exit: ExitCode.OK,
    after: { version: '1.0.0', uninstalled: true },
    ends: 'v1',
  },
  {
    name: 'a repeated host init',
    start: 'v1',
    command: () => hostInit(`${HOST_NAME} ${hostInits + 1}`),
    exit: ExitCode.OK,
    after: { version: '1.0.0' },
    ends: 'v1',
  },
];

async function ok(args: string[]): Promise<RunResult> {
  const r = await cli.run(args);
  expect(r.status, r.said).toBe(ExitCode.OK);
  return r;
}

/** Puts the host in `start`: the app absent (data, secrets and records too), or installed. */
async function reset(start: State): Promise<void> {
  await cleanupByLabel(`id.ksad.app=${APP}`);
  if (start === 'clean') return;
  await ok(deploy('1.0.0'));
  await sql(DB, "INSERT INTO records (note) VALUES ('installed')");
  if (start === 'v1') return;
  await ok(deploy('2.0.0'));
  await sql(DB, "INSERT INTO records (note) VALUES ('upgraded')");
}

interface Evidence {
  secrets: Record<string, string>;
  records: ReleaseRecord[];
  /** The data volume's database: its system identifier (new at every initdb) and its rows. */
  database?: { id: string; rows: string[] };
}

/** The database in the data volume, while its container runs. */
async function database(): Promise<Evidence['database']> {
  if (!(await leftovers(engine.docker, APP)).running.includes(DB)) return undefined;
  const [id, rows] = await Promise.all([
    sql(DB, 'SELECT system_identifier FROM pg_control_system()'),
    dbRecords(DB),
  ]);
  return { id, rows };
}

/** What must never be lost, read from the host. */
async function evidence(): Promise<Evidence> {
  const [secrets, records, db] = await Promise.all([
    store.secrets(APP),
    store.releases(APP),
    database(),
  ]);
  return { secrets, records, ...(db ? { database: db } : {}) };
}

/** Runs `command` with ksad killed when its API call `n + 1` arrives; whether it was killed. */
async function killedAfter(n: number, command: string[]): Promise<boolean> {
  const proxy = await startEngineProxy({ upstream: engine.dockerHost });
  try {
    const child = cliProcess(home).start(command, { DOCKER_HOST: proxy.dockerHost });
    proxy.decide(killAfterRequests(n, () => child.kill('SIGKILL')));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (c, s) => resolve([c, s])),
    );
    if (signal === 'SIGKILL') return true;
    expect(code, `${command.join(' ')} ended with ${code} before call ${n + 1}`).not.toBeNull();
    return false;
  } finally {
    await proxy.close();
  }
}

/** The command once more, as the next engineer runs it: a stale lock is cleared first. */
async function again(command: string[], exit: number, where: string): Promise<RunResult> {
  let r = await cli.run(command);
  if (r.status === ExitCode.LOCKED) {
    expect(r.json?.error?.message, `${where}: ${r.said}`).toContain('the lock is stale');
    const unlock = await cli.run(['unlock', APP, '--json']);
    expect(unlock.json, `${where}: ${unlock.said}`).toMatchObject({
      holder: 'gone',
      forced: false,
    });
    r = await cli.run(command);
  }
  expect(r.status, `${where}: ${r.said}`).toBe(exit);
  return r;
}

/** Nothing lost between `before` (and what was stored by the kill, `mid`) and now. */
async function expectNothingLost(s: Scenario, before: Evidence, mid: Evidence, where: string) {
  const after = await evidence();
  for (const [name, value] of Object.entries(before.secrets))
    expect(after.secrets[name], `${where}: secret ${name}`).toBe(value);
  for (const [name, value] of Object.entries(mid.secrets))
    expect(after.secrets[name], `${where}: secret ${name}, stored before the kill`).toBe(value);
  const revisions = after.records.map((r) => r.revision);
  for (const r of before.records)
    expect(revisions, `${where}: revision ${r.revision}`).toContain(r.revision);
  expect(revisions, `${where}: revisions without gaps`).toEqual(revisions.map((_, i) => i + 1));
  expect(await store.lockHolder(APP), `${where}: lock`).toBeNull();
  const profile = await store.profile();
  expect(profile?.name, `${where}: host profile`).toBe(hostName);

  if (s.after.uninstalled) {
    expect((await leftovers(engine.docker, APP)).running, `${where}: uninstalled`).toEqual([]);
    expect(after.records.at(-1)?.status, where).toBe('uninstalled');
    // Installed again, the app finds its data with the password it had.
    await ok(deploy(s.after.version));
  }
  // Deploy said success: the app answers at once, logged in to the database with its password.
  const page = await appPage(PORT);
  expect(page, `${where}: the app's page`).toMatchObject({
    status: 200,
    version: s.after.version,
    records: before.database?.rows ?? [],
  });
  if (before.database)
    expect(await database(), `${where}: the data volume's database`).toEqual(before.database);
  const status = await ok(['status', APP, '--json']);
  expect(status.json[0], where).toMatchObject({ version: s.after.version, health: 'healthy' });
}

/**
 * Where to kill each command: every N from 0 until the command finishes before its kill (health
 * waits poll, so the count varies a little from run to run), or `k` points spread evenly inside
 * the calls the command made uncut (for k = 2: a third and two thirds of the way).
 */
function spread(calls: number, k: number): number[] {
  const picked = new Set<number>();
  for (let i = 1; i <= k; i++) picked.add(Math.min(calls - 1, Math.round((i * calls) / (k + 1))));
  return [...picked].sort((x, y) => x - y);
}

const covered: Record<
  string,
  { calls: number; killed: number; finished: number; points: number[] }
> = {};

/** The counts so far, written after every attempt so that a long run shows how far it got. */
async function writeSummary(): Promise<number> {
  const total = Object.values(covered).reduce((a, c) => a + c.killed, 0);
  await mkdir(tmpdir(), { recursive: true });
  await writeFile(
    join(tmpdir(), 'ksad-kill-points.json'),
    `${JSON.stringify({ mode: MODE, from: FROM, total, scenarios: covered }, null, 2)}\n`,
  );
  return total;
}

beforeAll(async () => {
  engine = await requireEngine();
  direct = DockerodeEngine.fromEnvironment({ flag: engine.dockerHost, env: {} });
  store = new DockerHostReleaseStore(direct);
  profileBefore = await store.profile();
  const imageRef = await postgresImage();
  const files: Record<string, string> = {
    [`catalog/mous/uji-kill-pg-${APP}.yaml`]: `number: 900/${APP}/KSAD/2026
title: Hibah aplikasi uji ${APP} kepada Kabupaten Sumbawa
grantor: "32.73"
grantees: ["52.04"]
apps:
  - name: ${APP}
validFrom: "2025-01-01"
validUntil: "2099-12-31"
signedOn: "2024-12-20"
document:
  sha256: "0000000000000000000000000000000000000000000000000000000000000000"
  url: https://example.org/ksad/${APP}.pdf
`,
  };
  for (const v of VERSIONS)
    files[`manifests/kota-bandung/${APP}/${v.version}.yaml`] = postgresAppManifest(
      APP,
      v,
      imageRef,
    );
  catalog = await tempCatalog(files);
  home = await mkdtemp(join(tmpdir(), 'ksad-kill-points-home-'));
  cli = new KsadCli({ home, dockerHost: engine.dockerHost });
  await ok(hostInit(HOST_NAME));
}, 600_000);

afterAll(async () => {
  try {
    if (engine) await cleanupByLabel(`id.ksad.app=${APP}`);
    // The host profile is one per engine: put back what other tests found.
    if (profileBefore && cli) {
      await cli.run([
        'host',
        'init',
        '--region',
        profileBefore.region.code,
        ...(profileBefore.name ? ['--name', profileBefore.name] : []),
        ...(profileBefore.timeZone ? ['--time-zone', profileBefore.timeZone] : []),
        '--history-limit',
        String(profileBefore.policy.historyLimit),
        ...(profileBefore.policy.allowUnsigned ? ['--allow-unsigned'] : []),
        ...(profileBefore.policy.bindAddress
          ? ['--bind-address', profileBefore.policy.bindAddress]
          : []),
        '--catalog',
        catalog.root,
      ]);
    }
    const total = await writeSummary();
    const counts = Object.entries(covered).map(([name, c]) => [name, c.calls, c.killed]);
    console.log(`kill points covered on the real engine: ${total} ${JSON.stringify(counts)}`);
  } finally {
    direct?.close();
    await catalog?.remove();
    if (home) await rm(home, { recursive: true, force: true });
  }
}, 120_000);

/**
 * Runs `s` once: killed after call `n` (uncut when undefined), then run again, then checked.
 * Returns whether the kill came before the command finished.
 */
async function attempt(s: Scenario, n: number | undefined, where: string): Promise<boolean> {
  const command = s.command();
  const before = await evidence();
  const killed = n === undefined ? false : await killedAfter(n, command);
  const mid = n === undefined ? before : await evidence().catch(() => before);
  await again(command, s.exit, where);
  if (s.name === 'a repeated host init') {
    hostInits += 1;
    hostName = `${HOST_NAME} ${hostInits}`;
  }
  await expectNothingLost(s, before, mid, where);
  await s.next?.();
  return killed;
}

describe('ksad killed right after its N-th Engine API call, on the real engine', () => {
  const calls = new Map<Scenario, number>();

  it('runs each command uncut, counting its calls, and checks the same', async () => {
    await reset('clean');
    for (const s of SCENARIOS) {
      const counting = await startEngineProxy({ upstream: engine.dockerHost });
      const command = s.command();
      const before = await evidence();
      const whole = await new KsadCli({ home, dockerHost: counting.dockerHost }).run(command);
      calls.set(s, counting.requests.length);
      await counting.close();
      expect(whole.status, whole.said).toBe(s.exit);
      if (s.name === 'a repeated host init') {
        hostInits += 1;
        hostName = `${HOST_NAME} ${hostInits}`;
      }
      await expectNothingLost(s, before, before, `${s.name}, uncut`);
      await s.next?.();
      covered[s.name] = { calls: counting.requests.length, killed: 0, finished: 0, points: [] };
    }
  }, 600_000);

  it('kills each command after its N-th call; run again, it recovers and nothing is lost', async () => {
    expect(calls.size, 'the uncut run counted every command').toBe(SCENARIOS.length);
    const every = MODE === 'every';
    const k = Math.max(1, Number(MODE) || 2);
    const planned = new Map(SCENARIOS.map((s) => [s, spread(calls.get(s) ?? 0, k)]));
    const done = new Set<Scenario>();
    for (let round = every ? FROM : 0; ; round++) {
      const at = (s: Scenario): number | undefined =>
        every ? (done.has(s) ? undefined : round) : planned.get(s)?.[round];
      if (SCENARIOS.every((s) => at(s) === undefined)) break;
      let state: State | undefined;
      for (const s of SCENARIOS) {
        const n = at(s);
        if (n === undefined) continue;
        if (state !== s.start) await reset(s.start);
        const where = `${s.name}, killed after call ${n} (of ${calls.get(s)} uncut)`;
        const killed = await attempt(s, n, where);
        const record = covered[s.name];
        if (record && killed) {
          record.killed += 1;
          record.points.push(n);
        } else if (record) record.finished += 1;
        await writeSummary();
        // Past its last call the command finishes on its own: no later N kills it either.
        if (!killed) done.add(s);
        state = s.ends;
      }
    }
  }, 7_200_000);
});
