import { blobPath, type BundleImage } from '../core/bundle/format.js';
import { loadManifestJson } from '../core/bundle/image.js';
import type { BundleFiles, ScannedBundle } from '../ports/bundle-files.js';
import type { BundleImages } from '../ports/bundle-images.js';
import { BLOCK, encodeHeader, padding } from './ustar.js';

/**
 * A verified bundle's images as the engine's image load takes them: a docker-archive whose blobs
 * keep their OCI paths (`blobs/sha256/<hex>`; the engine inflates compressed layers itself), read
 * straight from the bundle file, so no image is ever held in memory. A layer a differential bundle
 * left out is left out of the archive too: the engine takes a layer it already has from its store.
 */
export class ScannedBundleImages implements BundleImages {
  readonly file: string;

  constructor(
    private readonly files: BundleFiles,
    private readonly bundle: ScannedBundle,
    private readonly images: readonly BundleImage[],
  ) {
    this.file = bundle.file;
  }

  image(ref: string): BundleImage | undefined {
    return this.images.find((i) => i.ref === ref);
  }

  async *archive(image: BundleImage): AsyncGenerator<Uint8Array> {
    const blobs = [image.config, ...image.layers.filter((l) => l.included).map((l) => l.digest)];
    for (const digest of new Set(blobs)) {
      const path = blobPath(digest);
      const entry = this.bundle.entries.find((e) => e.path === path);
      if (!entry) throw new Error(`bundle entry ${path} vanished after verification`);
      yield encodeHeader(path, entry.size);
      yield* this.files.stream(this.bundle, path);
      yield Buffer.alloc(padding(entry.size));
    }
    const manifest = Buffer.from(loadManifestJson(image, blobPath));
    yield encodeHeader('manifest.json', manifest.length);
    yield manifest;
    yield Buffer.alloc(padding(manifest.length));
    yield Buffer.alloc(BLOCK * 2);
  }
}
