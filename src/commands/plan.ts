import { refusePortConflicts } from '../app/port-conflicts.js';
import { prepareDeploy } from '../app/prepare.js';
import { ExitCode } from '../core/errors.js';
import type { Route } from '../core/ingress.js';
import type { Plan } from '../core/plan.js';
import { KsadCommand } from '../ui/base-command.js';
import { appRefArg, configFlags, deployRequest } from '../ui/deploy-flags.js';
import { deployContext } from '../ui/engine-context.js';
import { planText } from '../ui/release-text.js';

export interface PlanResult {
  app: string;
  version: string;
  currentVersion: string | null;
  mou: unknown;
  plan: Plan;
  /** What the target warns about (on a swarm: data volumes that do not follow a task). */
  warnings: string[];
  /** The app's route through the host ingress; null when it has none. */
  route: Route | null;
}

export default class PlanCommand extends KsadCommand {
  static override summary = 'Show what a deploy would create, recreate, keep or remove, and why.';
  static override description = `Reads only; nothing changes. Exits ${ExitCode.CHANGES_PENDING} when changes are pending and 0 when the host already matches.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> antrean-daring@2 -f examples/sumbawa-antrean.yaml',
  ];
  static override args = { app: appRefArg };
  static override flags = configFlags;

  async run(): Promise<PlanResult> {
    const { args, flags } = await this.parse(PlanCommand);
    const ctx = await deployContext({ ...flags, json: this.jsonEnabled() });
    try {
      const p = await prepareDeploy(ctx, deployRequest(args.app, flags));
      // A plan whose ports are taken would fail half-way; it is refused as the deploy refuses it.
      refusePortConflicts(p.loaded.manifest.name, p.portConflicts);
      const result: PlanResult = {
        app: p.loaded.manifest.name,
        version: p.loaded.manifest.version,
        currentVersion: p.current?.version ?? null,
        mou: p.grant,
        plan: p.plan,
        warnings: p.warnings,
        route: p.desired.route ?? null,
      };
      this.log(
        planText(result.app, result.version, result.currentVersion, p.plan, p.desired.route),
      );
      for (const w of p.warnings) this.warn(w);
      if (p.plan.changes) process.exitCode = ExitCode.CHANGES_PENDING;
      return result;
    } finally {
      ctx.close();
    }
  }
}
