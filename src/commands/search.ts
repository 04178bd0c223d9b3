import { Args, Flags } from '@oclif/core';
import { searchApps, type AppHit } from '../app/browse.js';
import { catalogCalendar, type Dated } from '../app/calendar.js';
import { openCatalog } from '../app/catalogs.js';
import { SMART_CITY_DIMENSIONS } from '../core/schema/common.js';
import { KsadCommand } from '../ui/base-command.js';
import { searchText } from '../ui/browse-text.js';
import { catalogContext } from '../ui/context.js';
import { catalogFlag } from '../ui/flags.js';

export default class Search extends KsadCommand {
  static override summary = 'Find apps in the catalog.';
  static override description =
    'TEXT matches app names, titles, descriptions and categories, ignoring case. --region keeps the apps an active MoU grants to that region.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> antrean',
    '<%= config.bin %> <%= command.id %> --dimension smart-governance --publisher 32.73',
    '<%= config.bin %> <%= command.id %> --region 52.04 --json',
  ];
  static override args = {
    text: Args.string({ description: 'words to look for' }),
  };
  static override flags = {
    publisher: Flags.string({
      summary: 'Publisher: member slug, region code or name.',
      helpValue: 'SLUG|CODE',
    }),
    dimension: Flags.string({ summary: 'Smart City dimension.', options: SMART_CITY_DIMENSIONS }),
    region: Flags.string({
      summary: 'Region (PP.KK or official name) an active MoU must grant the app to.',
      helpValue: 'CODE',
    }),
    catalog: catalogFlag,
  };

  async run(): Promise<Dated<AppHit>[]> {
    const { args, flags } = await this.parse(Search);
    const ctx = catalogContext();
    const catalog = await openCatalog(ctx, flags.catalog);
    const calendar = catalogCalendar(ctx.clock, catalog, flags.region);
    const hits = searchApps(catalog, {
      text: args.text,
      publisher: flags.publisher,
      dimension: flags.dimension,
      region: flags.region,
      today: calendar.date,
    });
    this.log(searchText(hits, flags.region === undefined ? null : calendar));
    return hits.map((h) => ({ ...h, calendar }));
  }
}
