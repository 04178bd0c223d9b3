import { FsBundleFiles } from '../adapters/bundle-file.js';
import { ScannedBundleImages } from '../adapters/bundle-archive.js';
import { FsKeyStore } from '../adapters/fs-key-store.js';
import { currentOperator, systemClock } from '../adapters/system.js';
import type { BundleCreateContext, DifferentialBase } from '../app/bundle-create.js';
import { openBundle, type BundleOpenContext, type OpenedBundle } from '../app/bundle-open.js';
import { openCatalog } from '../app/catalogs.js';
import type { Catalog } from '../core/catalog-model.js';
import type { BundleImages } from '../ports/bundle-images.js';
import { catalogContext, imageRegistry } from './context.js';
import { terminalProgress } from './progress.js';

const files = new FsBundleFiles();

export function bundleOpenContext(json: boolean): BundleOpenContext {
  return { bundles: files, clock: systemClock, progress: terminalProgress({ json }) };
}

export function bundleCreateContext(json: boolean): BundleCreateContext {
  return {
    bundles: files,
    registry: imageRegistry(),
    keys: new FsKeyStore(process.env),
    clock: systemClock,
    operator: currentOperator(process.env),
    progress: terminalProgress({ json }),
  };
}

/**
 * Opens and verifies `file` against the catalog this machine trusts (`--catalog`, else the
 * default one): the bundle's catalog and its images, ready for a deploy.
 */
export async function openTrustedBundle(
  file: string,
  catalogFlag: string | undefined,
  json: boolean,
): Promise<{ opened: OpenedBundle; catalog: Catalog; images: BundleImages }> {
  const anchor = await openCatalog(catalogContext(), catalogFlag);
  const opened = await openBundle(bundleOpenContext(json), file, anchor);
  const images = new ScannedBundleImages(files, opened.scan, opened.index.images);
  return { opened, catalog: opened.catalog, images };
}

/** What `--since OLD_BUNDLE` leaves out: everything the older (verified) bundle carried. */
export async function sinceBase(
  ctx: BundleOpenContext,
  file: string,
  anchor: Catalog,
): Promise<DifferentialBase> {
  const old = await openBundle(ctx, file, anchor);
  return {
    kind: 'since',
    base: old.checked.indexDigest,
    chains: new Set(old.index.images.flatMap((i) => i.layers.map((l) => l.chainId))),
    blobs: new Set(old.index.images.flatMap((i) => i.layers.map((l) => l.digest))),
  };
}
