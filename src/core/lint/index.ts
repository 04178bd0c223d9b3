import { catalogYamlDoc, fileDigest, MANIFEST_PATH, parseAndValidate } from '../catalog-build.js';
import type { Catalog, SourceFile } from '../catalog-model.js';
import { sortDiagnostics } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { manifestSchema } from '../schema/index.js';
import { parseYaml } from '../yaml-doc.js';
import type { YamlDoc } from '../yaml-doc.js';
import { Reporter } from './context.js';
import type { LintOptions, ManifestUnit } from './context.js';
import { lintImages } from './images.js';
import { lintDuplicateVersions, lintManifestPath, lintMembers, lintPublisher } from './layout.js';
import { lintMous } from './mous.js';
import { lintConfig, lintDependencies, lintHostPorts, lintReferences } from './references.js';
import { lintRequires } from './requires.js';
import { lintRuntime } from './runtime.js';

export type { LintOptions } from './context.js';

/** Rules that need only the manifest itself. */
function lintManifestUnit(unit: ManifestUnit, r: Reporter, opts: LintOptions): void {
  lintManifestPath(unit, r);
  lintImages(unit, r);
  lintRuntime(unit, r);
  lintReferences(unit, r);
  lintDependencies(unit, r);
  lintHostPorts(unit, r);
  lintConfig(unit, r);
  lintRequires(unit, r, opts);
}

/**
 * Every rule over a built catalog. Returns the catalog's own parse and schema diagnostics plus the
 * rule results, sorted by file, line and column.
 */
export function lintCatalog(catalog: Catalog, opts: LintOptions): Diagnostic[] {
  const r = new Reporter((file) => catalogYamlDoc(catalog, file));
  lintMembers(catalog.members, r);
  for (const unit of catalog.manifests) {
    lintManifestUnit(unit, r, opts);
    lintPublisher(unit, catalog.members, r);
  }
  lintDuplicateVersions(catalog.manifests, r);
  lintMous(catalog, r, opts);
  return sortDiagnostics([...catalog.diagnostics, ...r.diagnostics]);
}

/**
 * Lints manifest files that are not (yet) part of a catalog, e.g. before `publish`. Path checks
 * apply only when a path looks like `manifests/<publisher>/<app>/<version>.yaml`. With a catalog,
 * the publisher must be one of its members and the version must not already be published there
 * (the same file, unchanged, is not a duplicate; the same path with other content is
 * `immutable-manifest`).
 */
export function lintManifestFiles(
  files: readonly SourceFile[],
  catalog: Catalog | null,
  opts: LintOptions,
): Diagnostic[] {
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const docs = new Map<string, YamlDoc>();
  const r = new Reporter((file) => {
    const text = texts.get(file);
    if (text === undefined) return undefined;
    let doc = docs.get(file);
    if (!doc) {
      doc = parseYaml(file, text);
      docs.set(file, doc);
    }
    return doc;
  });
  const out: Diagnostic[] = [];
  const units: ManifestUnit[] = [];
  for (const f of files) {
    const v = parseAndValidate(f.path, f.text, manifestSchema);
    out.push(...v.diagnostics);
    if (v.data) units.push({ file: f.path, manifest: v.data, digest: fileDigest(f.text) });
  }
  for (const unit of units) {
    lintManifestUnit(unit, r, opts);
    if (!catalog) continue;
    lintPublisher(unit, catalog.members, r);
    const published = catalog.manifests.find((m) => samePath(m.file, unit.file));
    if (published && published.digest !== unit.digest) {
      r.error(
        unit.file,
        [],
        'immutable-manifest',
        `${published.file} is already published with other content (${published.digest}); manifests are immutable, publish a new version instead`,
      );
    }
  }
  // Catalog files that are being re-linted unchanged are not duplicates of themselves.
  const others = catalog
    ? catalog.manifests.filter((m) => !units.some((u) => samePath(m.file, u.file)))
    : [];
  lintDuplicateVersions(units, r, others);
  return sortDiagnostics([...out, ...r.diagnostics]);
}

/** A loose file path (perhaps absolute) names the catalog file `catalogPath` when it ends with it. */
function samePath(catalogPath: string, loosePath: string): boolean {
  if (!MANIFEST_PATH.test(loosePath)) return false;
  return loosePath === catalogPath || loosePath.endsWith(`/${catalogPath}`);
}
