/**
 * The built CLI against an engine that misbehaves, through the fault-injecting proxy
 * (test/support/engine-proxy.ts), and `ksad unlock` against locks held by live, dead and foreign
 * processes. Every command ends within its deadline; nothing hangs.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerodeEngine } from '../../src/adapters/dockerode-engine.js';
import { ExitCode } from '../../src/core/errors.js';
import type { LockHolder } from '../../src/ports/release-store.js';
import { DockerHostReleaseStore } from '../../src/targets/docker-host/release-store.js';
import {
  grantFile,
  guardHostProfile,
  httpGet,
  KsadCli,
  leftovers,
  manifestFile,
  sumbawaHostInit,
  tempCatalog,
  uniqueName,
  type RunResult,
  type TempCatalog,
} from '../support/deploy-fixture.js';
import { cliProcess } from '../support/cli-process.js';
import {
  killAfterRequests,
  onRequests,
  startEngineProxy,
  type EngineProxy,
} from '../support/engine-proxy.js';
import { cleanupByLabel, requireEngine, type Engine } from '../support/engine.js';

const apps = {
  lock: uniqueName('uji-unlock'),
  gone: uniqueName('uji-engine-gone'),
  drop: uniqueName('uji-engine-drop'),
  counted: uniqueName('uji-kill-count'),
  killed: uniqueName('uji-kill-nth'),
};
const PORTS = { gone: 19041, drop: 19042, counted: 19043, killed: 19044 };

let engine: Engine;
let catalog: TempCatalog;
let home: string;
let cli: KsadCli;
let direct: DockerodeEngine;
let store: DockerHostReleaseStore;
let restoreProfile: () => Promise<void> = () => Promise.resolve();
const proxies: EngineProxy[] = [];

async function proxy(): Promise<EngineProxy> {
  const p = await startEngineProxy({ upstream: engine.dockerHost });
  proxies.push(p);
  return p;
}

const deployArgs = (app: string, port: number): string[] => [
  'deploy',
  app,
  '--catalog',
  catalog.root,
  '--set',
  'config.REGION_NAME=Kabupaten Sumbawa',
  '--set',
  `config.HTTP_PORT=${port}`,
  '--json',
];

function holder(pid: number, host = hostname()): LockHolder {
  return {
    user: 'siti',
    hostname: host,
    pid,
    command: 'ksad deploy uji',
    since: new Date().toISOString(),
  };
}

/** The pid of a process that has just ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}

const errorOf = (r: RunResult): { code: string; message: string; suggestions: string[] } =>
  r.json?.error as { code: string; message: string; suggestions: string[] };

beforeAll(async () => {
  engine = await requireEngine();
  const guard = await guardHostProfile(engine.docker);
  restoreProfile = () => guard.restore();
  catalog = await tempCatalog({
    ...manifestFile({ name: apps.gone, version: '1.0.0', services: ['web', 'db'] }),
    ...manifestFile({ name: apps.drop, version: '1.0.0', services: ['web', 'db'] }),
    ...manifestFile({ name: apps.counted, version: '1.0.0', services: ['web', 'db'] }),
    ...manifestFile({ name: apps.killed, version: '1.0.0', services: ['web', 'db'] }),
    ...grantFile('uji-engine-faults', {
      number: 'UJI/ENGINE/2026',
      grantees: ['52.04'],
      apps: [apps.gone, apps.drop, apps.counted, apps.killed],
    }),
  });
  home = await mkdtemp(join(tmpdir(), 'ksad-engine-faults-home-'));
  cli = new KsadCli({ home, dockerHost: engine.dockerHost });
  const init = await cli.run(sumbawaHostInit(catalog.root));
  expect(init.status, init.said).toBe(ExitCode.OK);
  guard.wrote(init.json.profile);
  direct = DockerodeEngine.fromEnvironment({ flag: engine.dockerHost, env: {} });
  store = new DockerHostReleaseStore(direct);
});

afterAll(async () => {
  try {
    for (const p of proxies) await p.close();
    if (engine) for (const app of Object.values(apps)) await cleanupByLabel(`id.ksad.app=${app}`);
  } finally {
    direct?.close();
    await restoreProfile();
    await catalog?.remove();
    if (home) await rm(home, { recursive: true, force: true });
  }
});

describe('ksad unlock', () => {
  it('keeps the lock of a holder still running on this machine, and clears it with --force', async () => {
    // This test's own process: alive, on this machine.
    await store.lock(apps.lock, holder(process.pid));
    const refused = await cli.run(['unlock', apps.lock, '--json']);
    expect(refused.status, refused.said).toBe(ExitCode.LOCKED);
    expect(errorOf(refused).message).toContain(`(pid ${process.pid}, "ksad deploy uji")`);
    expect(errorOf(refused).message).toContain('that process is still running on this machine');
    expect(errorOf(refused).suggestions.join('\n')).toContain(`ksad unlock ${apps.lock} --force`);
    expect(await store.lockHolder(apps.lock)).not.toBeNull();

    const forced = await cli.run(['unlock', apps.lock, '--force', '--json']);
    expect(forced.status, forced.said).toBe(ExitCode.OK);
    expect(forced.json).toMatchObject({ app: apps.lock, holder: 'running', forced: true });
    expect(await store.lockHolder(apps.lock)).toBeNull();
  });

  it('clears plainly the lock of a process that is gone, and of one on another machine', async () => {
    await store.lock(apps.lock, holder(await deadPid()));
    const gone = await cli.run(['unlock', apps.lock]);
    expect(gone.status, gone.stderr).toBe(ExitCode.OK);
    expect(gone.stdout).toContain('(that process is gone)');

    await store.lock(apps.lock, holder(process.pid, 'laptop-siti'));
    const foreign = await cli.run(['unlock', apps.lock, '--json']);
    expect(foreign.status, foreign.said).toBe(ExitCode.OK);
    expect(foreign.json).toMatchObject({ holder: 'elsewhere', forced: false });
    expect(foreign.json.cleared.hostname).toBe('laptop-siti');
    expect(await store.lockHolder(apps.lock)).toBeNull();
  });
});

describe('an engine that stalls', () => {
  it('a command against an engine that never answers exits 7 within KSAD_ENGINE_TIMEOUT, naming the call', async () => {
    const stalled = await proxy();
    stalled.decide(() => 'stall');
    const started = Date.now();
    const r = await new KsadCli({ home, dockerHost: stalled.dockerHost }).run(
      ['host', 'show', '--json'],
      { env: { KSAD_ENGINE_TIMEOUT: '2' }, timeoutMs: 30_000 },
    );
    const ms = Date.now() - started;
    expect(r.status, r.said).toBe(ExitCode.ENGINE_UNAVAILABLE);
    expect(r.json.error.reason).toBe('timeout');
    expect(errorOf(r).message).toMatch(
      new RegExp(
        `^the Docker engine at ${stalled.dockerHost} did not answer \`[^\`]+\` within 2 s$`,
      ),
    );
    expect(ms).toBeLessThan(15_000);
  });

  it('a deploy against an engine that never answers exits 7 after about one deadline, in text mode too', async () => {
    const stalled = await proxy();
    stalled.decide(() => 'stall');
    const started = Date.now();
    const args = deployArgs(apps.gone, PORTS.gone).filter((a) => a !== '--json');
    const r = await new KsadCli({ home, dockerHost: stalled.dockerHost }).run(args, {
      env: { KSAD_ENGINE_TIMEOUT: '2' },
      timeoutMs: 30_000,
    });
    expect(r.status, r.said).toBe(ExitCode.ENGINE_UNAVAILABLE);
    expect(r.stderr).toMatch(
      new RegExp(
        `Error: the Docker engine at ${stalled.dockerHost} did not answer \`[^\`]+\` within 2 s`,
      ),
    );
    expect(r.stderr).toContain('KSAD_ENGINE_TIMEOUT=SECONDS');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('an engine that dies mid-deploy', () => {
  it('says the engine stopped answering and that the attempt could not be recorded; after it is back, unlock and deploy recover', async () => {
    const dying = await proxy();
    dying.decide((r) => {
      if (r.method === 'POST' && /\/containers\/[^/]+\/start$/.test(r.path)) {
        void dying.die();
        return 'drop';
      }
      return 'forward';
    });
    const started = Date.now();
    const r = await new KsadCli({ home, dockerHost: dying.dockerHost }).run(
      deployArgs(apps.gone, PORTS.gone),
      { env: { KSAD_ENGINE_TIMEOUT: '5' }, timeoutMs: 60_000 },
    );
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(r.status, r.said).toBe(ExitCode.ENGINE_UNAVAILABLE);
    expect(r.json.error.reason).toBe('lost');
    const { message, suggestions } = errorOf(r);
    expect(message).toContain(
      `install 1.0.0 of ${apps.gone} failed: the Docker engine at ${dying.dockerHost} stopped answering during \`start container`,
    );
    expect(message).toContain(
      '`; ksad could not remove what it had created; run the deploy again once the engine is back',
    );
    expect(message).toContain('the failed attempt (revision 1) could not be recorded on the host');
    expect(message).not.toMatch(/ECONNRESET|socket hang up|EPIPE|ENOENT/);
    expect(suggestions.join('\n')).toContain(`ksad unlock ${apps.gone}`);

    // The engine is back (ksad talks to it directly again): the lock left by the ended process is
    // stale, unlock clears it plainly, and the deploy goes through.
    const locked = await cli.run(deployArgs(apps.gone, PORTS.gone));
    expect(locked.status, locked.said).toBe(ExitCode.LOCKED);
    expect(errorOf(locked).message).toContain('that process is gone, so the lock is stale');
    const unlock = await cli.run(['unlock', apps.gone]);
    expect(unlock.status, unlock.said).toBe(ExitCode.OK);
    const again = await cli.run(deployArgs(apps.gone, PORTS.gone));
    expect(again.status, again.said).toBe(ExitCode.OK);
    expect(again.json).toMatchObject({ outcome: 'installed', revision: 1 });
    expect((await httpGet(`http://127.0.0.1:${PORTS.gone}/healthz`)).status).toBe(200);
  });

  it('a connection dropped once, with the engine still there, is recorded as a failed revision', async () => {
    const flaky = await proxy();
    flaky.decide(
      onRequests(
        (r) => r.method === 'POST' && /\/containers\/[^/]+\/start$/.test(r.path),
        'drop',
        1,
      ),
    );
    const r = await new KsadCli({ home, dockerHost: flaky.dockerHost }).run(
      deployArgs(apps.drop, PORTS.drop),
      { timeoutMs: 60_000 },
    );
    expect(r.status, r.said).toBe(ExitCode.ENGINE_UNAVAILABLE);
    const { message, suggestions } = errorOf(r);
    expect(message).toContain(`stopped answering during \`start container`);
    expect(message).toContain('ksad removed what it had created');
    expect(message).not.toMatch(/ECONNRESET|socket hang up|could not be recorded/);
    expect(suggestions).toContain(`revision 1 is recorded as failed: ksad history ${apps.drop}`);
    const history = await cli.run(['history', apps.drop, '--json']);
    expect(history.status, history.said).toBe(ExitCode.OK);
    expect(history.json.revisions).toMatchObject([{ revision: 1, status: 'failed' }]);
    expect((await leftovers(engine.docker, apps.drop)).running).toEqual([]);
  });
});

describe('a ksad killed right after its N-th API call', () => {
  it('counts an install’s calls, kills a second install halfway, and the next commands recover', async () => {
    const counting = await proxy();
    const whole = await new KsadCli({ home, dockerHost: counting.dockerHost }).run(
      deployArgs(apps.counted, PORTS.counted),
    );
    expect(whole.status, whole.said).toBe(ExitCode.OK);
    const calls = counting.requests.length;
    expect(calls).toBeGreaterThan(10);

    const n = Math.floor(calls / 2);
    const killing = await proxy();
    const child = cliProcess(home).start(deployArgs(apps.killed, PORTS.killed), {
      DOCKER_HOST: killing.dockerHost,
    });
    killing.decide(killAfterRequests(n, () => child.kill('SIGKILL')));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, sig) => resolve(sig)),
    );
    expect(signal).toBe('SIGKILL');
    expect(killing.requests.length).toBeGreaterThan(n);

    // Straight to the engine again: a stale lock (if the lock was taken by then) is cleared plainly.
    let next = await cli.run(deployArgs(apps.killed, PORTS.killed));
    if (next.status === ExitCode.LOCKED) {
      expect(errorOf(next).message).toContain('that process is gone, so the lock is stale');
      const unlock = await cli.run(['unlock', apps.killed, '--json']);
      expect(unlock.json, unlock.said).toMatchObject({ holder: 'gone', forced: false });
      next = await cli.run(deployArgs(apps.killed, PORTS.killed));
    }
    expect(next.status, next.said).toBe(ExitCode.OK);
    expect((await httpGet(`http://127.0.0.1:${PORTS.killed}/healthz`)).status).toBe(200);
  });
});
