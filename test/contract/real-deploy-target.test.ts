import { execFileSync } from 'node:child_process';
import { fakeDigest } from '../support/catalog-fixture.js';
import { buildBusyboxImage, reachableEngine } from '../support/busybox-engine.js';
import { dockerHost } from '../support/host.js';
import { deployTargetContract } from './deploy-target.contract.js';

const registry = process.env.KSAD_REGISTRY || '127.0.0.1:5151';
const repo = `${registry}/ksad-test/busybox`;

deployTargetContract('DockerHostTarget on DOCKER_HOST', async () => {
  const engine = await reachableEngine();
  buildBusyboxImage(`${repo}:target-contract`, { push: true });
  const digests = execFileSync(
    'docker',
    ['image', 'inspect', '--format', '{{json .RepoDigests}}', `${repo}:target-contract`],
    { encoding: 'utf8' },
  );
  const image = (JSON.parse(digests) as string[]).find((d) => d.startsWith(`${repo}@`));
  if (!image) throw new Error(`the registry gave ${repo}:target-contract no digest`);
  return {
    target: dockerHost(engine).target,
    engine,
    image,
    missingImage: `${repo}@${fakeDigest('missing')}`,
    cleanup: () => Promise.resolve(engine.close()),
  };
});
