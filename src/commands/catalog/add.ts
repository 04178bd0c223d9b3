import { Args, Flags } from '@oclif/core';
import { addCatalog, type AddedCatalog } from '../../app/catalogs.js';
import { KsadCommand } from '../../ui/base-command.js';
import { addedText } from '../../ui/catalog-text.js';
import { catalogContext } from '../../ui/context.js';

export default class CatalogAdd extends KsadCommand {
  static override summary = 'Add a catalog from a git URL or a folder.';
  static override description =
    'A git source (https://, ssh://, file://, user@host:path) is cloned into the ksad cache and followed by "ksad catalog sync"; a folder is read in place. The source must hold catalog/catalog.yaml. A failed add changes nothing.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> ksad https://git.example.go.id/ksad/catalog.git --default',
    '<%= config.bin %> <%= command.id %> bandung file:///srv/git/ksad-catalog.git --ref v2024.06',
    '<%= config.bin %> <%= command.id %> local ./my-catalog',
  ];
  static override args = {
    name: Args.string({ required: true, description: 'name to refer to the catalog by (lower-case, digits, dashes)' }),
    source: Args.string({ required: true, description: 'git URL or folder path' }),
  };
  static override flags = {
    ref: Flags.string({ summary: 'Branch, tag or commit to follow (git sources only).' }),
    default: Flags.boolean({ summary: 'Use this catalog when no --catalog is given.', default: false }),
  };

  async run(): Promise<AddedCatalog> {
    const { args, flags } = await this.parse(CatalogAdd);
    const added = await addCatalog(catalogContext({ progress: { json: this.jsonEnabled() } }), args.name, args.source, { ref: flags.ref, default: flags.default });
    this.log(addedText(added));
    return added;
  }
}
