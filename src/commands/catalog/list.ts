import { listCatalogs, type ListedCatalog } from '../../app/catalogs.js';
import { KsadCommand } from '../../ui/base-command.js';
import { catalogListText } from '../../ui/catalog-text.js';
import { catalogContext } from '../../ui/context.js';

export default class CatalogList extends KsadCommand {
  static override summary = 'List the added catalogs; * marks the default.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];

  async run(): Promise<ListedCatalog[]> {
    await this.parse(CatalogList);
    const catalogs = await listCatalogs(catalogContext());
    this.log(catalogListText(catalogs));
    return catalogs;
  }
}
