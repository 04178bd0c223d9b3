import {
  catalogSourceText,
  catalogYamlDoc,
  fileDigest,
  indexCatalog,
  MANIFEST_PATH,
  parseAndValidate,
} from '../catalog-build.js';
import type { CatalogIndex } from '../catalog-build.js';
import type { Catalog, LoadedMember, LoadedMou, SourceFile } from '../catalog-model.js';
import { sortDiagnostics } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { manifestSchema } from '../schema/index.js';
import type { Manifest } from '../schema/index.js';
import { parseYaml } from '../yaml-doc.js';
import type { YamlDoc } from '../yaml-doc.js';
import { Reporter } from './context.js';
import type { LintOptions, ManifestEntry, ManifestUnit } from './context.js';
import { lintImages } from './images.js';
import { lintLicense } from './license.js';
import { lintMemberKeys, lintSignatures } from './integrity.js';
import { lintDuplicateVersions, lintManifestPath, lintMembers, lintPublisher } from './layout.js';
import { lintMous } from './mous.js';
import { lintMemberRegions, lintMouRegions } from './regions.js';
import { lintConfig, lintDependencies, lintHostPorts, lintReferences } from './references.js';
import { lintRequires } from './requires.js';
import { lintResources } from './resources.js';
import { lintRuntime } from './runtime.js';

export type { LintOptions, ManifestEntry } from './context.js';

/** Rules that need only the manifest itself. */
function lintManifestUnit(unit: ManifestUnit, r: Reporter, opts: LintOptions): void {
  lintManifestPath(unit, r);
  lintImages(unit, r);
  lintLicense(unit, r);
  lintRuntime(unit, r);
  lintResources(unit, r);
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
  return lintIndex(
    catalog,
    r,
    opts,
    (unit) => lintManifestUnit(unit, r, opts),
    (file) => catalogSourceText(catalog, file),
  );
}

/**
 * The rules over an indexed catalog, in the order they report: members, then each manifest's own
 * rules (`ownRules`) and its publisher, then the rules across manifests and the MoUs.
 */
function lintIndex<U extends ManifestEntry>(
  catalog: {
    members: readonly LoadedMember[];
    mous: readonly LoadedMou[];
    manifests: readonly U[];
    diagnostics: readonly Diagnostic[];
  },
  r: Reporter,
  opts: LintOptions,
  ownRules: (unit: U) => void,
  textOf: (file: string) => string | undefined,
): Diagnostic[] {
  lintMembers(catalog.members, r);
  lintMemberRegions(catalog.members, r);
  lintMemberKeys(catalog.members, r);
  for (const unit of catalog.manifests) {
    ownRules(unit);
    lintPublisher(unit, catalog.members, r);
  }
  lintDuplicateVersions(catalog.manifests, r);
  lintSignatures(catalog.manifests, catalog.members, textOf, r);
  lintMous(catalog, r, opts);
  lintMouRegions(catalog.mous, r);
  return sortDiagnostics([...catalog.diagnostics, ...r.diagnostics]);
}

/**
 * One manifest file of a catalog checked on its own: what `lintCatalogFiles` needs of it. Plain
 * data, so that the checks can run on other threads.
 */
export interface ManifestCheck {
  /** Parse and schema problems. */
  diagnostics: Diagnostic[];
  /** Publisher, name and version of a schema-valid manifest; null when it is not valid. */
  manifest: Pick<Manifest, 'publisher' | 'name' | 'version'> | null;
  /** What the rules that need only this manifest found, in the order they report it. */
  findings: Diagnostic[];
}

/**
 * The YAML document of each file of `texts`, parsed the first time a diagnostic needs its line
 * numbers and kept for the next one.
 */
function docsOf(texts: ReadonlyMap<string, string>): (file: string) => YamlDoc | undefined {
  const docs = new Map<string, YamlDoc>();
  return (file) => {
    const text = texts.get(file);
    if (text === undefined) return undefined;
    let doc = docs.get(file);
    if (!doc) {
      doc = parseYaml(file, text);
      docs.set(file, doc);
    }
    return doc;
  };
}

/** Parses, validates and lints one manifest file of a catalog on its own. */
export function checkCatalogManifest(file: SourceFile, opts: LintOptions): ManifestCheck {
  const v = parseAndValidate(file.path, file.text, manifestSchema);
  if (!v.data) return { diagnostics: v.diagnostics, manifest: null, findings: [] };
  let doc: YamlDoc | undefined;
  const r = new Reporter((path) =>
    path === file.path ? (doc ??= parseYaml(file.path, file.text)) : undefined,
  );
  lintManifestUnit({ file: file.path, manifest: v.data }, r, opts);
  const { publisher, name, version } = v.data;
  return {
    diagnostics: v.diagnostics,
    manifest: { publisher, name, version },
    findings: r.diagnostics,
  };
}

/** A schema-valid manifest of a catalog linted through `lintCatalogFiles`. */
export interface CheckedManifest extends ManifestEntry {
  findings: Diagnostic[];
  signature?: string;
}

/**
 * Lints a catalog from its files, with the same diagnostics as `lintCatalog` over
 * `buildCatalog` of them, in the same order. The manifests' own checks are taken from `checks`
 * (by path, made by `checkCatalogManifest`, perhaps on other threads); a manifest missing there is
 * checked here. Only publisher, name and version of each manifest are kept, not its whole tree.
 */
export function lintCatalogFiles(
  files: readonly SourceFile[],
  checks: ReadonlyMap<string, ManifestCheck>,
  opts: LintOptions,
): { index: CatalogIndex<CheckedManifest>; diagnostics: Diagnostic[] } {
  const index = indexCatalog<CheckedManifest>(files, (f) => {
    const check = checks.get(f.path) ?? checkCatalogManifest(f, opts);
    return {
      diagnostics: check.diagnostics,
      entry:
        check.manifest === null
          ? null
          : { file: f.path, manifest: check.manifest, findings: check.findings },
    };
  });
  const r = new Reporter(docsOf(index.texts));
  const diagnostics = lintIndex(
    index,
    r,
    opts,
    (unit) => r.add(unit.findings),
    (file) => index.texts.get(file),
  );
  return { index, diagnostics };
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
  const r = new Reporter(docsOf(new Map(files.map((f) => [f.path, f.text]))));
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

/**
 * The lint rules that decide whether a manifest can run on a host (unsafe runtime settings, host
 * paths, memory limits the engine refuses, dependencies a deploy cannot honour), with lint's own wording and positions: deploy,
 * plan and render refuse a manifest these report, rather than dropping the settings.
 */
export function deployabilityErrors(unit: ManifestUnit, doc: YamlDoc | undefined): Diagnostic[] {
  const r = new Reporter((file) => (file === unit.file ? doc : undefined));
  lintRuntime(unit, r);
  lintResources(unit, r);
  lintDependencies(unit, r);
  return r.diagnostics.filter((d) => d.severity === 'error');
}
