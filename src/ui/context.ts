import { FsCatalogFiles } from '../adapters/fs-catalog-files.js';
import { JsonCatalogRegistry } from '../adapters/json-catalog-registry.js';
import { ksadDirs, manifestWorkerScript, sampleCatalogRoot } from '../adapters/paths.js';
import { SimpleGitRepository } from '../adapters/simple-git-repository.js';
import { WorkerManifestChecker } from '../adapters/worker-manifest-checker.js';
import type { CatalogContext } from '../app/catalogs.js';
import type { Clock } from '../ports/clock.js';

export const systemClock: Clock = { now: () => new Date() };

/** The real adapters behind the catalog use-cases, configured from the environment. */
export function catalogContext(env: NodeJS.ProcessEnv = process.env): CatalogContext {
  const packageRoot = sampleCatalogRoot();
  return {
    files: new FsCatalogFiles(process.cwd()),
    git: new SimpleGitRepository(env),
    registry: new JsonCatalogRegistry(ksadDirs(env)),
    clock: systemClock,
    sampleRoot: packageRoot,
    checker: new WorkerManifestChecker({ script: manifestWorkerScript(packageRoot) }),
  };
}

/**
 * Today as `YYYY-MM-DD` in the machine's own time zone: an MoU signed in Indonesia runs by the
 * local calendar date (WIB/WITA/WIT), not by UTC.
 */
export function today(clock: Clock = systemClock): string {
  const d = clock.now();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
