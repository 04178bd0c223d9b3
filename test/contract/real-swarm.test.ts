import { execFileSync } from 'node:child_process';
import { RegistryImageSource } from '../../src/targets/images/registry-source.js';
import { SwarmReleaseStore } from '../../src/targets/swarm/release-store.js';
import { SwarmTarget } from '../../src/targets/swarm/target.js';
import { Label } from '../../src/core/labels.js';
import { buildBusyboxImage } from '../support/busybox-engine.js';
import { fakeDigest } from '../support/catalog-fixture.js';
import { reachableSwarm, removeSwarmApp } from '../support/swarm.js';
import { deployTargetContract } from './deploy-target.contract.js';
import { releaseStoreContract } from './release-store.contract.js';

const registry = process.env.KSAD_REGISTRY || '127.0.0.1:5151';
const repo = `${registry}/ksad-test/busybox`;

releaseStoreContract('SwarmReleaseStore on the swarm at DOCKER_HOST', async () => {
  const { engine, swarm } = await reachableSwarm();
  const store = new SwarmReleaseStore(swarm);
  const before = await store.profile();
  return {
    store,
    cleanup: async () => {
      // The swarm's profile is shared: put back what was there, or leave none.
      if (before) await store.saveProfile(before);
      else {
        const profiles = await swarm.listConfigs({ [Label.managed]: 'true', [Label.kind]: 'host' });
        for (const c of profiles) await swarm.removeConfig(c.name);
      }
      engine.close();
    },
  };
});

deployTargetContract('SwarmTarget on the swarm at DOCKER_HOST', async () => {
  const { engine, swarm } = await reachableSwarm();
  buildBusyboxImage(`${repo}:target-contract`, { push: true });
  const digests = execFileSync(
    'docker',
    ['image', 'inspect', '--format', '{{json .RepoDigests}}', `${repo}:target-contract`],
    { encoding: 'utf8' },
  );
  const image = (JSON.parse(digests) as string[]).find((d) => d.startsWith(`${repo}@`));
  if (!image) throw new Error(`the registry gave ${repo}:target-contract no digest`);
  const clock = { now: () => new Date() };
  return {
    target: new SwarmTarget(engine, swarm, new RegistryImageSource(engine), clock, {
      monitorMs: 1_000,
      pollMs: 100,
    }),
    engine,
    image,
    missingImage: `${repo}@${fakeDigest('missing')}`,
    removeApp: (app) => removeSwarmApp(engine, swarm, app),
    cleanup: () => Promise.resolve(engine.close()),
  };
});
