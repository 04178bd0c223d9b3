import { Flags } from '@oclif/core';
import { deployApp, type DeployResult } from '../app/deploy.js';
import { KsadCommand } from '../ui/base-command.js';
import { appRefArg, configFlags, deployRequest } from '../ui/deploy-flags.js';
import { deployContext } from '../ui/engine-context.js';
import { deployText } from '../ui/release-text.js';

export default class Deploy extends KsadCommand {
  static override summary = 'Install or upgrade an app on the Docker host.';
  static override description =
    "Resolves APP[@RANGE] in the catalog, checks that an active MoU grants it to the host's region, layers the overlays, and applies only what changed: services start along dependsOn (independent ones in parallel) and must become healthy. A failed change is undone and the previous revision keeps running. Running it again with nothing changed changes nothing.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> antrean-daring -f examples/sumbawa-antrean.yaml',
    '<%= config.bin %> <%= command.id %> antrean-daring@^1 -f sumbawa.yaml --set config.HTTP_PORT=8081',
    '<%= config.bin %> <%= command.id %> e-budgeting --override-mou "MoU 2027 being signed; approved by Kadis, letter 045/12"',
  ];
  static override args = { app: appRefArg };
  static override flags = {
    ...configFlags,
    timeout: Flags.integer({
      summary: 'Seconds a service may take to become healthy.',
      default: 120,
      min: 1,
    }),
  };

  async run(): Promise<DeployResult> {
    const { args, flags } = await this.parse(Deploy);
    const ctx = await deployContext({ ...flags, json: this.jsonEnabled() });
    try {
      const result = await deployApp(ctx, deployRequest(args.app, flags), {
        healthTimeoutMs: flags.timeout * 1000,
        command: `ksad deploy ${this.argv.join(' ')}`,
      });
      this.log(deployText(result));
      return result;
    } finally {
      ctx.close();
    }
  }
}
