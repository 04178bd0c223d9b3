/**
 * Operating a running release on a swarm: who holds the host ports it wants, its services' logs,
 * a command in one of them, stopping and starting them. Each service is the swarm service
 * `<app>_<service>`; stopping one scales it to no task, keeping the replica count it had in a label
 * of the service, which starting it scales it back to.
 */
import { KsadError } from '../../core/errors.js';
import type { ContainerInfo, PublishedPort } from '../../core/engine-model.js';
import { bindingsClash } from '../../core/host-ports.js';
import { Label } from '../../core/labels.js';
import type {
  LogOptions,
  LogSink,
  PortHolder,
  PortHolding,
  ServiceSelection,
} from '../../ports/deploy-target.js';
import type { ExecIO } from '../../ports/docker-engine.js';
import type { Progress } from '../../ports/progress.js';
import type { SwarmServiceInfo, SwarmTask } from '../../ports/swarm-engine.js';
import { waitCreated, type RolloutEnv } from './rollout.js';
import { STOPPED_REPLICAS_LABEL } from './service-spec.js';

/** The label the engine puts on each task's container. */
const TASK_LABEL = 'com.docker.swarm.task.id';

/** States in which a container holds its published ports. */
const HOLDING = new Set(['running', 'restarting', 'paused']);

/** Task states before a task ends: it may still hold its container. */
const LIVE = new Set([
  'new',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'ready',
  'starting',
  'running',
]);

/** How long a stopped service's tasks get to end, beyond the grace period of their service. */
const STOP_SLACK_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** True when the service runs no task by ksad's stop (or by hand). */
const stopped = (s: SwarmServiceInfo): boolean => s.replicas === 0;

/** The replica count a stopped service had; an unrecorded one runs one task (as a deploy's default). */
export function recordedReplicas(s: SwarmServiceInfo): number {
  const n = Number(s.labels[STOPPED_REPLICAS_LABEL]);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

function ksadService(s: SwarmServiceInfo): boolean {
  return s.labels[Label.managed] === 'true' && s.labels[Label.kind] === 'container';
}

function serviceHolder(
  app: string,
  port: PublishedPort,
  services: readonly SwarmServiceInfo[],
): PortHolder | 'own' | undefined {
  const clashing = services.filter((s) =>
    [...s.container.ports, ...s.published].some((p) => bindingsClash(p, port)),
  );
  if (clashing.some((s) => ksadService(s) && s.labels[Label.app] === app)) return 'own';
  const release = clashing.find((s) => ksadService(s));
  if (release)
    return { kind: 'release', app: release.labels[Label.app] ?? '', container: release.name };
  const other = clashing[0];
  return other ? { kind: 'container', container: other.name } : undefined;
}

/**
 * Who among the swarm's services and this node's other containers holds each of `ports`: a
 * service of another release whatever its replica count (a start takes the port back), another
 * service, or a running container that is no task of a service (those count as their service).
 * `unheld`: the ports none of them holds (the app's own excluded), for a probe of the host.
 */
export function portHoldings(
  app: string,
  ports: readonly PublishedPort[],
  services: readonly SwarmServiceInfo[],
  containers: readonly ContainerInfo[],
): { held: PortHolding[]; unheld: PublishedPort[] } {
  const plain = containers.filter(
    (c) => c.labels[TASK_LABEL] === undefined && HOLDING.has(c.state),
  );
  const held: PortHolding[] = [];
  const unheld: PublishedPort[] = [];
  for (const port of ports) {
    const holder = serviceHolder(app, port, services);
    if (holder === 'own') continue;
    if (holder) {
      held.push({ port, holder });
      continue;
    }
    const c = plain.find((x) => x.ports.some((p) => bindingsClash(p, port)));
    if (!c) {
      unheld.push(port);
      continue;
    }
    const name = c.name.replace(/^\//, '');
    const release =
      c.labels[Label.managed] === 'true' &&
      c.labels[Label.kind] === 'container' &&
      c.labels[Label.app] !== undefined;
    held.push({
      port,
      holder: release
        ? { kind: 'release', app: c.labels[Label.app] ?? '', container: name }
        : { kind: 'container', container: name },
    });
  }
  return { held, unheld };
}

/** The app's services, by service; NOT_FOUND naming what exists for an unknown one. */
export async function appServices(
  env: RolloutEnv,
  app: string,
  services: readonly string[] | undefined,
): Promise<Map<string, SwarmServiceInfo>> {
  const all = await env.swarm.listServices({
    [Label.managed]: 'true',
    [Label.app]: app,
    [Label.kind]: 'container',
  });
  const byService = new Map(all.map((s) => [s.labels[Label.service] ?? '', s]));
  if (byService.size === 0) {
    throw new KsadError('NOT_FOUND', `${app} has no services on this swarm`, {
      suggestions: ['list what is deployed: ksad list', `deploy it: ksad deploy ${app}`],
    });
  }
  const unknown = (services ?? []).filter((s) => !byService.has(s));
  if (unknown.length > 0) {
    throw new KsadError('NOT_FOUND', `${app} has no service ${unknown.join(', ')}`, {
      suggestions: [`its services: ${[...byService.keys()].sort().join(', ')}`],
    });
  }
  if (services === undefined) return byService;
  return new Map(services.map((s) => [s, byService.get(s) as SwarmServiceInfo]));
}

export async function swarmLogs(
  env: RolloutEnv,
  app: string,
  services: readonly string[] | undefined,
  opts: LogOptions,
  sink: LogSink,
): Promise<void> {
  const found = await appServices(env, app, services);
  await Promise.all(
    [...found].map(([service, s]) =>
      env.swarm.streamServiceLogs(s.id, opts, (stream, data) => sink(service, stream, data)),
    ),
  );
}

/**
 * Runs `cmd` in the container of a running task of the service on this node (the engine ksad
 * talks to); a task that runs only on other nodes is reached through their engines.
 */
export async function swarmExec(
  env: RolloutEnv,
  app: string,
  service: string,
  cmd: readonly string[],
  io: ExecIO,
): Promise<number> {
  const s = (await appServices(env, app, [service])).get(service) as SwarmServiceInfo;
  const [tasks, membership] = await Promise.all([
    env.swarm.listTasks(s.id),
    env.swarm.membership(),
  ]);
  const running = tasks.filter(
    (t) => t.desiredState === 'running' && t.state === 'running' && t.containerId !== '',
  );
  const here = running.find((t) => t.nodeId === membership.nodeId);
  if (here) return env.engine.exec(here.containerId, cmd, io);
  if (running.length === 0) {
    const why = stopped(s) ? 'stopped' : (tasks[0]?.state ?? 'no task');
    throw new KsadError('USAGE', `service ${service} of ${app} is not running (${why})`, {
      suggestions: [`start it first: ksad start ${app} ${service}`],
    });
  }
  const nodes = await env.swarm.listNodes();
  const where = running.map(
    (t) => nodes.find((n) => n.id === t.nodeId)?.hostname ?? t.nodeId.slice(0, 12),
  );
  throw new KsadError(
    'USAGE',
    `service ${service} of ${app} runs on node ${[...new Set(where)].join(', ')}, not on the node ksad talks to`,
    {
      suggestions: [
        `run it there: docker -H <that node's engine> exec <container> ${cmd.join(' ')}`,
        `see its tasks: docker service ps ${s.name}`,
      ],
    },
  );
}

/** The selected services level by level, in start order. */
function ordered(selection: ServiceSelection, present: Map<string, SwarmServiceInfo>): string[][] {
  const wanted = new Set(selection.services ?? present.keys());
  const inLevels = new Set(selection.levels.flat());
  const levels = selection.levels.map((l) => l.filter((s) => wanted.has(s) && present.has(s)));
  // A service the record's levels do not name still belongs to the app.
  const rest = [...wanted].filter((s) => !inLevels.has(s) && present.has(s));
  return [...levels, rest].filter((l) => l.length > 0);
}

/** Waits until none of the service's tasks holds a container any more. */
async function waitStopped(env: RolloutEnv, s: SwarmServiceInfo): Promise<void> {
  const timeoutMs = s.container.stopTimeoutSec * 1000 + STOP_SLACK_MS;
  const deadline = env.clock.now().getTime() + timeoutMs;
  for (;;) {
    const tasks = await env.swarm.listTasks(s.id);
    const live = tasks.filter((t) => LIVE.has(t.state));
    if (live.length === 0) return;
    if (env.clock.now().getTime() > deadline) {
      throw new KsadError(
        'DEPLOY_FAILED',
        `service ${s.name} was scaled to 0 but ${live.length} task(s) still run after ${Math.round(timeoutMs / 1000)} s`,
        { suggestions: [`see its tasks: docker service ps --no-trunc ${s.name}`] },
      );
    }
    await sleep(env.pollMs);
  }
}

export async function stopSwarmServices(
  env: RolloutEnv,
  app: string,
  selection: ServiceSelection,
  progress: Progress,
): Promise<string[]> {
  const present = await appServices(env, app, selection.services);
  const done: string[] = [];
  for (const level of ordered(selection, present).reverse()) {
    const running = level.filter((s) => !stopped(present.get(s) as SwarmServiceInfo));
    if (running.length === 0) continue;
    await progress.step(`Stop ${running.join(', ')}`, () =>
      Promise.all(
        running.map(async (name) => {
          const s = present.get(name) as SwarmServiceInfo;
          await env.swarm.scaleService(s.id, s.version, 0, {
            [STOPPED_REPLICAS_LABEL]: String(s.replicas),
          });
          await waitStopped(env, s);
        }),
      ),
    );
    done.push(...running);
  }
  return done.sort();
}

export async function startSwarmServices(
  env: RolloutEnv,
  app: string,
  selection: ServiceSelection & { healthTimeoutMs: number },
  progress: Progress,
): Promise<string[]> {
  const present = await appServices(env, app, selection.services);
  const done: string[] = [];
  for (const all of ordered(selection, present)) {
    const level = all.filter((s) => stopped(present.get(s) as SwarmServiceInfo));
    if (level.length === 0) continue;
    await progress.step(`Start ${level.join(', ')}`, (detail) =>
      Promise.all(
        level.map(async (name) => {
          const s = present.get(name) as SwarmServiceInfo;
          const replicas = recordedReplicas(s);
          // Tasks of earlier runs (a failed update's among them) say nothing of this start.
          const before = new Set((await env.swarm.listTasks(s.id)).map((t: SwarmTask) => t.id));
          await env.swarm.scaleService(s.id, s.version, replicas, {
            [STOPPED_REPLICAS_LABEL]: null,
          });
          // The engine starts every task at once: each has the health timeout.
          const target = { id: s.id, name: s.name, replicas };
          await waitCreated(env, target, selection.healthTimeoutMs, [], detail, before);
        }),
      ),
    );
    done.push(...level);
  }
  return done.sort();
}
