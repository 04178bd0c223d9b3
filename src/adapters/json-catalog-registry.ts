import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { KsadError } from '../core/errors.js';
import type { CatalogRegistry, RegisteredCatalog, StagedClone } from '../ports/catalog-registry.js';
import { writeFileAtomic } from './atomic-file.js';

const registeredCatalogSchema = z.object({
  name: z.string().min(1),
  kind: z.enum(['git', 'folder']),
  source: z.string().min(1),
  ref: z.string().optional(),
  default: z.boolean(),
  root: z.string().min(1),
  addedAt: z.string(),
  commit: z.string().optional(),
  syncedAt: z.string().optional(),
});

// Not strict: a newer ksad may add fields, and an older one must still read the list.
const registryFileSchema = z.object({
  schemaVersion: z.literal(1),
  catalogs: z.array(registeredCatalogSchema),
});

/**
 * `catalogs.json` under the ksad config dir; git catalogs cloned to `<cache>/catalogs/<name>`.
 * Clones are staged as `<cache>/catalogs/.staging-<name>-<random>` so that moving one into place
 * is a rename within one file system.
 */
export class JsonCatalogRegistry implements CatalogRegistry {
  private readonly file: string;
  private readonly clones: string;

  constructor(dirs: { config: string; cache: string }) {
    this.file = join(dirs.config, 'catalogs.json');
    this.clones = join(dirs.cache, 'catalogs');
  }

  async list(): Promise<RegisteredCatalog[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return [];
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw this.corrupt(error instanceof Error ? error.message : String(error), error);
    }
    const parsed = registryFileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw this.corrupt(`${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    return parsed.data.catalogs.map((c) => {
      const entry: RegisteredCatalog = {
        name: c.name,
        kind: c.kind,
        source: c.source,
        default: c.default,
        root: c.root,
        addedAt: c.addedAt,
      };
      if (c.ref !== undefined) entry.ref = c.ref;
      if (c.commit !== undefined) entry.commit = c.commit;
      if (c.syncedAt !== undefined) entry.syncedAt = c.syncedAt;
      return entry;
    });
  }

  async save(catalogs: readonly RegisteredCatalog[]): Promise<void> {
    const body = { schemaVersion: 1, catalogs };
    await writeFileAtomic(this.file, `${JSON.stringify(body, null, 2)}\n`);
  }

  async stageClone(name: string): Promise<StagedClone> {
    await mkdir(this.clones, { recursive: true });
    const dir = join(this.clones, `.staging-${name}-${randomBytes(4).toString('hex')}`);
    const target = this.cloneDir(name);
    return {
      dir,
      commit: async () => {
        // A clone left by a registry entry that was since lost would block the rename.
        await rm(target, { recursive: true, force: true });
        await rename(dir, target);
        return target;
      },
      discard: () => rm(dir, { recursive: true, force: true }),
    };
  }

  async deleteClone(name: string): Promise<void> {
    await rm(this.cloneDir(name), { recursive: true, force: true });
  }

  private cloneDir(name: string): string {
    return join(this.clones, name);
  }

  private corrupt(why: string, cause?: unknown): KsadError {
    return new KsadError(
      'INVALID',
      `The list of added catalogs (${this.file}) is not valid: ${why}`,
      {
        cause,
        suggestions: [
          `fix or delete ${this.file}, then add the catalogs again with: ksad catalog add`,
        ],
      },
    );
  }
}
