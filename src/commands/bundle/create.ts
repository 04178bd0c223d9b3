import { Flags } from '@oclif/core';
import {
  baseFromInventory,
  createBundle,
  type BundleCreated,
  type DifferentialBase,
} from '../../app/bundle-create.js';
import { openCatalog } from '../../app/catalogs.js';
import { parseSize } from '../../core/bundle/format.js';
import { KsadError } from '../../core/errors.js';
import { KsadCommand } from '../../ui/base-command.js';
import { bundleCreateContext, bundleOpenContext, sinceBase } from '../../ui/bundle-context.js';
import { catalogContext } from '../../ui/context.js';
import { readText } from '../../ui/engine-context.js';
import { catalogFlag } from '../../ui/flags.js';
import { parseInventory } from '../../ui/bundle-text.js';

export default class BundleCreate extends KsadCommand {
  static override summary =
    'Write one signed file carrying app versions and their images, for a host with no network.';
  static override description =
    'Holds the manifests and their signatures, the member and MoU files that cover them, the catalog commit, and every image (manifest, config and layers, in OCI image layout, each checked against its digest as it is copied from the registry), with a signed index of every entry. Install it with: ksad deploy --bundle FILE APP.';
  static override strict = false;
  static override examples = [
    '<%= config.bin %> <%= command.id %> antrean-daring@^2 --region 52.04 --key ~/.config/ksad/keys/prov-ntb.key --out antrean-sumbawa.ksadb',
    '<%= config.bin %> <%= command.id %> antrean-daring --out stick/antrean.ksadb --split 4G --key k.key',
    '<%= config.bin %> <%= command.id %> antrean-daring@2.1.0 --since antrean-2.0.ksadb --out upgrade.ksadb --key k.key',
  ];
  static override flags = {
    out: Flags.string({ summary: 'The bundle file to write.', required: true, helpValue: 'FILE' }),
    key: Flags.string({
      summary:
        'Packaging key (ed25519, made by ksad keys generate) that the catalog lists for a member.',
      required: true,
      helpValue: 'FILE',
    }),
    region: Flags.string({
      summary:
        'Region it is prepared for (PP.KK): every app must be granted to it, and only its hosts install it.',
      helpValue: 'CODE',
    }),
    split: Flags.string({
      summary:
        'Cut into numbered parts of at most SIZE (e.g. 4G for FAT32 sticks), each with its checksum in the index.',
      helpValue: 'SIZE',
    }),
    'for-host': Flags.string({
      summary:
        'Leave out the layers a host already has, from its "ksad host inventory --out FILE".',
      helpValue: 'FILE',
      exclusive: ['since'],
    }),
    since: Flags.string({
      summary: 'Leave out the blobs an older bundle (already installed on the target) holds.',
      helpValue: 'OLD_BUNDLE',
    }),
    'valid-days': Flags.integer({
      summary: 'Days until the bundle counts as expired (installing it then only warns).',
      default: 365,
      min: 1,
    }),
    catalog: catalogFlag,
  };

  async run(): Promise<BundleCreated> {
    const { argv, flags } = await this.parse(BundleCreate);
    const refs = argv.map(String);
    if (refs.length === 0)
      throw new KsadError(
        'USAGE',
        'name at least one app: ksad bundle create APP[@RANGE]... --out FILE --key FILE',
      );
    const splitBytes = flags.split === undefined ? null : parseSize(flags.split);
    if (flags.split !== undefined && (splitBytes === null || splitBytes < 1024 * 1024))
      throw new KsadError(
        'USAGE',
        `--split ${flags.split} is not a size of at least 1M (e.g. 4G, 700M)`,
      );
    const json = this.jsonEnabled();
    const catalog = await openCatalog(catalogContext(), flags.catalog);
    let differential: DifferentialBase | undefined;
    if (flags['for-host'] !== undefined)
      differential = baseFromInventory(
        parseInventory(flags['for-host'], readText(flags['for-host'], 'host inventory')),
      );
    if (flags.since !== undefined)
      differential = await sinceBase(bundleOpenContext(json), flags.since, catalog);
    const result = await createBundle(bundleCreateContext(json), catalog, {
      refs,
      out: flags.out,
      region: flags.region,
      key: flags.key,
      splitBytes,
      validDays: flags['valid-days'],
      differential,
    });
    const layers = result.images.reduce((n, i) => n + i.layers, 0);
    const included = result.images.reduce((n, i) => n + i.included, 0);
    this.log(
      [
        `Wrote ${result.files.join(', ')} (${(result.bytes / 1048576).toFixed(1)} MiB)`,
        `  apps: ${result.apps.map((a) => `${a.name}@${a.version}`).join(', ')}`,
        `  images: ${result.images.length}, layers ${included} of ${layers}${result.differential ? ` (differential: ${result.differential.kind})` : ''}`,
        `  signed by ${result.signer.member} (key ${result.signer.keyId}); expires ${result.expiresAt.slice(0, 10)}`,
      ].join('\n'),
    );
    return result;
  }
}
