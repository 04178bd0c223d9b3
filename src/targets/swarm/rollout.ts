/**
 * Following a swarm service until its tasks run: after a create, the tasks themselves; after an
 * update, the service's `UpdateStatus` (the engine's rolling update, health-gated and rolled back
 * by the engine on a failure), with progress per task. A failure names the service, the task's
 * error and its last log lines.
 */
import { KsadError } from '../../core/errors.js';
import { maskSecrets } from '../../core/secrets.js';
import type { Clock } from '../../ports/clock.js';
import type { DockerEngine } from '../../ports/docker-engine.js';
import type { SwarmEngine, SwarmServiceInfo, SwarmTask } from '../../ports/swarm-engine.js';

export interface RolloutEnv {
  engine: DockerEngine;
  swarm: SwarmEngine;
  clock: Clock;
  pollMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Task states that end a task without it running. */
const FAILED = new Set(['failed', 'rejected', 'orphaned']);

/** `2/2 running`, then what each task that is not running does. */
export function taskSummary(tasks: readonly SwarmTask[], replicas: number): string {
  const live = tasks.filter((t) => t.desiredState === 'running');
  const running = live.filter((t) => t.state === 'running').length;
  const others = live
    .filter((t) => t.state !== 'running')
    .map((t) => `task ${t.slot}: ${t.state}${t.error ? ` (${t.error})` : ''}`);
  return [`${running}/${replicas} running`, ...others].join(', ');
}

/** Running tasks of the service's current spec, counted against its replicas. */
function allRunning(tasks: readonly SwarmTask[], replicas: number): boolean {
  return (
    tasks.filter((t) => t.desiredState === 'running' && t.state === 'running').length >= replicas
  );
}

/**
 * Waits for a new service's tasks to run (healthy, with a health check: Swarm holds them in
 * `starting` until then); tasks whose ids are in `earlier` (a scaled-up service's past) are not
 * looked at.
 */
export async function waitCreated(
  env: RolloutEnv,
  service: { id: string; name: string; replicas: number },
  timeoutMs: number,
  secretValues: readonly string[],
  detail: (text: string) => void,
  earlier: ReadonlySet<string> = new Set(),
): Promise<void> {
  const deadline = env.clock.now().getTime() + timeoutMs;
  for (;;) {
    const tasks = (await env.swarm.listTasks(service.id)).filter((t) => !earlier.has(t.id));
    detail(`${service.name}: ${taskSummary(tasks, service.replicas)}`);
    const failed = tasks.find((t) => FAILED.has(t.state));
    if (failed)
      throw await taskFailure(
        env,
        service.name,
        service.id,
        failed,
        'failed to start',
        secretValues,
      );
    if (allRunning(tasks, service.replicas)) return;
    if (env.clock.now().getTime() > deadline) {
      throw await taskFailure(
        env,
        service.name,
        service.id,
        tasks[0],
        `did not run within ${Math.round(timeoutMs / 1000)} s`,
        secretValues,
      );
    }
    await sleep(env.pollMs);
  }
}

/**
 * Follows the update ksad just asked for (the one whose UpdateStatus did not start at
 * `previousStart`) until it completes with every task running, or fails: the engine rolled it back
 * (or paused it), or it outlasted `timeoutMs`.
 */
export async function followUpdate(
  env: RolloutEnv,
  service: { id: string; name: string; replicas: number; env: Readonly<Record<string, string>> },
  previousStart: string | null,
  timeoutMs: number,
  secretValues: readonly string[],
  detail: (text: string) => void,
): Promise<void> {
  const deadline = env.clock.now().getTime() + timeoutMs;
  // The tasks of the spec asked for: a failed one explains the failure.
  const isNew = (t: SwarmTask): boolean =>
    Object.entries(service.env).every(([k, v]) => t.env[k] === v);
  for (;;) {
    const [info, tasks] = await Promise.all([
      env.swarm.inspectService(service.id),
      env.swarm.listTasks(service.id),
    ]);
    if (!info)
      throw new KsadError('DEPLOY_FAILED', `service ${service.name} disappeared during its update`);
    const status = ours(info, previousStart);
    detail(
      `${service.name}: ${status?.state.replace('_', ' ') ?? 'update requested'}, ${taskSummary(tasks, service.replicas)}`,
    );
    if (status?.state === 'completed' && allRunning(tasks, service.replicas)) return;
    if (status && status.state !== 'updating' && status.state !== 'completed') {
      // The newest task of the new spec that ran and ended: its container tells why.
      const failed =
        tasks.find((t) => isNew(t) && t.state !== 'running' && t.containerId !== '') ??
        tasks.find((t) => t.error !== '');
      const what = status.state.startsWith('rollback')
        ? 'the engine rolled it back'
        : 'the engine paused it';
      throw await taskFailure(
        env,
        service.name,
        service.id,
        failed,
        `failed to update (${what}: ${status.message})`,
        secretValues,
      );
    }
    if (env.clock.now().getTime() > deadline) {
      const stuck = tasks.find((t) => isNew(t) && t.state !== 'running');
      throw await taskFailure(
        env,
        service.name,
        service.id,
        stuck,
        `did not finish updating within ${Math.round(timeoutMs / 1000)} s`,
        secretValues,
      );
    }
    await sleep(env.pollMs);
  }
}

/** The service's UpdateStatus if it belongs to the update after `previousStart`. */
function ours(
  info: SwarmServiceInfo,
  previousStart: string | null,
): SwarmServiceInfo['updateStatus'] {
  const status = info.updateStatus;
  return status && status.startedAt !== previousStart ? status : null;
}

/** True while the engine is still rolling a service (forward or back). */
export function rolling(info: SwarmServiceInfo): boolean {
  return info.updateStatus?.state === 'updating' || info.updateStatus?.state === 'rollback_started';
}

/** Waits until the engine stops rolling the service (the rollback it started on a failure included). */
export async function waitSettled(
  env: RolloutEnv,
  id: string,
  timeoutMs: number,
): Promise<SwarmServiceInfo | null> {
  const deadline = env.clock.now().getTime() + timeoutMs;
  for (;;) {
    const info = await env.swarm.inspectService(id);
    if (!info || !rolling(info) || env.clock.now().getTime() > deadline) return info;
    await sleep(env.pollMs);
  }
}

async function taskFailure(
  env: RolloutEnv,
  name: string,
  serviceId: string,
  task: SwarmTask | undefined,
  why: string,
  secretValues: readonly string[],
): Promise<KsadError> {
  const mask = (text: string): string => maskSecrets(text, [...secretValues]);
  const prefixed = (text: string): string[] =>
    mask(text)
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-20)
      .map((l) => `${name} | ${l}`);
  const container = task?.containerId
    ? await env.engine.inspectContainer(task.containerId).catch(() => null)
    : null;
  const lines = prefixed(await lastLogs(env, serviceId, task));
  const probes = (container?.healthLog ?? []).flatMap(prefixed);
  const taskWhy = task
    ? `; task ${task.id.slice(0, 12)} ${task.state}${task.error ? `: ${mask(task.error)}` : ''}${container?.health === 'unhealthy' ? ', its health check failed' : ''}`
    : '';
  return new KsadError('DEPLOY_FAILED', `service ${name} ${why}${taskWhy}`, {
    details: [
      ...(probes.length > 0 ? ['last health check output:', ...probes] : []),
      ...(lines.length > 0 ? ['last log lines:', ...lines] : ['the task wrote no logs']),
    ],
    suggestions: [`see every task of it: docker service ps --no-trunc ${name}`],
  });
}

/** The task's own container logs where this engine runs it, else the service's. */
async function lastLogs(
  env: RolloutEnv,
  serviceId: string,
  task: SwarmTask | undefined,
): Promise<string> {
  if (task?.containerId) {
    const own = await env.engine.containerLogs(task.containerId, 20).catch(() => null);
    if (own !== null) return own;
  }
  return env.swarm.serviceLogs(serviceId, 20).catch(() => '');
}
