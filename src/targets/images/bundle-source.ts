import { chainIds } from '../../core/bundle/image.js';
import { KsadError } from '../../core/errors.js';
import type { ImageEvidence } from '../../core/image-check.js';
import type { BundleImages } from '../../ports/bundle-images.js';
import type { DockerEngine, ImageInfo } from '../../ports/docker-engine.js';
import type { ImageSource } from '../../ports/image-source.js';
import { RegistryImageSource, shortRef } from './registry-source.js';

/**
 * Images loaded from a verified bundle file through the Engine API's image load: no registry,
 * no network. The engine keeps no registry digest for a loaded image, so the image is known by
 * its id (the sha256 of its config, which the signed image manifest names) and containers are
 * created from that id. A reference the bundle does not carry comes from its registry as before.
 */
export class BundleImageSource implements ImageSource {
  readonly name: string;
  private readonly registry: RegistryImageSource;

  constructor(
    private readonly engine: DockerEngine,
    private readonly bundle: BundleImages,
  ) {
    this.name = `bundle ${bundle.file}`;
    this.registry = new RegistryImageSource(engine);
  }

  async provide(ref: string, detail: (text: string) => void): Promise<ImageEvidence> {
    const image = this.bundle.image(ref);
    if (!image) return this.registry.provide(ref, detail);
    const omitted = image.layers.filter((l) => !l.included);
    if (omitted.length > 0)
      await this.requireLayers(
        ref,
        omitted.map((l) => l.chainId),
      );
    detail(`${shortRef(ref)}: loading from the bundle`);
    await this.engine.loadImage(this.bundle.archive(image), (text) =>
      detail(`${shortRef(ref)}: ${text}`),
    );
    return {
      kind: 'content',
      configDigest: image.config,
      diffIds: image.layers.map((l) => l.diffId),
    };
  }

  async inspect(ref: string): Promise<ImageInfo | null> {
    const image = this.bundle.image(ref);
    if (!image) return this.registry.inspect(ref);
    return (await this.engine.inspectImage(image.config)) ?? this.engine.inspectImage(ref);
  }

  engineRef(ref: string): string {
    return this.bundle.image(ref)?.config ?? ref;
  }

  /** A differential bundle leaves out layers the host has: refuse before loading if it has not. */
  private async requireLayers(ref: string, chains: readonly string[]): Promise<void> {
    const have = new Set((await this.engine.listImages()).flatMap((i) => chainIds(i.layers ?? [])));
    const missing = chains.filter((c) => !have.has(c));
    if (missing.length === 0) return;
    throw new KsadError(
      'INTEGRITY',
      `${this.bundle.file} is a differential bundle and leaves out ${missing.length} layer(s) of ${ref} that this engine does not have`,
      {
        details: missing.map((c) => `missing layer chain ${c}`),
        suggestions: [
          'load the full bundle (or the older bundle this one was made against) first',
          'nothing was loaded',
        ],
      },
    );
  }
}
