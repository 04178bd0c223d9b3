import { Args, Flags } from '@oclif/core';
import { openCatalog } from '../app/catalogs.js';
import { appValues, type AppValues } from '../app/values.js';
import { KsadCommand } from '../ui/base-command.js';
import { catalogContext } from '../ui/context.js';
import { dockerHostFlag, openProfiledHost } from '../ui/engine-context.js';
import { catalogFlag } from '../ui/flags.js';
import { valuesText } from '../ui/values-text.js';

export default class Values extends KsadCommand {
  static override summary = 'Show the values an app was deployed with, as an overlay file.';
  static override description =
    'The config values set by overlays and --set, and the service overrides, of the running revision (or --revision N); secrets by name only. A deploy without --reset-values reuses them, so the YAML printed here is what a plain `ksad deploy APP` keeps; save it with `> values.yaml` to deploy it elsewhere with -f.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> antrean-daring > sumbawa.yaml',
    '<%= config.bin %> <%= command.id %> antrean-daring --revision 2 --json',
    '<%= config.bin %> <%= command.id %> antrean-daring --all',
  ];
  static override args = { app: Args.string({ required: true, description: 'app name' }) };
  static override flags = {
    revision: Flags.integer({ summary: 'This revision instead of the running one.', min: 1 }),
    all: Flags.boolean({
      summary: "Every config value, the manifest's defaults included.",
      default: false,
    }),
    catalog: catalogFlag,
    'docker-host': dockerHostFlag,
  };

  async run(): Promise<AppValues> {
    const { args, flags } = await this.parse(Values);
    const host = await openProfiledHost(flags['docker-host']);
    try {
      // Only a revision recorded before values were remembered needs its manifest (to leave its
      // defaults out); without a readable catalog its resolved values are shown whole.
      const catalog = await openCatalog(catalogContext(), flags.catalog).catch(() => undefined);
      const values = await appValues(host.store, catalog, args.app, {
        ...(flags.revision === undefined ? {} : { revision: flags.revision }),
        all: flags.all,
      });
      this.log(valuesText(values));
      return values;
    } finally {
      host.close();
    }
  }
}
