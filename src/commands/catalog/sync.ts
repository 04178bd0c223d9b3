import { Args } from '@oclif/core';
import { syncCatalogs, type SyncResult } from '../../app/catalogs.js';
import { KsadCommand } from '../../ui/base-command.js';
import { syncText } from '../../ui/catalog-text.js';
import { catalogContext } from '../../ui/context.js';

export default class CatalogSync extends KsadCommand {
  static override summary = 'Fetch the newest commit of added git catalogs.';
  static override description =
    'Reports, for each catalog, the commit before and after, and the manifests, members and MoUs added, changed or removed.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> ksad --json'];
  static override args = {
    name: Args.string({ description: 'catalog to sync; all added catalogs when absent' }),
  };

  async run(): Promise<SyncResult[]> {
    const { args } = await this.parse(CatalogSync);
    const results = await syncCatalogs(catalogContext({ progress: { json: this.jsonEnabled() } }), args.name);
    this.log(syncText(results));
    return results;
  }
}
