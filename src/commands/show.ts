import { Args } from '@oclif/core';
import { showApp, type AppDetails } from '../app/browse.js';
import { catalogCalendar, type Dated } from '../app/calendar.js';
import { openCatalog } from '../app/catalogs.js';
import { KsadCommand } from '../ui/base-command.js';
import { appText } from '../ui/browse-text.js';
import { catalogContext } from '../ui/context.js';
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

  async run(): Promise<Dated<AppDetails>> {
    const { args, flags } = await this.parse(Show);
    const ctx = catalogContext();
    const catalog = await openCatalog(ctx, flags.catalog);
    const calendar = catalogCalendar(ctx.clock, catalog);
    const app = { ...showApp(catalog, args.app, calendar.date), calendar };
    this.log(appText(app));
    return app;
  }
}
