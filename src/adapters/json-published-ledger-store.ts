import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { KsadError } from '../core/errors.js';
import type { PublishedLedger } from '../core/published.js';
import type { PublishedLedgerStore } from '../ports/published-ledger-store.js';
import { writeFileAtomic } from './atomic-file.js';

const ledgerFileSchema = z.object({
  schemaVersion: z.literal(1),
  commit: z.string().min(1),
  files: z.record(
    z.string(),
    z.object({
      digest: z.string(),
      signature: z.string().nullable(),
      since: z.string(),
    }),
  ),
});

/** `<config>/published/<catalog>.json`, one file per added git catalog. */
export class JsonPublishedLedgerStore implements PublishedLedgerStore {
  private readonly dir: string;

  constructor(dirs: { config: string }) {
    this.dir = join(dirs.config, 'published');
  }

  async get(catalog: string): Promise<PublishedLedger | null> {
    const file = this.fileOf(catalog);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return null;
      throw error;
    }
    let parsed: z.infer<typeof ledgerFileSchema>;
    try {
      parsed = ledgerFileSchema.parse(JSON.parse(text));
    } catch (error) {
      // Never read a damaged ledger as "nothing published": that would let anything in.
      throw new KsadError(
        'INTEGRITY',
        `The record of what catalog "${catalog}" published (${file}) is damaged`,
        {
          cause: error,
          suggestions: [
            `start the catalog over: ksad catalog remove ${catalog} && ksad catalog add ${catalog} <URL>`,
          ],
        },
      );
    }
    return { commit: parsed.commit, files: parsed.files };
  }

  async put(catalog: string, ledger: PublishedLedger): Promise<void> {
    const body = { schemaVersion: 1, ...ledger };
    await writeFileAtomic(this.fileOf(catalog), `${JSON.stringify(body, null, 1)}\n`);
  }

  async delete(catalog: string): Promise<void> {
    await rm(this.fileOf(catalog), { force: true });
  }

  private fileOf(catalog: string): string {
    return join(this.dir, `${catalog}.json`);
  }
}
