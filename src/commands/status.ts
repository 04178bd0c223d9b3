import { Args } from '@oclif/core';
import { releaseStatuses, type ReleaseStatus } from '../app/releases.js';
import { KsadCommand } from '../ui/base-command.js';
import { dockerHostFlag, openProfiledHost } from '../ui/engine-context.js';
import { statusText } from '../ui/release-text.js';

export default class Status extends KsadCommand {
  static override summary = 'Show deployed apps with their services, health and published ports.';
  static override args = { app: Args.string({ description: 'only this app' }) };
  static override flags = { 'docker-host': dockerHostFlag };

  async run(): Promise<ReleaseStatus[]> {
    const { args, flags } = await this.parse(Status);
    const host = await openProfiledHost(flags['docker-host']);
    try {
      const statuses = await releaseStatuses(host, args.app);
      this.log(statusText(statuses));
      return statuses;
    } finally {
      host.close();
    }
  }
}
