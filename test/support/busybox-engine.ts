/**
 * What the DockerEngine contract (real-engine project) and the DockerodeEngine integration tests
 * share: the engine on DOCKER_HOST, checked reachable, and a busybox image built with the docker
 * CLI (no Docker Hub here).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerodeEngine } from '../../src/adapters/dockerode-engine.js';

/**
 * The engine DOCKER_HOST names, once it answered. Never a skip: a test that needs an engine and
 * cannot reach one fails where CI can see it.
 */
export async function reachableEngine(): Promise<DockerodeEngine> {
  const engine = DockerodeEngine.fromEnvironment({ env: process.env });
  try {
    await engine.info();
  } catch (error) {
    engine.close();
    throw new Error(
      `these tests need a Docker engine at ${engine.endpoint} (set DOCKER_HOST): ${(error as Error).message}`,
      { cause: error },
    );
  }
  return engine;
}

/** Builds `tag` from the machine's /bin/busybox with the docker CLI, and pushes it when asked. */
export function buildBusyboxImage(tag: string, options: { push?: boolean } = {}): void {
  const context = mkdtempSync(join(tmpdir(), 'ksad-busybox-image-'));
  try {
    copyFileSync('/bin/busybox', join(context, 'busybox'));
    writeFileSync(
      join(context, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n',
    );
    execFileSync('docker', ['build', '-q', '-t', tag, context], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (options.push)
      execFileSync('docker', ['push', tag], { stdio: ['ignore', 'ignore', 'pipe'] });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}
