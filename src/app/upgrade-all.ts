import { KsadError } from '../core/errors.js';
import { deployApp, type DeployRunContext } from './deploy.js';
import { outdatedApps } from './outdated.js';
import { prepareDeploy, type DeployRequest } from './prepare.js';
import { refusePortConflicts } from './port-conflicts.js';

/** One app of a bulk upgrade, from its running version to the newest one its MoU grants. */
export interface UpgradeStep {
  app: string;
  publisher: string;
  from: string;
  to: string;
  step: string | null;
  /** planned (`--dry-run`, or not reached yet), upgraded, failed (rolled back), skipped (after a failure). */
  status: 'planned' | 'upgraded' | 'failed' | 'skipped';
  /** What the upgrade does to each service. */
  services: Array<{ service: string; action: string; reason: string }>;
  revision: number | null;
}

export interface UpgradeAllReport {
  dryRun: boolean;
  checkedOn: string;
  apps: UpgradeStep[];
}

export interface UpgradeAllOptions {
  dryRun: boolean;
  healthTimeoutMs: number;
  command: string;
  /** Secrets a new version needs that the host does not hold yet. */
  suppliedSecrets: Record<string, string>;
}

/**
 * Upgrades every app on the host to the newest version its MoU still grants, one at a time, each
 * as `ksad deploy APP@VERSION` would (its values reused, health-gated, rolled back on failure).
 * Every upgrade is planned first: a plan that cannot be made (a new required value, a taken port)
 * stops the run before anything changes. The first failed upgrade stops the run; the apps after it
 * are left as they are.
 */
export async function upgradeAll(
  ctx: DeployRunContext,
  opts: UpgradeAllOptions,
): Promise<UpgradeAllReport> {
  const outdated = await outdatedApps(ctx);
  const due = outdated.apps.filter((a) => a.latest !== null);
  const requests = new Map<string, DeployRequest>();
  const steps: UpgradeStep[] = [];
  await ctx.progress.step(`Plan ${due.length} upgrade(s)`, async () => {
    for (const a of due) {
      const req: DeployRequest = {
        ref: `${a.publisher}/${a.app}@${a.latest ?? ''}`,
        overlays: [],
        sets: [],
        suppliedSecrets: opts.suppliedSecrets,
      };
      const p = await prepareDeploy(ctx, req).catch((error: unknown) => {
        throw planFailure(a.app, a.latest ?? '', error);
      });
      refusePortConflictsFor(a.app, a.latest ?? '', p.portConflicts);
      requests.set(a.app, req);
      steps.push({
        app: a.app,
        publisher: a.publisher,
        from: a.current,
        to: a.latest ?? '',
        step: a.step,
        status: 'planned',
        services: p.plan.services.map((s) => ({
          service: s.service,
          action: s.action,
          reason: s.reason,
        })),
        revision: null,
      });
    }
  });
  const report = { dryRun: opts.dryRun, checkedOn: outdated.checkedOn, apps: steps };
  if (opts.dryRun) return report;
  for (const [i, s] of steps.entries()) {
    try {
      const result = await deployApp(ctx, requests.get(s.app) as DeployRequest, {
        healthTimeoutMs: opts.healthTimeoutMs,
        command: opts.command,
      });
      s.status = 'upgraded';
      s.revision = result.revision;
    } catch (error) {
      s.status = 'failed';
      for (const later of steps.slice(i + 1)) later.status = 'skipped';
      throw runFailure(report, s, error);
    }
  }
  return report;
}

function refusePortConflictsFor(
  app: string,
  version: string,
  conflicts: Parameters<typeof refusePortConflicts>[1],
): void {
  try {
    refusePortConflicts(app, conflicts);
  } catch (error) {
    throw planFailure(app, version, error);
  }
}

function planFailure(app: string, version: string, error: unknown): unknown {
  if (!(error instanceof KsadError)) return error;
  return new KsadError(
    error.code,
    `upgrade --all stopped before changing anything: the upgrade of ${app} to ${version} cannot be planned: ${error.message}`,
    { details: error.details, suggestions: error.suggestions, cause: error },
  );
}

function runFailure(report: UpgradeAllReport, failed: UpgradeStep, error: unknown): unknown {
  if (!(error instanceof KsadError)) return error;
  const lines = report.apps.map(
    (s) =>
      `${s.app} ${s.from} → ${s.to}: ${s.status}${s.revision !== null ? ` (revision ${s.revision})` : ''}`,
  );
  return new KsadError(error.code, `upgrade --all stopped at ${failed.app}: ${error.message}`, {
    details: [...lines, ...error.details],
    suggestions: [
      ...error.suggestions,
      'the apps upgraded before it keep their new version; those after it were not touched',
    ],
    cause: error,
    ...(error.reason ? { reason: error.reason } : {}),
  });
}
