import { Flags } from '@oclif/core';
import { upgradeAll, type UpgradeAllReport } from '../app/upgrade-all.js';
import { KsadError } from '../core/errors.js';
import { KsadCommand } from '../ui/base-command.js';
import { deployContext, dockerHostFlag, suppliedSecrets } from '../ui/engine-context.js';
import { catalogFlag, noDefaultHelp } from '../ui/flags.js';
import { upgradeText } from '../ui/lifecycle-text.js';

export default class Upgrade extends KsadCommand {
  static override summary = 'Upgrade every app on the host to the newest version its MoU grants.';
  static override description =
    'Plans every upgrade first (what `ksad outdated` lists, each keeping the values it runs with) and stops before changing anything when one cannot be planned. Then upgrades the apps one at a time, each health-gated as `ksad deploy APP@VERSION` is; the first failure is rolled back and stops the run, leaving the apps after it untouched. --dry-run shows the plans only. One app: ksad deploy APP@VERSION.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --all --dry-run',
    '<%= config.bin %> <%= command.id %> --all',
  ];
  static override flags = {
    all: Flags.boolean({ summary: 'Every app deployed on the host.', default: false }),
    'dry-run': Flags.boolean({ summary: 'Show the plans; change nothing.', default: false }),
    timeout: Flags.integer({
      summary: 'Seconds a service may take to become healthy.',
      default: 120,
      min: 1,
    }),
    secret: Flags.string({
      summary: 'Supply a secret a new version needs: NAME=@FILE (or KSAD_SECRET_<NAME>).',
      multiple: true,
      default: [],
      defaultHelp: noDefaultHelp,
    }),
    catalog: catalogFlag,
    'docker-host': dockerHostFlag,
  };

  async run(): Promise<UpgradeAllReport> {
    const { flags } = await this.parse(Upgrade);
    if (!flags.all) {
      throw new KsadError('USAGE', 'ksad upgrade needs --all', {
        suggestions: [
          'upgrade every app: ksad upgrade --all (see the plans first with --dry-run)',
          'upgrade one app: ksad deploy APP@VERSION (its values are kept)',
        ],
      });
    }
    const ctx = await deployContext({ ...flags, json: this.jsonEnabled() });
    try {
      const report = await upgradeAll(ctx, {
        dryRun: flags['dry-run'],
        healthTimeoutMs: flags.timeout * 1000,
        command: `ksad upgrade ${this.argv.join(' ')}`,
        suppliedSecrets: suppliedSecrets(flags.secret),
      });
      this.log(upgradeText(report));
      return report;
    } finally {
      ctx.close();
    }
  }
}
