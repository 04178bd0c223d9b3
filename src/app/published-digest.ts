import { fileDigest } from '../core/catalog-build.js';
import type { Catalog, LoadedManifest } from '../core/catalog-model.js';
import { KsadError } from '../core/errors.js';

/**
 * Refuses a manifest chosen for a deploy whose bytes (or signature) differ from what its catalog
 * recorded as published at the last adopted commit, or that the record does not know: the clone
 * was changed behind `catalog sync`. A catalog without a record (a folder, the sample, one added
 * by an older ksad and not synced since) is read as it is; its signatures are still verified.
 * @throws KsadError('INTEGRITY') naming the file, both digests and the commit.
 */
export function refuseUnpublished(catalog: Catalog, loaded: LoadedManifest): void {
  const ledger = catalog.published;
  if (ledger === undefined) return;
  const recorded = ledger.files[loaded.file];
  const at = ledger.commit.slice(0, 12);
  const why =
    recorded === undefined
      ? `it was not in catalog "${catalog.name}" at ${at}, the commit last adopted`
      : recorded.digest !== loaded.digest
        ? `its digest ${loaded.digest} differs from ${recorded.digest}, recorded as published at ${at}`
        : recorded.signature !== null &&
            (loaded.signature === undefined || fileDigest(loaded.signature) !== recorded.signature)
          ? `its signature differs from the one recorded as published at ${at}`
          : null;
  if (why === null) return;
  throw new KsadError('INTEGRITY', `refusing ${loaded.file}: ${why}`, {
    details: [`catalog: ${catalog.name} (${catalog.root})`, `adopted commit: ${ledger.commit}`],
    suggestions: [
      `the catalog's files were changed outside ksad: sync it again to restore them (ksad catalog sync ${catalog.name})`,
      'nothing was changed on the host',
    ],
  });
}
