/**
 * Drift done by hand on the real engine, behind ksad's back and keeping its labels (so the config
 * hash still matches): `docker update` of memory, CPUs and restart policy, a disconnected network,
 * a renamed container, and a container recreated by hand with the labels copied but another
 * image, environment and an added capability. For each, `ksad plan` names the difference, `ksad
 * audit` reports it, and `ksad deploy` repairs it: the next plan is clean and the setting is back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import {
  grantFile,
  guardHostProfile,
  httpGet,
  KsadCli,
  manifestFile,
  sumbawaHostInit,
  tempCatalog,
  uniqueName,
  type TempCatalog,
} from '../support/deploy-fixture.js';
import { cleanupByLabel, requireEngine, type Engine } from '../support/engine.js';

const APP = uniqueName('uji-drift');
const PORT = 19181;
const WEB = `ksad-${APP}-web`;
const NETWORK = `ksad-${APP}`;

let engine: Engine;
let catalog: TempCatalog;
let home: string;
let cli: KsadCli;
let restoreProfile: () => Promise<void> = () => Promise.resolve();

const target = [
  '--catalog',
  '',
  '--set',
  'config.REGION_NAME=Kabupaten Sumbawa',
  '--set',
  `config.HTTP_PORT=${PORT}`,
  '--json',
];
const args = (command: string): string[] => {
  target[1] = catalog.root;
  return [command, APP, ...target];
};

/** The plan's reason for web, after checking that only web is to be recreated. */
async function planned(): Promise<string> {
  const plan = await cli.run(args('plan'));
  expect(plan.status, plan.said).toBe(ExitCode.CHANGES_PENDING);
  const services = plan.json.plan.services as Array<{
    service: string;
    action: string;
    reason: string;
  }>;
  expect(Object.fromEntries(services.map((s) => [s.service, s.action]))).toEqual({
    db: 'keep',
    web: 'recreate',
  });
  return services.find((s) => s.service === 'web')?.reason ?? '';
}

/** What audit says about web's container. */
async function audited(): Promise<string[]> {
  const r = await cli.run(['audit', APP, '--catalog', catalog.root, '--json']);
  expect(r.status, r.said).toBe(ExitCode.OK);
  const findings = r.json.apps[0].findings as Array<{ category: string; message: string }>;
  return findings.filter((f) => f.category === 'drift').map((f) => f.message);
}

/** Deploy repairs it: recreated, the app answers, and the next plan is clean. */
async function repaired(): Promise<void> {
  const deploy = await cli.run(args('deploy'));
  expect(deploy.status, deploy.said).toBe(ExitCode.OK);
  expect(deploy.json.outcome).toBe('updated');
  expect((await httpGet(`http://127.0.0.1:${PORT}/healthz`)).status).toBe(200);
  const clean = await cli.run(args('plan'));
  expect(clean.status, clean.said).toBe(ExitCode.OK);
  expect(clean.json.plan.changes).toBe(false);
  expect(await audited()).toEqual([]);
}

const hostConfig = async () => (await engine.docker.getContainer(WEB).inspect()).HostConfig;

beforeAll(async () => {
  engine = await requireEngine();
  const guard = await guardHostProfile(engine.docker);
  restoreProfile = () => guard.restore();
  catalog = await tempCatalog({
    ...manifestFile({ name: APP, version: '1.0.0', services: ['web', 'db'] }),
    ...grantFile(`uji-drift-${APP}`, {
      number: 'UJI/DRIFT/2026',
      grantees: ['52.04'],
      apps: [APP],
    }),
  });
  home = await mkdtemp(join(tmpdir(), 'ksad-drift-home-'));
  cli = new KsadCli({ home, dockerHost: engine.dockerHost });
  const init = await cli.run(sumbawaHostInit(catalog.root));
  expect(init.status, init.said).toBe(ExitCode.OK);
  guard.wrote(init.json.profile);
  const install = await cli.run(args('deploy'));
  expect(install.status, install.said).toBe(ExitCode.OK);
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

describe('drift done by hand, labels kept: plan names it, audit reports it, deploy repairs it', () => {
  it('docker update --memory --cpus --restart', async () => {
    await engine.docker.getContainer(WEB).update({
      // Below the swap limit ksad's 128m left (256m), which cgroup v1 would not let it pass.
      Memory: 96 * 1024 * 1024,
      NanoCpus: 1_500_000_000,
      RestartPolicy: { Name: 'no' },
    });
    expect(await planned()).toBe(
      'drifted: memory limit 96m, want 128m, cpus 1.5, want none, restart policy no, want unless-stopped',
    );
    expect((await audited()).sort()).toEqual([
      'modified: cpus 1.5, want none',
      'modified: memory limit 96m, want 128m',
      'modified: restart policy no, want unless-stopped',
    ]);
    await repaired();
    const host = await hostConfig();
    expect([host.Memory, host.NanoCpus, host.RestartPolicy?.Name]).toEqual([
      128 * 1024 * 1024,
      0,
      'unless-stopped',
    ]);
  });

  it('a disconnected network', async () => {
    await engine.docker.getNetwork(NETWORK).disconnect({ Container: WEB });
    expect(await planned()).toBe(`drifted: not on network ${NETWORK} (on none)`);
    await repaired();
    const networks = (await engine.docker.getContainer(WEB).inspect()).NetworkSettings.Networks;
    expect(Object.keys(networks)).toEqual([NETWORK]);
  });

  it('a renamed container', async () => {
    await engine.docker.getContainer(WEB).rename({ name: `${WEB}-lama` });
    expect(await planned()).toBe(`drifted: renamed to ${WEB}-lama (want ${WEB})`);
    await repaired();
    const names = (
      await engine.docker.listContainers({
        all: true,
        filters: { label: [`id.ksad.app=${APP}`, 'id.ksad.service=web'] },
      })
    ).map((c) => c.Names[0]);
    expect(names).toEqual([`/${WEB}`]);
  });

  it('a container recreated by hand with the labels copied: another image, environment, capability', async () => {
    const old = await engine.docker.getContainer(WEB).inspect();
    const other = (await engine.docker.getContainer(`ksad-${APP}-db`).inspect()).Config.Image;
    await engine.docker.getContainer(WEB).remove({ force: true });
    const env = (old.Config.Env ?? []).map((e) =>
      e.startsWith('REGION_NAME=') ? 'REGION_NAME=Kabupaten Lain' : e,
    );
    const made = await engine.docker.createContainer({
      name: WEB,
      Image: other,
      Labels: old.Config.Labels,
      Env: env,
      Entrypoint: old.Config.Entrypoint ?? undefined,
      HostConfig: { ...old.HostConfig, CapAdd: ['NET_ADMIN'] },
      NetworkingConfig: {
        EndpointsConfig: { [NETWORK]: { Aliases: ['web'] } },
      },
    });
    await made.start();
    const reason = await planned();
    expect(reason).toBe(
      `drifted: image ${other}, want ${old.Config.Image}, environment.REGION_NAME differs, capabilities added: NET_ADMIN (ksad adds none)`,
    );
    expect(reason).not.toContain('Kabupaten Lain');
    expect(await audited()).toContain('modified: capabilities added: NET_ADMIN (ksad adds none)');
    await repaired();
    const fixed = await engine.docker.getContainer(WEB).inspect();
    expect([fixed.Config.Image, fixed.HostConfig.CapAdd ?? []]).toEqual([old.Config.Image, []]);
  });
});
