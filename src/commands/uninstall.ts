import { Args, Flags } from '@oclif/core';
import { currentOperator, processProbe, systemClock } from '../adapters/system.js';
import { uninstallApp, type UninstallResult } from '../app/releases.js';
import { KsadCommand } from '../ui/base-command.js';
import { dockerHostFlag, openProfiledHost } from '../ui/engine-context.js';
import { terminalProgress } from '../ui/progress.js';
import { uninstallText } from '../ui/release-text.js';

export default class Uninstall extends KsadCommand {
  static override summary =
    "Remove an app's containers and network; data volumes and secrets are kept.";
  static override description =
    'Services stop in reverse dependency order, in parallel where possible. Without --purge-data the volumes, secrets and release history stay, so a later install finds its data again.';
  static override args = { app: Args.string({ required: true, description: 'app name' }) };
  static override flags = {
    'purge-data': Flags.boolean({
      summary: "Also delete the app's data volumes, secrets and history. Cannot be undone.",
      default: false,
    }),
    'docker-host': dockerHostFlag,
  };

  async run(): Promise<UninstallResult> {
    const { args, flags } = await this.parse(Uninstall);
    const host = await openProfiledHost(flags['docker-host']);
    try {
      const result = await uninstallApp(
        {
          store: host.store,
          target: host.target,
          clock: systemClock,
          operator: currentOperator(process.env),
          probe: processProbe,
          progress: terminalProgress({ json: this.jsonEnabled() }),
        },
        args.app,
        { purgeData: flags['purge-data'], command: `ksad uninstall ${this.argv.join(' ')}` },
      );
      this.log(uninstallText(result));
      return result;
    } finally {
      host.close();
    }
  }
}
