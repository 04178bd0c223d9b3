import type { Calendar } from '../core/calendar.js';
import { CATALOG_FILE, isCatalogManifest, parseAndValidate } from '../core/catalog-build.js';
import type { Catalog } from '../core/catalog-model.js';
import { formatDiagnostic, sortDiagnostics, type Diagnostic } from '../core/diagnostics.js';
import { KsadError, isKsadError } from '../core/errors.js';
import {
  checkCatalogManifest,
  lintCatalogFiles,
  lintManifestFiles,
  type LintOptions,
  type ManifestCheck,
} from '../core/lint/index.js';
import { catalogFileSchema } from '../core/schema/index.js';
import { silentProgress } from '../ports/progress.js';
import { calendarOf } from './calendar.js';
import { locateCatalog, openCatalog, SAMPLE_CATALOG, type CatalogContext } from './catalogs.js';
import { publishedVersionsChanged } from './publish.js';

export interface LintReport {
  /** The catalog linted, or the one loose manifests were checked against (null: none). */
  catalog: { name: string; root: string; commit: string | null } | null;
  /** Files read. */
  files: number;
  /** Sorted by file, line, column. */
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
  /** The day MoUs were judged on (expired ones are warnings) and the zone it was taken in. */
  calendar: Calendar;
}

/** What the lint use-cases are asked. */
export interface LintRequest {
  /** Added name, `sample`, or folder path; the default catalog when absent. */
  catalog?: string | undefined;
  /** A fixed day `YYYY-MM-DD`; without it, today in the catalog's zone, else the machine's. */
  today?: string | undefined;
}

/**
 * Lints every file of a catalog (added name, `sample`, or folder path; the default when absent).
 * The manifests, most of a large catalog, are checked one by one through `ctx.checker` (other
 * threads); only what the rules across files need of them comes back.
 */
export async function lintCatalogUseCase(
  ctx: CatalogContext,
  options: LintRequest,
): Promise<LintReport> {
  const at = await locateCatalog(ctx, options.catalog);
  const sources = await ctx.files.readCatalogFiles(at.root);
  // The day is needed before the catalog is indexed; its catalog.yaml alone says the zone.
  const info = sources.find((f) => f.path === CATALOG_FILE);
  const zone =
    info === undefined
      ? undefined
      : parseAndValidate(info.path, info.text, catalogFileSchema).data?.timeZone;
  const calendar = calendarOf(ctx.clock, { catalog: zone, date: options.today });
  const opts: LintOptions = { today: calendar.date };
  const manifests = sources.filter((f) => f.problem === undefined && isCatalogManifest(f.path));
  const checker = ctx.checker;
  const checked = await (ctx.progress ?? silentProgress).step(
    `Checking ${manifests.length} manifests`,
    (detail): Promise<ManifestCheck[]> =>
      checker
        ? checker.checkManifests(manifests, opts, (done) => detail(`${done}/${manifests.length}`))
        : Promise.resolve(manifests.map((f) => checkCatalogManifest(f, opts))),
  );
  const checks = new Map<string, ManifestCheck>();
  manifests.forEach((f, i) => {
    const check = checked[i];
    if (check !== undefined) checks.set(f.path, check);
  });
  const { index, diagnostics: linted } = lintCatalogFiles(sources, checks, opts);
  // The embedded sample's history is ksad's own source history, not a catalog's publications.
  const commit = await at.commit;
  const history =
    commit !== undefined && at.name !== SAMPLE_CATALOG
      ? await publishedVersionsChanged(ctx.git, at.root)
      : [];
  // The build's own findings (syntax, schema) may or may not be repeated by lint: keep each once.
  const diagnostics = unique([...index.diagnostics, ...linted, ...history]);
  const files = new Set([
    ...(index.info === null ? [] : [CATALOG_FILE]),
    ...index.members.map((m) => m.file),
    ...index.mous.map((m) => m.file),
    ...index.manifests.map((m) => m.file),
    ...diagnostics.map((d) => d.file),
  ]);
  return report({ name: at.name, root: at.root, commit }, files.size, diagnostics, calendar);
}

/**
 * Lints loose manifest files (files or folders), cross-checked against a catalog: the one named,
 * else the default one when it can be opened. A catalog named explicitly must open; the default
 * one is only a help, so lint goes on without it.
 */
export async function lintManifestsUseCase(
  ctx: CatalogContext,
  paths: readonly string[],
  options: LintRequest,
): Promise<LintReport> {
  const files = await ctx.files.readFiles(paths);
  if (files.length === 0) {
    throw new KsadError('USAGE', `No .yaml or .yml files found in ${paths.join(', ')}`, {
      suggestions: ['name manifest files, or folders that contain them'],
    });
  }
  let catalog: Catalog | null;
  if (options.catalog !== undefined) catalog = await openCatalog(ctx, options.catalog);
  else {
    try {
      catalog = await openCatalog(ctx);
    } catch (error) {
      if (!isKsadError(error)) throw error;
      catalog = null;
    }
  }
  const calendar = calendarOf(ctx.clock, { catalog: catalog?.info?.timeZone, date: options.today });
  return report(
    catalog,
    files.length,
    unique(lintManifestFiles(files, catalog, { today: calendar.date })),
    calendar,
  );
}

function report(
  catalog: { name: string; root: string; commit?: string | undefined } | null,
  files: number,
  diagnostics: Diagnostic[],
  calendar: Calendar,
): LintReport {
  const sorted = sortDiagnostics(diagnostics);
  return {
    catalog:
      catalog === null
        ? null
        : { name: catalog.name, root: catalog.root, commit: catalog.commit ?? null },
    files,
    diagnostics: sorted,
    errors: sorted.filter((d) => d.severity === 'error').length,
    warnings: sorted.filter((d) => d.severity === 'warning').length,
    calendar,
  };
}

function unique(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = formatDiagnostic(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
