import type { ImageInfo } from './engine-model.js';
import { KsadError } from './errors.js';

/**
 * What an image source can prove about an image it brought in:
 * - `registry`: the engine pulled `repo@digest`, so the engine's repo digests must include it;
 * - `content`: the source holds the image manifest whose sha256 is the pinned digest and read the
 *   config digest from it. An image load keeps no registry digest, but the engine's image id is the
 *   sha256 of that config, which lists every layer's diff id (checked by the engine as it loads),
 *   so an equal id proves the same image.
 */
export type ImageEvidence =
  | { kind: 'registry' }
  | {
      kind: 'content';
      configDigest: string;
      /** The layers' diff ids the signed manifest's config lists, bottom first. */
      diffIds?: readonly string[];
    };

/** The `sha256:…` a reference is pinned to, or null when it is not pinned. */
export function pinnedDigest(ref: string): string | null {
  const at = ref.lastIndexOf('@');
  return at === -1 ? null : ref.slice(at + 1);
}

/**
 * Checks that the image the engine now has for `ref` is the one the manifest pins, by the
 * evidence its source gave. Throws INTEGRITY naming the reference when it is not.
 */
export function checkImageIdentity(
  ref: string,
  info: ImageInfo | null,
  evidence: ImageEvidence,
  source: string,
): void {
  const digest = pinnedDigest(ref);
  const fail = (why: string): never => {
    throw new KsadError('INTEGRITY', `image ${ref} does not match its pinned digest: ${why}`, {
      suggestions: [
        `the ${source} serves different content than the manifest pins; tell the publisher`,
      ],
    });
  };
  if (digest === null) return fail('the reference is not pinned by digest');
  if (!info) return fail(`the engine has no such image after it came from the ${source}`);
  if (evidence.kind === 'registry') {
    if (!info.repoDigests.some((d) => d.endsWith(`@${digest}`)))
      fail(
        `after the pull, the engine knows it only as ${info.repoDigests.join(', ') || 'no digest'}`,
      );
    return;
  }
  if (info.id !== evidence.configDigest)
    fail(`the engine's image id ${info.id} is not the config ${evidence.configDigest}`);
  const want = evidence.diffIds;
  if (want !== undefined && info.layers !== undefined && info.layers.join() !== want.join())
    fail(
      `the engine's layers (${info.layers.length}) are not the diff ids the config lists (${want.length})`,
    );
}
