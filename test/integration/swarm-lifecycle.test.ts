/**
 * The release lifecycle on a real single-node swarm through the built CLI (`npm run build`
 * first): `host init --target swarm`, install, no-op, upgrade, an upgrade whose health check fails
 * rolling every service back, a manual rollback, drift found by the audit and repaired, a deploy
 * killed mid-update and recovered, the lock, and an uninstall that keeps volumes. The swarm is the
 * test engine itself (`engine.sh start` makes it one); its profile is put back as it was
 * afterwards, so the Docker-host tests that share the engine still find theirs.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_REGISTRY } from '../../scripts/build-images.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DockerodeSwarm } from '../../src/adapters/dockerode-swarm.js';
import type { DockerodeEngine } from '../../src/adapters/dockerode-engine.js';
import type { AppHistory } from '../../src/app/history.js';
import type { AuditReport } from '../../src/core/audit/index.js';
import { ExitCode } from '../../src/core/errors.js';
import { Label } from '../../src/core/labels.js';
import type { HostProfile } from '../../src/core/release.js';
import { SwarmReleaseStore } from '../../src/targets/swarm/release-store.js';
import type { CliResult } from '../support/cli.js';
import type { CliProcess } from '../support/cli-process.js';
import { waitFor } from '../support/engine.js';
import {
  lifecycleSession,
  samplePage,
  type LifecycleCatalog,
  type LifecycleSession,
} from '../support/lifecycle-fixture.js';
import { reachableSwarm, removeSwarmApp } from '../support/swarm.js';

const APP = `uji-swarm-${randomBytes(3).toString('hex')}`;
const PORT = 19211;

let session: LifecycleSession | undefined;
let catalog: LifecycleCatalog;
let cli: CliProcess;
let engine: DockerodeEngine;
let swarm: DockerodeSwarm;
let profileBefore: HostProfile | null = null;

const CATALOG_COMMANDS = new Set(['deploy', 'rollback', 'outdated', 'audit', 'doctor']);

function ksad(...args: string[]): CliResult {
  return cli.run(CATALOG_COMMANDS.has(args[0] ?? '') ? [...args, '--catalog', catalog.root] : args);
}

function deploy(version: string): CliResult {
  return ksad('deploy', `${APP}@${version}`, '--set', `config.HTTP_PORT=${PORT}`, '--json');
}

function pageAt(version: string) {
  return waitFor(`web answering with ${version} on :${PORT}`, async () => {
    const p = await samplePage(PORT);
    return p?.version === version ? p : undefined;
  });
}

/** Each service's SCHEMA, as the swarm runs it (its spec, not a container). */
async function schemas(): Promise<Record<string, string | undefined>> {
  const services = await swarm.listServices({ [Label.app]: APP });
  return Object.fromEntries(services.map((s) => [s.name, s.container.env.SCHEMA]));
}

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' });
}

beforeAll(async () => {
  ({ engine, swarm } = await reachableSwarm());
  profileBefore = await new SwarmReleaseStore(swarm).profile();
  session = await lifecycleSession(
    APP,
    [
      { version: '1.0.0', schema: '1' },
      { version: '1.1.0', schema: '2' },
      { version: '2.0.0', schema: '3', brokenWeb: true },
    ],
    ['--target', 'swarm', '--bind-address', '0.0.0.0'],
  );
  ({ catalog, cli } = session);
  await useRunRegistry(join(catalog.root, 'manifests/kota-bandung', APP));
}, 300_000);

/**
 * The sample images are pinned in the default registry's name; a run with its own registry
 * (KSAD_REGISTRY) holds the same digests under its own address, which every swarm node must pull
 * from, so the test app's manifests name that one.
 */
async function useRunRegistry(dir: string): Promise<void> {
  const registry = process.env.KSAD_REGISTRY;
  if (!registry || registry === DEFAULT_REGISTRY) return;
  for (const file of await readdir(dir)) {
    const text = await readFile(join(dir, file), 'utf8');
    await writeFile(join(dir, file), text.replaceAll(`${DEFAULT_REGISTRY}/`, `${registry}/`));
  }
}

afterAll(async () => {
  await removeSwarmApp(engine, swarm, APP);
  const store = new SwarmReleaseStore(swarm);
  if (profileBefore) await store.saveProfile(profileBefore);
  else {
    const profiles = await swarm.listConfigs({ [Label.managed]: 'true', [Label.kind]: 'host' });
    for (const c of profiles) await swarm.removeConfig(c.name);
  }
  await session?.close();
  engine.close();
});

describe('release lifecycle on a real swarm', { timeout: 240_000 }, () => {
  it('records the profile on the swarm and shows its nodes', () => {
    const show = ksad('host', 'show', '--json');
    expect(show.status, show.stdout + show.stderr).toBe(0);
    expect(show.json.profile).toMatchObject({ target: 'swarm', region: { code: '52.04' } });
    expect(show.json.nodes).toEqual([
      expect.objectContaining({
        role: 'manager',
        leader: true,
        state: 'ready',
        availability: 'active',
      }),
    ]);
    expect(
      docker('config', 'ls', '--filter', 'label=id.ksad.kind=host', '--format', '{{.Name}}'),
    ).toMatch(/ksad-host/);
    const doctor = ksad('doctor', '--json');
    const checks = (doctor.json as { checks: Array<{ name: string; status: string }> }).checks;
    expect(checks.find((c) => c.name === 'swarm')).toMatchObject({
      status: 'ok',
    });
  });

  it('installs as a stack, answers on its port, and a second deploy changes nothing', async () => {
    const install = deploy('1.0.0');
    expect(install.status, install.stdout + install.stderr).toBe(0);
    expect(install.json).toMatchObject({ outcome: 'installed', revision: 1 });
    await pageAt('1.0.0');
    expect(
      docker('stack', 'services', APP, '--format', '{{.Name}}').trim().split('\n').sort(),
    ).toEqual([`${APP}_db`, `${APP}_web`, `${APP}_worker`]);
    // The generated password is a Swarm secret mounted as a file, and in the environment as before.
    const secrets = await swarm.listSecrets({ [Label.app]: APP });
    expect(secrets.map((s) => s.labels[Label.secret])).toEqual(['DB_PASSWORD']);
    const db = await swarm.inspectService(`${APP}_db`);
    expect(db?.secrets).toEqual([secrets[0]?.name]);
    expect(db?.container.env.DB_PASSWORD).toMatch(/^.{8,}$/);

    const again = deploy('1.0.0');
    expect(again.json).toMatchObject({ outcome: 'unchanged', revision: 1 });
  });

  it('upgrades with a rolling update, then rolls a failed upgrade back across every service', async () => {
    const up = deploy('1.1.0');
    expect(up.status, up.stdout + up.stderr).toBe(0);
    expect(up.json).toMatchObject({ outcome: 'upgraded', revision: 2 });
    await pageAt('1.1.0');

    // 2.0.0 updates db and worker (healthy), then web never becomes healthy.
    const bad = deploy('2.0.0');
    expect(bad.status, bad.stdout + bad.stderr).toBe(9);
    expect(bad.json.error.code).toBe('DEPLOY_FAILED');
    expect(bad.json.error.message).toContain(`service ${APP}_web`);
    expect(bad.json.error.message).toContain('rolled back to revision 2 (1.1.0)');
    const details = (bad.json as { error: { details: string[] } }).error.details;
    expect(details.join('\n')).toMatch(/last health check output(.|\n)*404 Not Found/);
    expect(await schemas()).toEqual({
      [`${APP}_db`]: '2',
      [`${APP}_web`]: '2',
      [`${APP}_worker`]: '2',
    });
    await pageAt('1.1.0');
    const status = ksad('status', APP, '--json');
    expect(status.json[0]).toMatchObject({ version: '1.1.0', revision: 2, health: 'healthy' });
    const history = ksad('history', APP, '--json');
    expect((history.json as AppHistory).revisions.find((r) => r.revision === 3)).toMatchObject({
      status: 'failed',
    });
  });

  it('rolls back by hand as a new revision', async () => {
    const back = ksad('rollback', APP, '--json');
    expect(back.status, back.stdout + back.stderr).toBe(0);
    expect(back.json).toMatchObject({ outcome: 'rolled-back', revision: 4, version: '1.0.0' });
    await pageAt('1.0.0');
    expect(ksad('list', '--json').json).toEqual(
      expect.arrayContaining([expect.objectContaining({ app: APP, version: '1.0.0' })]),
    );
  });

  it('finds a service changed by hand, and the next deploy repairs it', async () => {
    docker('service', 'update', '--detach', '--env-add', 'EXTRA=by-hand', `${APP}_worker`);
    const drift = (report: CliResult): string[] =>
      (report.json as AuditReport).apps
        .flatMap((a) => a.findings)
        .filter((f) => f.category === 'drift')
        .map((f) => `${f.code} ${f.subject}`);
    const audit = ksad('audit', APP, '--json');
    expect(drift(audit)).toEqual([
      expect.stringMatching(new RegExp(`^container-modified .*${APP}_worker`)),
    ]);
    const repair = deploy('1.0.0');
    expect(repair.status, repair.stdout + repair.stderr).toBe(0);
    expect(repair.json).toMatchObject({ outcome: 'updated', revision: 5 });
    expect((await swarm.inspectService(`${APP}_worker`))?.container.env.EXTRA).toBeUndefined();
    expect(drift(ksad('audit', APP, '--json'))).toEqual([]);
  });

  it('recovers a deploy killed with SIGKILL while the engine rolls a service', async () => {
    const child = cli.start([
      'deploy',
      `${APP}@1.1.0`,
      '--set',
      `config.HTTP_PORT=${PORT}`,
      '--catalog',
      catalog.root,
    ]);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    // db is in the first level: kill once the engine is rolling it to 1.1.0's spec.
    await waitFor('db updating', async () => {
      const db = await swarm.inspectService(`${APP}_db`);
      return db?.updateStatus?.state === 'updating' && db.container.env.SCHEMA === '2'
        ? true
        : undefined;
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const unlock = ksad('unlock', APP, '--json');
    expect(unlock.status, unlock.stdout + unlock.stderr).toBe(0);
    expect(unlock.json.cleared).toMatchObject({ pid: child.pid });
    const again = deploy('1.1.0');
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(again.json).toMatchObject({ outcome: 'upgraded', version: '1.1.0' });
    expect(await schemas()).toEqual({
      [`${APP}_db`]: '2',
      [`${APP}_web`]: '2',
      [`${APP}_worker`]: '2',
    });
    await pageAt('1.1.0');
  });

  it('refuses a change while another holds the lock, until unlock frees it', async () => {
    const holder = {
      user: 'siti',
      hostname: 'elsewhere',
      pid: 4242,
      command: 'ksad deploy',
      since: 'now',
    };
    await new SwarmReleaseStore(swarm).lock(APP, holder);
    const locked = deploy('1.1.0');
    expect(locked.status, locked.stdout + locked.stderr).toBe(8);
    expect(locked.json.error.message).toContain('siti@elsewhere');
    const unlock = ksad('unlock', APP, '--json');
    expect(unlock.status, unlock.stdout + unlock.stderr).toBe(0);
    expect(unlock.json.cleared).toMatchObject({ user: 'siti', hostname: 'elsewhere' });
    expect(await new SwarmReleaseStore(swarm).lockHolder(APP)).toBeNull();
  });

  it('shows logs, runs a command, stops a service without drift, and a deploy starts it', async () => {
    const logs = ksad('logs', APP, 'db', '--tail', '5', '--json');
    expect(logs.status, logs.stdout + logs.stderr).toBe(0);
    expect((logs.json as Array<{ service: string }>).every((l) => l.service === 'db')).toBe(true);
    const echo = ksad('exec', APP, 'web', '--', 'sh', '-c', 'echo "$SCHEMA"');
    expect(echo.status, echo.stdout + echo.stderr).toBe(0);
    expect(echo.stdout).toBe('2\n');

    const stop = ksad('stop', APP, 'worker', '--json');
    expect(stop.status, stop.stdout + stop.stderr).toBe(0);
    expect(stop.json).toMatchObject({ services: ['worker'], stoppedByOperator: ['worker'] });
    expect((await swarm.inspectService(`${APP}_worker`))?.replicas).toBe(0);
    const findings = (ksad('audit', APP, '--json').json as AuditReport).apps.flatMap(
      (a) => a.findings,
    );
    // A stop by ksad, not a service changed or scaled down outside it.
    expect(findings.filter((f) => f.category === 'drift').map((f) => [f.code, f.severity])).toEqual(
      [['container-stopped-by-operator', 'info']],
    );
    const notRunning = ksad('exec', APP, 'worker', '--', 'true');
    expect(notRunning.status).toBe(ExitCode.USAGE);

    // A deploy brings a stopped service back, as on a Docker host.
    const again = deploy('1.1.0');
    expect(again.status, again.stdout + again.stderr).toBe(0);
    const worker = await swarm.inspectService(`${APP}_worker`);
    expect(worker?.replicas).toBe(1);
    const tasks = await swarm.listTasks(worker?.id ?? '');
    expect(tasks.filter((t) => t.desiredState === 'running' && t.state === 'running')).toHaveLength(
      1,
    );
  });

  it('uninstalls, keeping the data volumes', async () => {
    const gone = ksad('uninstall', APP, '--json');
    expect(gone.status, gone.stdout + gone.stderr).toBe(0);
    expect(await swarm.listServices({ [Label.app]: APP })).toEqual([]);
    expect(await swarm.listSecrets({ [Label.app]: APP })).toEqual([]);
    const volumes = await engine.listVolumes({ [Label.app]: APP, [Label.kind]: 'volume' });
    expect(volumes.map((v) => v.name).sort()).toEqual([
      `ksad-${APP}-data`,
      `ksad-${APP}-worker-data`,
    ]);
  });
});
