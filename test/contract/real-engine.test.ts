import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerodeEngine } from '../../src/adapters/dockerode-engine.js';
import { dockerEngineContract } from './docker-engine.contract.js';

const registry = process.env.KSAD_REGISTRY || '127.0.0.1:5151';
const image = `${registry}/ksad-test/busybox:contract`;

/** Builds the busybox test image with the docker CLI (no Docker Hub here) and pushes it to the loopback registry. */
function buildAndPushTestImage(): void {
  const context = mkdtempSync(join(tmpdir(), 'ksad-contract-image-'));
  try {
    copyFileSync('/bin/busybox', join(context, 'busybox'));
    writeFileSync(
      join(context, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n',
    );
    execFileSync('docker', ['build', '-q', '-t', image, context], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    execFileSync('docker', ['push', image], { stdio: ['ignore', 'ignore', 'pipe'] });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

dockerEngineContract('DockerodeEngine on DOCKER_HOST', async () => {
  const engine = DockerodeEngine.fromEnvironment({ env: process.env });
  try {
    await engine.info();
  } catch (error) {
    engine.close();
    // Never a skip: an engine test that cannot reach an engine must fail where CI can see it.
    throw new Error(
      `The real-engine contract needs a Docker engine at ${engine.endpoint} (set DOCKER_HOST): ${(error as Error).message}`,
      { cause: error },
    );
  }
  buildAndPushTestImage();
  return { engine, image, cleanup: () => Promise.resolve(engine.close()) };
});
