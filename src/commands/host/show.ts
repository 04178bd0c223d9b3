import type { HostProfile } from '../../core/release.js';
import type { SwarmNode } from '../../core/swarm-model.js';
import { KsadCommand } from '../../ui/base-command.js';
import { dockerHostFlag, openProfiledHost } from '../../ui/engine-context.js';
import { hostText, nodesText } from '../../ui/release-text.js';

export default class HostShow extends KsadCommand {
  static override summary =
    'Show the region and policy recorded on the Docker host (on a swarm, its nodes too).';
  static override flags = { 'docker-host': dockerHostFlag };

  async run(): Promise<{ endpoint: string; profile: HostProfile; nodes?: SwarmNode[] }> {
    const { flags } = await this.parse(HostShow);
    const host = await openProfiledHost(flags['docker-host']);
    try {
      const profile = await host.store.requireProfile();
      const nodes = await host.target.nodes?.();
      this.log(`${host.endpoint}\n${hostText(profile)}${nodes ? `\n${nodesText(nodes)}` : ''}`);
      return { endpoint: host.endpoint, profile, ...(nodes ? { nodes } : {}) };
    } finally {
      host.close();
    }
  }
}
