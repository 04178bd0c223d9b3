import { KsadError } from '../core/errors.js';
import type { ReleaseRecord } from '../core/release.js';
import type { Clock } from '../ports/clock.js';
import type { DeployTarget, LogOptions, LogSink } from '../ports/deploy-target.js';
import type { ExecIO } from '../ports/docker-engine.js';
import type { Operator, ProcessProbe } from '../ports/identity.js';
import type { Progress } from '../ports/progress.js';
import type { ReleaseStore } from '../ports/release-store.js';
import { lockRequest, withLock } from './lock.js';

/** What operating a running release needs: its host, and who acts. */
export interface OperateContext {
  store: ReleaseStore;
  target: DeployTarget;
  clock: Clock;
  operator: Operator;
  probe: ProcessProbe;
  progress: Progress;
}

export type ServiceAction = 'stop' | 'start' | 'restart';

export interface ServiceActionResult {
  app: string;
  action: ServiceAction;
  revision: number;
  /** The services acted on (already stopped or running ones are left as they are). */
  services: string[];
  /** Services recorded as stopped by an operator after the action. */
  stoppedByOperator: string[];
}

async function running(store: ReleaseStore, app: string): Promise<ReleaseRecord> {
  const records = await store.releases(app);
  const current = [...records].reverse().find((r) => r.status === 'deployed');
  if (current) return current;
  throw new KsadError('NOT_FOUND', `${app} is not deployed on this host`, {
    suggestions: ['list what is deployed: ksad list'],
  });
}

/** The output of `app`'s services (or one), as `docker logs` gives it, through the deploy target. */
export async function appLogs(
  ctx: Pick<OperateContext, 'store' | 'target'>,
  app: string,
  service: string | undefined,
  opts: LogOptions,
  sink: LogSink,
): Promise<void> {
  await running(ctx.store, app);
  await ctx.target.logs(app, service === undefined ? undefined : [service], opts, sink);
}

/** Runs `cmd` in a running service of `app`; returns its exit code. */
export async function appExec(
  ctx: Pick<OperateContext, 'store' | 'target'>,
  app: string,
  service: string,
  cmd: readonly string[],
  io: ExecIO,
): Promise<number> {
  await running(ctx.store, app);
  return ctx.target.exec(app, service, cmd, io);
}

/**
 * Stops, starts or restarts `app`'s services (or one) under the app's lock, and records on the
 * running revision which services an operator stopped, so audit tells a stop by ksad from one
 * made outside it. A start waits until each service is ready, level by level along dependsOn.
 */
export async function serviceAction(
  ctx: OperateContext,
  app: string,
  action: ServiceAction,
  opts: { service?: string; healthTimeoutMs: number; command: string },
): Promise<ServiceActionResult> {
  await running(ctx.store, app);
  return withLock(ctx.store, app, lockRequest(ctx, opts.command), async () => {
    const current = await running(ctx.store, app);
    const selection = {
      levels: current.levels,
      ...(opts.service === undefined ? {} : { services: [opts.service] }),
    };
    const start = { ...selection, healthTimeoutMs: opts.healthTimeoutMs };
    let services: string[];
    if (action === 'stop') services = await ctx.target.stop(app, selection, ctx.progress);
    else if (action === 'start') services = await ctx.target.start(app, start, ctx.progress);
    else {
      await ctx.target.stop(app, selection, ctx.progress);
      services = await ctx.target.start(app, start, ctx.progress);
    }
    const touched = opts.service === undefined ? Object.keys(current.services) : [opts.service];
    const stopped = { ...(current.stopped ?? {}) };
    const who = {
      by: `${ctx.operator.user}@${ctx.operator.hostname}`,
      at: ctx.clock.now().toISOString(),
    };
    for (const s of touched) {
      if (action === 'stop') stopped[s] = who;
      else delete stopped[s];
    }
    const record: ReleaseRecord = { ...current };
    if (Object.keys(stopped).length > 0) record.stopped = stopped;
    else delete record.stopped;
    await ctx.store.saveRelease(record);
    return {
      app,
      action,
      revision: current.revision,
      services,
      stoppedByOperator: Object.keys(stopped).sort(),
    };
  });
}
