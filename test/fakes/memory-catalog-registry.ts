import type {
  CatalogRegistry,
  RegisteredCatalog,
  StagedClone,
} from '../../src/ports/catalog-registry.js';
import type { MemoryCatalogFiles } from './memory-catalog-files.js';

/** The list of added catalogs in memory; clones live in the shared MemoryCatalogFiles. */
export class MemoryCatalogRegistry implements CatalogRegistry {
  catalogs: RegisteredCatalog[] = [];
  /** How many times the list was saved: tests assert that a failed add saved nothing. */
  saves = 0;
  private staging = 0;

  constructor(
    private readonly disk: MemoryCatalogFiles,
    readonly cacheDir = '/cache/catalogs',
    overrides: Partial<CatalogRegistry> = {},
  ) {
    Object.assign(this, overrides);
  }

  list(): Promise<RegisteredCatalog[]> {
    return Promise.resolve(this.catalogs.map((c) => ({ ...c })));
  }

  save(catalogs: readonly RegisteredCatalog[]): Promise<void> {
    this.catalogs = catalogs.map((c) => ({ ...c }));
    this.saves += 1;
    return Promise.resolve();
  }

  stageClone(name: string): Promise<StagedClone> {
    const dir = `${this.cacheDir}/.staging-${name}-${++this.staging}`;
    const target = `${this.cacheDir}/${name}`;
    return Promise.resolve({
      dir,
      commit: () => {
        this.disk.moveDir(dir, target);
        return Promise.resolve(target);
      },
      discard: () => {
        this.disk.removeDir(dir);
        return Promise.resolve();
      },
    });
  }

  deleteClone(name: string): Promise<void> {
    this.disk.removeDir(`${this.cacheDir}/${name}`);
    return Promise.resolve();
  }
}
