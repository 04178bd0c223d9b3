import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type {
  Catalog,
  LoadedManifest,
  LoadedMember,
  LoadedMou,
  SourceFile,
} from './catalog-model.js';
import type { Diagnostic } from './diagnostics.js';
import { catalogFileSchema, manifestSchema, memberSchema, mouSchema } from './schema/index.js';
import type { CatalogFile } from './schema/index.js';
import { parseYaml, zodIssuesToDiagnostics } from './yaml-doc.js';
import { fastParseYaml } from './yaml-fast.js';
import { needsFullRead } from './text-guard.js';
import type { YamlDoc } from './yaml-doc.js';

export const CATALOG_FILE = 'catalog/catalog.yaml';
const MEMBER_PATH = /^catalog\/members\/([^/]+)\.yaml$/;
const MOU_PATH = /^catalog\/mous\/([^/]+)\.yaml$/;
/** `manifests/<publisher>/<app>/<version>.yaml`; also matched as a suffix for loose files. */
export const MANIFEST_PATH = /(?:^|\/)manifests\/([^/]+)\/([^/]+)\/([^/]+)\.yaml$/;
const SIGNATURE_PATH = /^manifests\/[^/]+\/[^/]+\/[^/]+\.yaml\.sig$/;
const YAML_FILE = /\.ya?ml$/i;

type FileKind =
  | { kind: 'catalog' }
  | { kind: 'member'; slug: string }
  | { kind: 'mou'; slug: string }
  | { kind: 'manifest' }
  | { kind: 'signature' }
  | { kind: 'misplaced' }
  | { kind: 'wrong-extension'; expected: string }
  | { kind: 'ignored' };

function classify(path: string): FileKind {
  if (path === CATALOG_FILE) return { kind: 'catalog' };
  const member = MEMBER_PATH.exec(path);
  if (member?.[1] !== undefined) return { kind: 'member', slug: member[1] };
  const mou = MOU_PATH.exec(path);
  if (mou?.[1] !== undefined) return { kind: 'mou', slug: mou[1] };
  if (path.startsWith('manifests/') && MANIFEST_PATH.exec(path)?.index === 0)
    return { kind: 'manifest' };
  if (SIGNATURE_PATH.test(path)) return { kind: 'signature' };
  if (!YAML_FILE.test(path)) return { kind: 'ignored' };
  // `foo.yml` or `foo.YAML` where `foo.yaml` would be read: an error, or an MoU just vanishes.
  const renamed = path.replace(YAML_FILE, '.yaml');
  if (renamed !== path && classify(renamed).kind !== 'misplaced')
    return { kind: 'wrong-extension', expected: renamed };
  // A catalog repository may hold CI files and the like: only YAML inside the catalog's own
  // folders, or at the top level, is expected to be a catalog document.
  if (path.startsWith('catalog/') || path.startsWith('manifests/') || !path.includes('/'))
    return { kind: 'misplaced' };
  return { kind: 'ignored' };
}

/** Source text of every parsed file of a catalog, so lint can re-open a file for line numbers. */
const sources = new WeakMap<Catalog, Map<string, string>>();
const docCache = new WeakMap<Catalog, Map<string, YamlDoc>>();

/**
 * The parsed YAML document of one catalog file, for locating diagnostics. Documents are parsed
 * again on demand rather than kept from the build: a large catalog would otherwise hold every node
 * tree in memory, while lint only needs the few files it reports on.
 */
export function catalogYamlDoc(catalog: Catalog, file: string): YamlDoc | undefined {
  let cache = docCache.get(catalog);
  const cached = cache?.get(file);
  if (cached) return cached;
  const text = sources.get(catalog)?.get(file);
  if (text === undefined) return undefined;
  const doc = parseYaml(file, text);
  if (!cache) {
    cache = new Map();
    docCache.set(catalog, cache);
  }
  cache.set(file, doc);
  return doc;
}

/** The source text of one catalog file, when the catalog was built from (or given) its files. */
export function catalogSourceText(catalog: Catalog, file: string): string | undefined {
  return sources.get(catalog)?.get(file);
}

/**
 * Gives a catalog built earlier (and kept, e.g. in a cache) the source texts it was built from, so
 * its files can be re-opened for line numbers and signature checks as a fresh build's can.
 */
export function attachSources(catalog: Catalog, files: readonly SourceFile[]): void {
  sources.set(catalog, new Map(files.map((f) => [f.path, f.text])));
}

/** `sha256:<hex>` over the UTF-8 bytes of a file, as labels and signatures record it. */
export function fileDigest(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

export interface Validated<T> {
  /** The schema's output (defaults applied), or null when the file is not valid. */
  data: T | null;
  /** The document as read (no defaults applied) when `data` is not null: what a signature covers. */
  value?: unknown;
  diagnostics: Diagnostic[];
}

/**
 * Parses and validates one YAML file against a strict schema, collecting every problem. The fast
 * subset reader handles well-formed files; any file it declines, or that fails the schema, is
 * parsed again by the full parser so every diagnostic has a line and column. Schema validation is
 * skipped after a syntax error, because a recovered tree yields misleading issues; duplicate keys
 * alone do not stop it, but still make the file invalid.
 */
export function parseAndValidate<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
): Validated<z.output<S>> {
  const fast = needsFullRead(text) ? undefined : fastParseYaml(text);
  if (fast !== undefined) {
    const result = schema.safeParse(fast);
    if (result.success) return { data: result.data, diagnostics: [], value: fast };
  }
  const yaml = parseYaml(file, text);
  const diagnostics = [...yaml.diagnostics];
  if (diagnostics.some((d) => d.rule === 'yaml')) return { data: null, diagnostics };
  if (yaml.value === undefined || yaml.value === null) {
    diagnostics.push({
      file,
      line: 1,
      col: 1,
      severity: 'error',
      path: '',
      message: 'file is empty',
      rule: 'schema',
    });
    return { data: null, diagnostics };
  }
  const result = schema.safeParse(yaml.value);
  if (!result.success) {
    diagnostics.push(...zodIssuesToDiagnostics(yaml, result.error.issues, schema));
    return { data: null, diagnostics };
  }
  return diagnostics.length === 0
    ? { data: result.data, diagnostics, value: yaml.value }
    : { data: null, diagnostics };
}

function str(v: unknown, fallback: string): string {
  return typeof v === 'string' && v !== '' ? v : fallback;
}

/** Where a misplaced YAML file belongs, guessed from what it contains. */
function expectedPlace(path: string, value: unknown): string {
  const base = (path.split('/').pop() ?? path).replace(YAML_FILE, '');
  const v =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  if ('services' in v || ('version' in v && 'publisher' in v)) {
    return `manifests/${str(v.publisher, '<publisher>')}/${str(v.name, '<app>')}/${str(v.version, '<version>')}.yaml`;
  }
  if ('grantor' in v || 'grantees' in v) return `catalog/mous/${base}.yaml`;
  if ('code' in v && ('kind' in v || 'contacts' in v)) return `catalog/members/${base}.yaml`;
  if ('schemaVersion' in v && 'id' in v && 'title' in v) return CATALOG_FILE;
  return 'catalog/members/<slug>.yaml, catalog/mous/<slug>.yaml or manifests/<publisher>/<app>/<version>.yaml';
}

/** Whether `path` (relative to a catalog root) is read as one of the catalog's app manifests. */
export function isCatalogManifest(path: string): boolean {
  return classify(path).kind === 'manifest';
}

/**
 * A catalog's files sorted into what they describe, before any cross-file rule. `M` is what a
 * schema-valid manifest becomes: the full manifest for a `Catalog`, or less when only catalog lint
 * needs it.
 */
export interface CatalogIndex<M extends { file: string; signature?: string }> {
  info: CatalogFile | null;
  members: LoadedMember[];
  mous: LoadedMou[];
  /** Sorted by file. */
  manifests: M[];
  /** Parse, schema and layout problems, in the order of the files. */
  diagnostics: Diagnostic[];
  /** Text of every catalog, member, MoU and manifest file, by path. */
  texts: Map<string, string>;
}

/** What became of one manifest file: its problems, and its entry when it is schema-valid. */
export interface ManifestLoad<M> {
  diagnostics: Diagnostic[];
  entry: M | null;
}

/**
 * Sorts, parses and validates the files of a catalog, every problem landing in `diagnostics`;
 * files that fail their schema are left out of the index. Manifests are handed to
 * `loadManifest`, so they can be parsed and checked elsewhere (another thread) with the same
 * outcome.
 */
export function indexCatalog<M extends { file: string; signature?: string }>(
  files: readonly SourceFile[],
  loadManifest: (file: SourceFile) => ManifestLoad<M>,
): CatalogIndex<M> {
  const diagnostics: Diagnostic[] = [];
  const members: LoadedMember[] = [];
  const mous: LoadedMou[] = [];
  const manifests: M[] = [];
  const signatures = new Map<string, string>();
  const texts = new Map<string, string>();
  let info: CatalogFile | null = null;
  let sawCatalogFile = false;

  for (const f of files) {
    if (f.problem) {
      diagnostics.push({ file: f.path, path: '', rule: 'file', ...f.problem });
      continue;
    }
    const kind = classify(f.path);
    switch (kind.kind) {
      case 'ignored':
        break;
      case 'wrong-extension':
        diagnostics.push({
          file: f.path,
          line: 0,
          col: 0,
          severity: 'error',
          path: '',
          message: `only .yaml files are read here: rename it to ${kind.expected}`,
          rule: 'layout',
        });
        break;
      case 'signature':
        signatures.set(f.path.slice(0, -'.sig'.length), f.text);
        break;
      case 'misplaced': {
        const value = fastParseYaml(f.text) ?? parseYaml(f.path, f.text).value;
        diagnostics.push({
          file: f.path,
          line: 0,
          col: 0,
          severity: 'warning',
          path: '',
          message: `file in the wrong place: it is not read; move it to ${expectedPlace(f.path, value)}`,
          rule: 'layout',
        });
        break;
      }
      case 'catalog': {
        sawCatalogFile = true;
        texts.set(f.path, f.text);
        const v = parseAndValidate(f.path, f.text, catalogFileSchema);
        diagnostics.push(...v.diagnostics);
        info = v.data;
        break;
      }
      case 'member': {
        texts.set(f.path, f.text);
        const v = parseAndValidate(f.path, f.text, memberSchema);
        diagnostics.push(...v.diagnostics);
        if (v.data) members.push({ slug: kind.slug, file: f.path, member: v.data });
        break;
      }
      case 'mou': {
        texts.set(f.path, f.text);
        const v = parseAndValidate(f.path, f.text, mouSchema);
        diagnostics.push(...v.diagnostics);
        if (v.data) mous.push({ slug: kind.slug, file: f.path, mou: v.data });
        break;
      }
      case 'manifest': {
        texts.set(f.path, f.text);
        const v = loadManifest(f);
        diagnostics.push(...v.diagnostics);
        if (v.entry) manifests.push(v.entry);
        break;
      }
    }
  }

  if (!sawCatalogFile) {
    diagnostics.push({
      file: CATALOG_FILE,
      line: 0,
      col: 0,
      severity: 'error',
      path: '',
      message: `missing ${CATALOG_FILE}: a catalog needs one with schemaVersion: 1, id and title`,
      rule: 'layout',
    });
  }

  for (const m of manifests) {
    const sig = signatures.get(m.file);
    if (sig !== undefined) {
      m.signature = sig;
      signatures.delete(m.file);
    }
  }
  for (const manifestFile of signatures.keys()) {
    // A signature beside a manifest that failed its schema is not orphaned; that file already has errors.
    if (texts.has(manifestFile)) continue;
    diagnostics.push({
      file: `${manifestFile}.sig`,
      line: 0,
      col: 0,
      severity: 'warning',
      path: '',
      message: `signature without a manifest: ${manifestFile} does not exist`,
      rule: 'orphan-signature',
    });
  }

  const byPath = (a: { file: string }, b: { file: string }) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
  members.sort(byPath);
  mous.sort(byPath);
  manifests.sort(byPath);
  return { info, members, mous, manifests, diagnostics, texts };
}

/**
 * Parses, validates and indexes the files of a catalog. Nothing stops at the first problem: every
 * file is checked and every issue lands in `diagnostics`; files that fail their schema are left out
 * of the index. Cross-file rules live in `lintCatalog`.
 */
export function buildCatalog(input: {
  name: string;
  root: string;
  commit?: string;
  files: SourceFile[];
}): Catalog {
  const index = indexCatalog<LoadedManifest>(input.files, (f) => {
    const v = parseAndValidate(f.path, f.text, manifestSchema);
    return {
      diagnostics: v.diagnostics,
      entry: v.data ? { file: f.path, manifest: v.data, digest: fileDigest(f.text) } : null,
    };
  });
  const catalog: Catalog = {
    name: input.name,
    root: input.root,
    ...(input.commit === undefined ? {} : { commit: input.commit }),
    info: index.info,
    members: index.members,
    mous: index.mous,
    manifests: index.manifests,
    diagnostics: index.diagnostics,
  };
  sources.set(catalog, index.texts);
  return catalog;
}
