import type { ManifestUnit, Reporter } from './context.js';

/** `repository[:tag]@sha256:<64 hex>`; a tag alongside the digest is allowed and ignored by Docker. */
const PINNED = /^[^\s@]+@sha256:[a-f0-9]{64}$/;

/** `image-not-pinned`: a tag can be moved, a digest cannot; recipients must run exactly what was reviewed. */
export function lintImages(unit: ManifestUnit, r: Reporter): void {
  for (const [name, service] of Object.entries(unit.manifest.services)) {
    if (!PINNED.test(service.image)) {
      r.error(
        unit.file,
        ['services', name, 'image'],
        'image-not-pinned',
        `image "${service.image}" is not pinned by digest: write it as repository@sha256:<64 hex> (docker buildx imagetools inspect ${service.image} shows the digest)`,
      );
    }
  }
}
