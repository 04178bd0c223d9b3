import { Flags } from '@oclif/core';
import { checkBundleDeploy } from '../app/bundle-open.js';
import { deployApp, type DeployResult } from '../app/deploy.js';
import { KsadCommand } from '../ui/base-command.js';
import { appRefArg, configFlags, deployRequest } from '../ui/deploy-flags.js';
import { openTrustedBundle } from '../ui/bundle-context.js';
import { deployContext } from '../ui/engine-context.js';
import { deployText } from '../ui/release-text.js';

export default class Deploy extends KsadCommand {
  static override summary = 'Install or upgrade an app on the Docker host.';
  static override description =
    "Resolves APP[@RANGE] in the catalog, checks that an active MoU grants it to the host's region, layers the overlays, and applies only what changed: services start along dependsOn (independent ones in parallel) and must become healthy. A failed change is undone and the previous revision keeps running. Running it again with nothing changed changes nothing.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> antrean-daring -f examples/sumbawa-antrean.yaml',
    '<%= config.bin %> <%= command.id %> antrean-daring@^1 -f sumbawa.yaml --set config.HTTP_PORT=8081',
    '<%= config.bin %> <%= command.id %> antrean-daring --bundle /media/usb/antrean-sumbawa.ksadb -f sumbawa.yaml',
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
    bundle: Flags.string({
      summary:
        'Install from an offline bundle (ksad bundle create): its catalog and images, no registry or network needed.',
      description:
        'The bundle is verified first (every byte, its signature by a packaging key of the catalog this machine trusts, --catalog); then the manifest signature and MoU gate apply as for any deploy.',
      helpValue: 'FILE',
    }),
    'allow-downgrade': Flags.boolean({
      summary: 'Install from a bundle older than one this host installed, or an older version.',
      dependsOn: ['bundle'],
    }),
  };

  async run(): Promise<DeployResult> {
    const { args, flags } = await this.parse(Deploy);
    const json = this.jsonEnabled();
    const bundle =
      flags.bundle === undefined
        ? undefined
        : await openTrustedBundle(flags.bundle, flags.catalog, json);
    const ctx = await deployContext({ ...flags, json }, bundle);
    try {
      if (bundle)
        await checkBundleDeploy(ctx.store, bundle.opened, args.app, flags['allow-downgrade']);
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
