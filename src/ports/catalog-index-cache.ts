import type { Catalog } from '../core/catalog-model.js';

/**
 * Catalogs built before, keyed by their content: a catalog whose files have not changed is not
 * parsed and validated again. A miss, a stale entry or an unreadable one is simply `null`.
 */
export interface CatalogIndexCache {
  get(root: string, key: string): Promise<Catalog | null>;
  put(root: string, key: string, catalog: Catalog): Promise<void>;
}
