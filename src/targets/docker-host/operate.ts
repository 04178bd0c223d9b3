/**
 * Operating a running release on a Docker host: its services' logs, a command in one of them,
 * stopping and starting them. Each service is the container `ksad-<app>-<service>` (a parked
 * `-rN-old` one is a deploy's, not the service's).
 */
import { KsadError } from '../../core/errors.js';
import type { ContainerInfo } from '../../core/engine-model.js';
import { Label, PARKED_SUFFIX } from '../../core/labels.js';
import type { Clock } from '../../ports/clock.js';
import type { LogOptions, LogSink, ServiceSelection } from '../../ports/deploy-target.js';
import type { DockerEngine, ExecIO } from '../../ports/docker-engine.js';
import type { Progress } from '../../ports/progress.js';
import { waitRestored } from './readiness.js';

/** The grace period a stop gives a service before the engine kills it (as `remove` gives). */
const STOP_GRACE_SEC = 10;

/** The app's service containers, by service; NOT_FOUND naming what exists for an unknown one. */
async function serviceContainers(
  engine: DockerEngine,
  app: string,
  services: readonly string[] | undefined,
): Promise<Map<string, ContainerInfo>> {
  const all = await engine.listContainers({
    [Label.managed]: 'true',
    [Label.app]: app,
    [Label.kind]: 'container',
  });
  const byService = new Map<string, ContainerInfo>();
  for (const c of all) {
    if (PARKED_SUFFIX.test(c.name)) continue;
    byService.set(c.labels[Label.service] ?? '', c);
  }
  if (byService.size === 0) {
    throw new KsadError('NOT_FOUND', `${app} has no containers on this host`, {
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
  return new Map(services.map((s) => [s, byService.get(s) as ContainerInfo]));
}

export async function serviceLogs(
  engine: DockerEngine,
  app: string,
  services: readonly string[] | undefined,
  opts: LogOptions,
  sink: LogSink,
): Promise<void> {
  const containers = await serviceContainers(engine, app, services);
  await Promise.all(
    [...containers].map(([service, c]) =>
      engine.streamLogs(c.id, opts, (stream, data) => sink(service, stream, data)),
    ),
  );
}

export async function serviceExec(
  engine: DockerEngine,
  app: string,
  service: string,
  cmd: readonly string[],
  io: ExecIO,
): Promise<number> {
  const c = (await serviceContainers(engine, app, [service])).get(service) as ContainerInfo;
  if (c.state !== 'running') {
    throw new KsadError('USAGE', `service ${service} of ${app} is not running (${c.state})`, {
      suggestions: [`start it first: ksad start ${app} ${service}`],
    });
  }
  return engine.exec(c.id, cmd, io);
}

/** The selected services level by level, in start order. */
function ordered(selection: ServiceSelection, present: Map<string, ContainerInfo>): string[][] {
  const wanted = new Set(selection.services ?? present.keys());
  const inLevels = new Set(selection.levels.flat());
  const levels = selection.levels.map((l) => l.filter((s) => wanted.has(s) && present.has(s)));
  // A container whose service the record's levels do not name still belongs to the app.
  const rest = [...wanted].filter((s) => !inLevels.has(s) && present.has(s));
  return [...levels, rest].filter((l) => l.length > 0);
}

export async function stopServices(
  engine: DockerEngine,
  app: string,
  selection: ServiceSelection,
  progress: Progress,
): Promise<string[]> {
  const present = await serviceContainers(engine, app, selection.services);
  const stopped: string[] = [];
  for (const level of ordered(selection, present).reverse()) {
    const running = level.filter((s) => present.get(s)?.state !== 'exited');
    if (running.length === 0) continue;
    await progress.step(`Stop ${running.join(', ')}`, () =>
      Promise.all(
        running.map((s) =>
          engine.stopContainer((present.get(s) as ContainerInfo).id, STOP_GRACE_SEC),
        ),
      ),
    );
    stopped.push(...running);
  }
  return stopped.sort();
}

export async function startServices(
  engine: DockerEngine,
  clock: Clock,
  app: string,
  selection: ServiceSelection & { healthTimeoutMs: number },
  progress: Progress,
): Promise<string[]> {
  const present = await serviceContainers(engine, app, selection.services);
  const started: string[] = [];
  for (const all of ordered(selection, present)) {
    const level = all.filter((s) => present.get(s)?.state !== 'running');
    if (level.length === 0) continue;
    await progress.step(`Start ${level.join(', ')}`, () =>
      Promise.all(
        level.map(async (s) => {
          const c = present.get(s) as ContainerInfo;
          await engine.startContainer(c.id);
          await waitRestored(
            engine,
            clock,
            c.id,
            c.name,
            selection.healthTimeoutMs,
            'the container',
          );
        }),
      ),
    );
    started.push(...level);
  }
  return started.sort();
}
