import { Args } from '@oclif/core';
import { showApp, type AppDetails } from '../app/browse.js';
import { openCatalog } from '../app/catalogs.js';
import { KsadCommand } from '../ui/base-command.js';
import { appText } from '../ui/browse-text.js';
import { catalogContext, today } from '../ui/context.js';
import { catalogFlag } from '../ui/flags.js';

export default class Show extends KsadCommand {
  static override summary =
    'Show an app version: services, images, config keys, secrets and the MoUs that cover it.';
  static override description =
    'Without a range, the newest release is shown. Exits 4 when no version satisfies the range, listing the versions there are.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> antrean-daring',
    '<%= config.bin %> <%= command.id %> antrean-daring@^1.2',
    '<%= config.bin %> <%= command.id %> kota-bandung/e-budgeting@2.0.0 --json',
  ];
  static override args = {
    app: Args.string({
      required: true,
      description: 'APP, APP@RANGE, PUBLISHER/APP or PUBLISHER/APP@RANGE',
    }),
  };
  static override flags = { catalog: catalogFlag };

  async run(): Promise<AppDetails> {
    const { args, flags } = await this.parse(Show);
    const catalog = await openCatalog(catalogContext(), flags.catalog);
    const app = showApp(catalog, args.app, today());
    this.log(appText(app));
    return app;
  }
}
