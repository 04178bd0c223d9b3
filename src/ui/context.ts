import { join } from 'node:path';
import { DockerConfigCredentials } from '../adapters/docker-config-credentials.js';
import { FsCatalogFiles } from '../adapters/fs-catalog-files.js';
import { FsCatalogIndexCache } from '../adapters/fs-catalog-index-cache.js';
import { JsonCatalogRegistry } from '../adapters/json-catalog-registry.js';
import { JsonPublishedLedgerStore } from '../adapters/json-published-ledger-store.js';
import { RegistryHttpClient } from '../adapters/registry-http.js';
import { ksadDirs, manifestWorkerScript, sampleCatalogRoot } from '../adapters/paths.js';
import { SimpleGitRepository } from '../adapters/simple-git-repository.js';
import { WorkerManifestChecker } from '../adapters/worker-manifest-checker.js';
import type { CatalogContext } from '../app/catalogs.js';
import { systemClock } from '../adapters/system.js';
import { terminalProgress } from './progress.js';

export { systemClock };

/** Set by the bundler (scripts/bundle.js) to a digest of the sources the bundle was built from. */
declare const KSAD_BUILD_ID: string | undefined;

/**
 * The real adapters behind the catalog use-cases, configured from the environment. Catalog builds
 * are cached only by a bundled ksad, whose build id tells one build's cache entries from another's.
 * With `progress`, long work shows on stderr as `terminalProgress` draws it (nothing for --json).
 */
export function catalogContext(
  options: { progress?: { json: boolean } } = {},
  env: NodeJS.ProcessEnv = process.env,
): CatalogContext {
  const dirs = ksadDirs(env);
  const build = typeof KSAD_BUILD_ID === 'string' ? KSAD_BUILD_ID : undefined;
  const packageRoot = sampleCatalogRoot();
  return {
    files: new FsCatalogFiles(process.cwd()),
    git: new SimpleGitRepository(env),
    registry: new JsonCatalogRegistry(dirs),
    published: new JsonPublishedLedgerStore(dirs),
    clock: systemClock,
    sampleRoot: packageRoot,
    checker: new WorkerManifestChecker({ script: manifestWorkerScript(packageRoot) }),
    ...(build === undefined
      ? {}
      : { indexCache: new FsCatalogIndexCache(join(dirs.cache, 'index'), build) }),
    ...(options.progress ? { progress: terminalProgress(options.progress) } : {}),
  };
}

/** The registry HTTP client, logged in with what `docker login` stored. */
export function imageRegistry(): RegistryHttpClient {
  return new RegistryHttpClient({ credentials: new DockerConfigCredentials(process.env) });
}
