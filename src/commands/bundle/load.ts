import { Args } from '@oclif/core';
import { loadBundleImages, type BundleLoaded } from '../../app/bundle-load.js';
import { BundleImageSource } from '../../targets/images/bundle-source.js';
import { KsadCommand } from '../../ui/base-command.js';
import { openTrustedBundle } from '../../ui/bundle-context.js';
import { dockerHostFlag, openEngine } from '../../ui/engine-context.js';
import { catalogFlag } from '../../ui/flags.js';
import { terminalProgress } from '../../ui/progress.js';

export default class BundleLoad extends KsadCommand {
  static override summary =
    'Verify a bundle and load its images into the Docker engine, ahead of a deploy.';
  static override description =
    "The images stream from the bundle into the Engine API's image load; each is then checked by what a load can prove (the config digest its signed manifest names as image id, and its layer diff ids). A later ksad deploy --bundle finds them present.";
  static override args = {
    file: Args.string({
      required: true,
      description: 'bundle file (or the common name of its parts)',
    }),
  };
  static override flags = { catalog: catalogFlag, 'docker-host': dockerHostFlag };

  async run(): Promise<BundleLoaded> {
    const { args, flags } = await this.parse(BundleLoad);
    const json = this.jsonEnabled();
    const { opened, images } = await openTrustedBundle(args.file, flags.catalog, json);
    const engine = openEngine(flags['docker-host']);
    try {
      const loaded = await loadBundleImages(
        { progress: terminalProgress({ json }) },
        opened,
        new BundleImageSource(engine, images),
      );
      this.log(
        loaded.images.map((i) => `${i.status}: ${i.ref} (image ${i.id.slice(7, 19)})`).join('\n'),
      );
      return loaded;
    } finally {
      engine.close();
    }
  }
}
