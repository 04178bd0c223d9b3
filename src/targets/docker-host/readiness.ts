import { KsadError } from '../../core/errors.js';
import { Label } from '../../core/labels.js';
import { maskSecrets } from '../../core/secrets.js';
import type { DesiredService } from '../../core/service-specs.js';
import type { Clock } from '../../ports/clock.js';
import type { DockerEngine } from '../../ports/docker-engine.js';

// Inspecting a container costs a few milliseconds; a short poll keeps a deploy close to the engine's own pace.
const POLL_MS = 50;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the container is healthy (or running, without a healthcheck); fails with its logs. */
export async function waitReady(
  engine: DockerEngine,
  clock: Clock,
  id: string,
  service: DesiredService,
  timeoutMs: number,
  secretValues: readonly string[],
): Promise<void> {
  const deadline = clock.now().getTime() + timeoutMs;
  const fail = (why: string, healthLog?: readonly string[]): Promise<KsadError> =>
    serviceFailure(engine, id, service, why, secretValues, healthLog);
  for (;;) {
    const info = await engine.inspectContainer(id);
    if (!info) throw await fail('its container disappeared');
    if (info.state === 'exited' || info.state === 'dead')
      throw await fail(`it exited with code ${info.exitCode}`);
    if (info.state === 'running') {
      if (!service.healthcheck || info.health === 'healthy') return;
      if (info.health === 'unhealthy') throw await fail('its health check failed', info.healthLog);
    }
    if (clock.now().getTime() > deadline) {
      const what = service.healthcheck ? 'healthy' : 'running';
      throw await fail(`it did not become ${what} within ${Math.round(timeoutMs / 1000)} s`);
    }
    await sleep(POLL_MS);
  }
}

/** Waits until a restored container runs again, and is healthy when it has a health check. */
export async function waitRestored(
  engine: DockerEngine,
  clock: Clock,
  id: string,
  name: string,
  timeoutMs: number,
  what = 'the restored container',
): Promise<void> {
  const deadline = clock.now().getTime() + timeoutMs;
  for (;;) {
    const info = await engine.inspectContainer(id);
    if (info?.state === 'running' && (info.health === 'none' || info.health === 'healthy')) return;
    if (!info || info.state === 'exited' || info.state === 'dead' || info.health === 'unhealthy') {
      throw new KsadError('DEPLOY_FAILED', `${what} ${name} did not run again`);
    }
    if (clock.now().getTime() > deadline) {
      throw new KsadError(
        'DEPLOY_FAILED',
        `${what} ${name} was not ready within ${Math.round(timeoutMs / 1000)} s`,
      );
    }
    await sleep(POLL_MS);
  }
}

async function serviceFailure(
  engine: DockerEngine,
  id: string,
  service: DesiredService,
  why: string,
  secretValues: readonly string[],
  healthLog: readonly string[] = [],
): Promise<KsadError> {
  let logs = '';
  try {
    logs = await engine.containerLogs(id, 20);
  } catch {
    logs = '';
  }
  const prefixed = (text: string): string[] =>
    maskSecrets(text, [...secretValues])
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => `${service.service} | ${l}`);
  const lines = prefixed(logs);
  const probes = healthLog.flatMap(prefixed);
  return new KsadError('DEPLOY_FAILED', `service ${service.service} failed to start: ${why}`, {
    details: [
      ...(probes.length > 0 ? ['last health check output:', ...probes] : []),
      ...(lines.length > 0 ? ['last log lines:', ...lines] : ['the container wrote no logs']),
    ],
    suggestions: [
      'the previous state was restored; nothing else changed',
      `check the service's configuration: ksad render ${service.spec.labels[Label.app] ?? ''}`,
    ],
  });
}
