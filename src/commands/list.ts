import { releaseStatuses, type ReleaseStatus } from '../app/releases.js';
import { KsadCommand } from '../ui/base-command.js';
import { dockerHostFlag, openProfiledHost } from '../ui/engine-context.js';
import { listText } from '../ui/release-text.js';

export default class List extends KsadCommand {
  static override summary = 'List the apps deployed on the Docker host.';
  static override flags = { 'docker-host': dockerHostFlag };

  async run(): Promise<ReleaseStatus[]> {
    const { flags } = await this.parse(List);
    const host = await openProfiledHost(flags['docker-host']);
    try {
      const statuses = await releaseStatuses(host);
      this.log(listText(statuses));
      return statuses;
    } finally {
      host.close();
    }
  }
}
