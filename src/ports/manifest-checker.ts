import type { SourceFile } from '../core/catalog-model.js';
import type { LintOptions, ManifestCheck } from '../core/lint/index.js';

/**
 * Runs catalog lint's checks of single manifests (core's `checkCatalogManifest`) over many files,
 * perhaps spread over threads. Implemented by `adapters/worker-manifest-checker.ts`; without one,
 * the lint use case runs them in its own thread.
 */
export interface ManifestChecker {
  /**
   * One check per file, in the order of `files`. `onChecked`, when given, hears how many files are
   * checked so far as the work goes on.
   */
  checkManifests(
    files: readonly SourceFile[],
    opts: LintOptions,
    onChecked?: (done: number) => void,
  ): Promise<ManifestCheck[]>;
}
