import { Args } from '@oclif/core';
import { appHistory, type AppHistory } from '../app/history.js';
import { KsadCommand } from '../ui/base-command.js';
import { dockerHostFlag, openProfiledHost } from '../ui/engine-context.js';
import { historyText } from '../ui/lifecycle-text.js';

export default class History extends KsadCommand {
  static override summary = 'Show every revision of an app kept on the Docker host.';
  static override description =
    'Each revision with its version, status (deployed, superseded, failed, rolled-back, uninstalled), description, manifest digest, configuration hash, images, MoU, who and when. The host keeps the newest revisions up to its policy historyLimit (ksad host init --history-limit), never dropping the one that runs.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> antrean-daring',
    '<%= config.bin %> <%= command.id %> antrean-daring --json',
  ];
  static override args = { app: Args.string({ required: true, description: 'app name' }) };
  static override flags = { 'docker-host': dockerHostFlag };

  async run(): Promise<AppHistory> {
    const { args, flags } = await this.parse(History);
    const host = await openProfiledHost(flags['docker-host']);
    try {
      const history = await appHistory(host.store, args.app);
      this.log(historyText(history));
      return history;
    } finally {
      host.close();
    }
  }
}
