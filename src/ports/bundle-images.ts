/**
 * The images an opened, verified bundle offers an image source: what each pinned reference is
 * (its config digest and layers) and the archive the Engine API's image load takes for it.
 * Implemented over a scanned bundle file by `adapters/bundle-archive.ts`.
 */
import type { BundleImage } from '../core/bundle/format.js';

export interface BundleImages {
  /** The bundle file, for messages. */
  readonly file: string;
  /** The bundle's description of `ref`, or undefined when it does not carry it. */
  image(ref: string): BundleImage | undefined;
  /** A docker-archive of `image`: its config, its included layers and `manifest.json`, streamed. */
  archive(image: BundleImage): AsyncIterable<Uint8Array>;
}
