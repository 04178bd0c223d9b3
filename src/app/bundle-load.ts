import { checkImageIdentity } from '../core/image-check.js';
import type { ImageSource } from '../ports/image-source.js';
import type { Progress } from '../ports/progress.js';
import type { OpenedBundle } from './bundle-open.js';

export interface BundleLoaded {
  file: string;
  images: Array<{ ref: string; id: string; status: 'loaded' | 'present' }>;
  /** What was proved about each image (see IMAGE_EVIDENCE). */
  evidence: 'config digest and layer diff ids';
}

/**
 * Brings every image of a verified bundle onto the engine ahead of a deploy (which then finds
 * them present), each checked by the content evidence a load allows. An image the engine already
 * holds under the config digest is left as it is.
 */
export async function loadBundleImages(
  ctx: { progress: Progress },
  opened: OpenedBundle,
  source: ImageSource,
): Promise<BundleLoaded> {
  const images: BundleLoaded['images'] = [];
  const title = `Load ${opened.index.images.length} image(s) from ${opened.file}`;
  await ctx.progress.step(title, async (detail) => {
    for (const image of opened.index.images) {
      const before = await source.inspect(image.ref);
      if (before?.id === image.config) {
        images.push({ ref: image.ref, id: image.config, status: 'present' });
        continue;
      }
      const evidence = await source.provide(image.ref, detail);
      checkImageIdentity(image.ref, await source.inspect(image.ref), evidence, source.name);
      images.push({ ref: image.ref, id: image.config, status: 'loaded' });
    }
  });
  return { file: opened.file, images, evidence: 'config digest and layer diff ids' };
}
