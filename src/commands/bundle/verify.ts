import { Args } from '@oclif/core';
import { bundleReport, type BundleReport } from '../../app/bundle-open.js';
import { systemClock } from '../../adapters/system.js';
import { KsadError } from '../../core/errors.js';
import { KsadCommand } from '../../ui/base-command.js';
import { openTrustedBundle } from '../../ui/bundle-context.js';
import { bundleText } from '../../ui/bundle-text.js';
import { catalogFlag } from '../../ui/flags.js';

export default class BundleVerify extends KsadCommand {
  static override summary = 'Check a bundle completely, with no network and no engine.';
  static override description =
    "Every entry and part against the index, the index's signature against the packaging keys of the catalog this machine trusts, each image against the digest its manifest pins, and each manifest's own signature. Exit 10 (INTEGRITY) names the entry, part or key at fault.";
  static override args = {
    file: Args.string({
      required: true,
      description: 'bundle file (or the common name of its parts)',
    }),
  };
  static override flags = { catalog: catalogFlag };

  async run(): Promise<BundleReport> {
    const { args, flags } = await this.parse(BundleVerify);
    const { opened } = await openTrustedBundle(args.file, flags.catalog, this.jsonEnabled());
    const report = bundleReport({ clock: systemClock }, opened);
    const invalid = report.apps.filter((a) => a.signature === 'invalid');
    if (invalid.length > 0)
      throw new KsadError(
        'INTEGRITY',
        `${args.file}: ${invalid.length} manifest(s) in the bundle do not verify`,
        {
          details: invalid.map((a) => `${a.name}@${a.version}: ${a.signatureMessage ?? ''}`),
          suggestions: ['do not install it; tell whoever prepared the bundle'],
        },
      );
    this.log(`${bundleText(report)}\nVerified: every byte, the signature and every image.`);
    return report;
  }
}
