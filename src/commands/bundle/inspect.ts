import { Args } from '@oclif/core';
import { bundleReport, type BundleReport } from '../../app/bundle-open.js';
import { systemClock } from '../../adapters/system.js';
import { KsadCommand } from '../../ui/base-command.js';
import { openTrustedBundle } from '../../ui/bundle-context.js';
import { bundleText } from '../../ui/bundle-text.js';
import { catalogFlag } from '../../ui/flags.js';

export default class BundleInspect extends KsadCommand {
  static override summary =
    'Show what a bundle holds: apps, versions, images, sizes, MoUs, who signed it and when.';
  static override description =
    'Reads and checks the bundle as verify does (nothing in an unchecked bundle is shown as fact), then lists its content; manifests whose own signature does not verify are shown as invalid rather than refused.';
  static override args = {
    file: Args.string({
      required: true,
      description: 'bundle file (or the common name of its parts)',
    }),
  };
  static override flags = { catalog: catalogFlag };

  async run(): Promise<BundleReport> {
    const { args, flags } = await this.parse(BundleInspect);
    const { opened } = await openTrustedBundle(args.file, flags.catalog, this.jsonEnabled());
    const report = bundleReport({ clock: systemClock }, opened);
    this.log(bundleText(report));
    return report;
  }
}
