import { createInterface } from 'node:readline/promises';
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
    'Services stop in reverse dependency order, in parallel where possible. Without --purge-data the volumes, secrets and release history stay, so a later install finds its data again. --purge-data asks you to type the app name on a terminal; elsewhere it needs --yes. Either way the host keeps evidence that the app ran (its revisions, when and by whom it was removed, whether data was purged), shown by ksad history and ksad audit.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> antrean-daring',
    '<%= config.bin %> <%= command.id %> antrean-daring --purge-data --yes',
  ];
  static override args = { app: Args.string({ required: true, description: 'app name' }) };
  static override flags = {
    'purge-data': Flags.boolean({
      summary: "Also delete the app's data volumes, secrets and history. Cannot be undone.",
      default: false,
    }),
    yes: Flags.boolean({
      char: 'y',
      summary: 'Confirm --purge-data without asking (needed off a terminal).',
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
          ...(process.stdin.isTTY && process.stderr.isTTY ? { confirm: askAppName } : {}),
        },
        args.app,
        {
          purgeData: flags['purge-data'],
          yes: flags.yes,
          command: `ksad uninstall ${this.argv.join(' ')}`,
        },
      );
      this.log(uninstallText(result));
      return result;
    } finally {
      host.close();
    }
  }
}

/** Asks on the terminal for the app's name, as `gh repo delete` does; only that name confirms. */
async function askAppName(app: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(
      `This deletes the data volumes, secrets and release records of ${app} for good.\nType ${app} to confirm: `,
    );
    return answer.trim() === app;
  } finally {
    rl.close();
  }
}
