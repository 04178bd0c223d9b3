import { Flags } from '@oclif/core';
import { listMous, type MouRow } from '../../app/browse.js';
import { catalogCalendar, type Dated } from '../../app/calendar.js';
import { openCatalog } from '../../app/catalogs.js';
import { KsadCommand } from '../../ui/base-command.js';
import { mouListText } from '../../ui/browse-text.js';
import { catalogContext } from '../../ui/context.js';
import { catalogFlag } from '../../ui/flags.js';

export default class MouList extends KsadCommand {
  static override summary =
    'List MoUs with their status: active, expiring, expired or not-yet-valid.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --region 52.04 --active',
    '<%= config.bin %> <%= command.id %> --active --json',
  ];
  static override flags = {
    region: Flags.string({
      summary:
        'Only MoUs this region (PP.KK or official name) takes part in, as grantor or grantee.',
      helpValue: 'CODE',
    }),
    active: Flags.boolean({
      summary:
        "Only MoUs in force today (active or expiring), by the calendar of --region's zone, else the catalog's, else this machine's.",
      default: false,
    }),
    catalog: catalogFlag,
  };

  async run(): Promise<Dated<MouRow>[]> {
    const { flags } = await this.parse(MouList);
    const ctx = catalogContext();
    const catalog = await openCatalog(ctx, flags.catalog);
    const calendar = catalogCalendar(ctx.clock, catalog, flags.region);
    const { region, active } = flags;
    const rows = listMous(catalog, { region, active, today: calendar.date });
    this.log(mouListText(rows, calendar));
    return rows.map((r) => ({ ...r, calendar }));
  }
}
