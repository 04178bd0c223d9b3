import { outdatedApps, type OutdatedReport } from '../app/outdated.js';
import { KsadCommand } from '../ui/base-command.js';
import { deployContext, dockerHostFlag } from '../ui/engine-context.js';
import { catalogFlag } from '../ui/flags.js';
import { outdatedText } from '../ui/lifecycle-text.js';

export default class Outdated extends KsadCommand {
  static override summary = 'Show deployed apps that have a newer version their MoU still grants.';
  static override description =
    "For each app deployed on the host: the newest version in the catalog that an active MoU grants the host's region, and whether moving to it is a patch, minor or major step. Newer versions no active MoU covers are listed apart.";
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --catalog ./katalog --json',
  ];
  static override flags = { catalog: catalogFlag, 'docker-host': dockerHostFlag };

  async run(): Promise<OutdatedReport> {
    const { flags } = await this.parse(Outdated);
    const ctx = await deployContext({ ...flags, json: this.jsonEnabled() });
    try {
      const report = await outdatedApps(ctx);
      this.log(outdatedText(report));
      return report;
    } finally {
      ctx.close();
    }
  }
}
