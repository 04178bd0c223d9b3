import type { PublishedLedger } from '../../src/core/published.js';
import type { PublishedLedgerStore } from '../../src/ports/published-ledger-store.js';

/** Ledgers in memory, copied in and out so a test cannot change one behind the use-case. */
export class MemoryPublishedLedgerStore implements PublishedLedgerStore {
  readonly ledgers = new Map<string, PublishedLedger>();

  get(catalog: string): Promise<PublishedLedger | null> {
    const ledger = this.ledgers.get(catalog);
    return Promise.resolve(ledger === undefined ? null : structuredClone(ledger));
  }

  put(catalog: string, ledger: PublishedLedger): Promise<void> {
    this.ledgers.set(catalog, structuredClone(ledger));
    return Promise.resolve();
  }

  delete(catalog: string): Promise<void> {
    this.ledgers.delete(catalog);
    return Promise.resolve();
  }
}
