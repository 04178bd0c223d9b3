import type { PublishedLedger } from '../core/published.js';

/**
 * What each added git catalog has published (see `PublishedLedger`), written when a commit is
 * adopted and read when a manifest is chosen for a deploy. Implemented by
 * `adapters/json-published-ledger-store.ts` (beside `catalogs.json`, not in the cache: it cannot
 * be fetched again) and `test/fakes/memory-published-ledger-store.ts`.
 */
export interface PublishedLedgerStore {
  /** null when none was recorded (a catalog added by an older ksad, or a folder catalog). */
  get(catalog: string): Promise<PublishedLedger | null>;
  /** Replaces the catalog's ledger atomically: a crash leaves the old one or the new one. */
  put(catalog: string, ledger: PublishedLedger): Promise<void>;
  /** Forgets the catalog's ledger; nothing happens when there is none. */
  delete(catalog: string): Promise<void>;
}
