import { prepareDeploy } from '../app/prepare.js';
import type { Route } from '../core/ingress.js';
import { renderDesiredState, type DesiredState } from '../core/service-specs.js';
import { KsadCommand } from '../ui/base-command.js';
import { appRefArg, configFlags, deployRequest } from '../ui/deploy-flags.js';
import { deployContext } from '../ui/engine-context.js';

export interface RenderResult {
  app: string;
  version: string;
  region: { code: string; name: string };
  mou: unknown;
  config: Record<string, string | number | boolean>;
  secrets: string[];
  state: DesiredState;
  /** The app's route through the host ingress; null when it has none. */
  route: Route | null;
}

export default class Render extends KsadCommand {
  static override summary =
    'Print the fully resolved configuration and container specs, secrets masked.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> antrean-daring -f examples/sumbawa-antrean.yaml --json',
  ];
  static override args = { app: appRefArg };
  static override flags = configFlags;

  async run(): Promise<RenderResult> {
    const { args, flags } = await this.parse(Render);
    const ctx = await deployContext({ ...flags, json: this.jsonEnabled() });
    try {
      const p = await prepareDeploy(ctx, deployRequest(args.app, flags));
      const result: RenderResult = {
        app: p.loaded.manifest.name,
        version: p.loaded.manifest.version,
        region: p.profile.region,
        mou: p.grant,
        config: p.config,
        secrets: Object.keys(p.secrets.values).sort(),
        state: renderDesiredState(p.desired, p.secrets.values),
        route: p.desired.route ?? null,
      };
      this.log(JSON.stringify(result, null, 2));
      return result;
    } finally {
      ctx.close();
    }
  }
}
