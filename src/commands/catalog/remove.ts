import { Args } from '@oclif/core';
import { removeCatalog, type RemovedCatalog } from '../../app/catalogs.js';
import { KsadCommand } from '../../ui/base-command.js';
import { removedText } from '../../ui/catalog-text.js';
import { catalogContext } from '../../ui/context.js';

export default class CatalogRemove extends KsadCommand {
  static override summary = 'Forget an added catalog and delete its clone.';
  static override description = 'A folder catalog is only forgotten; its files are left alone.';
  static override examples = ['<%= config.bin %> <%= command.id %> bandung'];
  static override args = {
    name: Args.string({ required: true, description: 'name of the added catalog' }),
  };

  async run(): Promise<RemovedCatalog> {
    const { args } = await this.parse(CatalogRemove);
    const removed = await removeCatalog(catalogContext(), args.name);
    this.log(removedText(removed));
    return removed;
  }
}
