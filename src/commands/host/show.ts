import type { HostProfile } from '../../core/release.js';
import { KsadCommand } from '../../ui/base-command.js';
import { dockerHostFlag, openProfiledHost } from '../../ui/engine-context.js';
import { hostText } from '../../ui/release-text.js';

export default class HostShow extends KsadCommand {
  static override summary = 'Show the region and policy recorded on the Docker host.';
  static override flags = { 'docker-host': dockerHostFlag };

  async run(): Promise<{ endpoint: string; profile: HostProfile }> {
    const { flags } = await this.parse(HostShow);
    const host = await openProfiledHost(flags['docker-host']);
    try {
      const profile = await host.store.requireProfile();
      this.log(`${host.endpoint}\n${hostText(profile)}`);
      return { endpoint: host.endpoint, profile };
    } finally {
      host.close();
    }
  }
}
