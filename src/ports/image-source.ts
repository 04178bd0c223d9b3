/**
 * Where a target's images come from: a registry pull today (`targets/images/registry-source.ts`);
 * a carried bundle file is another source. A source only brings images in; whether what arrived
 * is what the manifest pins is decided in one place, `core/image-check.ts`, from the evidence the
 * source can give.
 */
import type { ImageInfo } from '../core/engine-model.js';
import type { ImageEvidence } from '../core/image-check.js';

export interface ImageSource {
  /** A short name for messages: "registry", "bundle FILE". */
  readonly name: string;
  /**
   * Makes `ref` (pinned by digest, `repo@sha256:…`) present on the engine and returns what proves
   * its identity. Reports progress through `detail`.
   */
  provide(ref: string, detail: (text: string) => void): Promise<ImageEvidence>;
  /** The engine's view of `ref` after `provide`, for the identity check. */
  inspect(ref: string): Promise<ImageInfo | null>;
  /**
   * The name the engine creates containers of `ref` from: `ref` itself after a pull; the image
   * id after a load, which keeps no registry digest. Records and config hashes keep `ref`.
   */
  engineRef(ref: string): string;
}
