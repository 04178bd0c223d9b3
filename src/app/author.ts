import { stringify } from 'yaml';
import type { Calendar } from '../core/calendar.js';
import { parseAndValidate } from '../core/catalog-build.js';
import {
  composeEnvFiles,
  extendsFilesOf,
  importCompose,
  parseEnvFile,
  pinImages,
} from '../core/compose-import.js';
import type { DraftMetadata } from '../core/compose-import.js';
import { formatDiagnostic, sortDiagnostics } from '../core/diagnostics.js';
import type { Diagnostic } from '../core/diagnostics.js';
import { KsadError } from '../core/errors.js';
import { lintManifestFiles } from '../core/lint/index.js';
import { manifestFromPubliccode, publiccodeFromManifest } from '../core/publiccode.js';
import { manifestSchema } from '../core/schema/index.js';
import { parseYaml } from '../core/yaml-doc.js';
import type { CatalogFiles } from '../ports/catalog-files.js';
import { RegistryError, type ImageRegistry } from '../ports/image-registry.js';

export interface AuthorContext {
  files: CatalogFiles;
  /** null: do not contact registries (every tag is reported as still to pin). */
  registry: ImageRegistry | null;
}

export interface UnpinnedImage {
  service: string;
  image: string;
  reason: string;
}

export interface ComposeDraftResult {
  /** The manifest draft as written. */
  manifest: Record<string, unknown>;
  /** The draft's YAML text. */
  yaml: string;
  /** Where it was written; null: stdout. */
  out: string | null;
  /** What did not carry over from the compose file, at its line and column there. */
  warnings: Diagnostic[];
  /** Images the draft still names by tag. */
  unpinned: UnpinnedImage[];
  /** What the publisher must still decide. */
  decisions: string[];
  /** What `ksad manifest lint` says about the draft (without a catalog): only the decisions above. */
  lint: Diagnostic[];
  /** The day the draft was linted on, and its zone. */
  calendar: Calendar;
}

export interface ComposeDraftOptions {
  meta: DraftMetadata;
  /** A publiccode.yml whose descriptive fields fill what flags did not. */
  publiccode?: string | undefined;
  out?: string | undefined;
  /** Overwrite --out when it exists. */
  force?: boolean;
  /** The day the draft is linted on (no catalog: the machine's zone). */
  calendar: Calendar;
}

async function readOptional(files: CatalogFiles, path: string): Promise<string | null> {
  const info = await files.describeRoot(files.resolvePath(path));
  if (info.kind !== 'file') return null;
  const [f] = await files.readFiles([path]);
  return f?.text ?? null;
}

async function readRequired(files: CatalogFiles, path: string): Promise<string> {
  const [f] = await files.readFiles([path]);
  if (f === undefined) throw new KsadError('NOT_FOUND', `No such file: ${path}`);
  return f.text;
}

function invalid(what: string, diagnostics: readonly Diagnostic[]): KsadError {
  return new KsadError('INVALID', what, {
    details: sortDiagnostics(diagnostics.filter((d) => d.severity === 'error')).map(
      formatDiagnostic,
    ),
    suggestions: ['fix the errors at the locations shown, then run the command again'],
  });
}

function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

async function writeOut(
  files: CatalogFiles,
  out: string | undefined,
  text: string,
  force: boolean | undefined,
): Promise<string | null> {
  if (out === undefined) return null;
  const info = await files.describeRoot(files.resolvePath(out));
  if (info.kind !== 'missing' && force !== true) {
    throw new KsadError('USAGE', `${out} already exists`, {
      suggestions: ['choose another --out, or add --force to overwrite it'],
    });
  }
  await files.writeTextFile(files.resolvePath(out), text);
  return out;
}

/**
 * `manifest init --from-compose`: reads the compose file, its env files and `.env`, drafts a
 * manifest, pins each tag through the registry (when one answers), and lints the draft.
 */
export async function draftManifestFromCompose(
  ctx: AuthorContext,
  composeFile: string,
  options: ComposeDraftOptions,
): Promise<ComposeDraftResult> {
  const text = await readRequired(ctx.files, composeFile);
  const beside = (relative: string): string => ctx.files.besideFile(composeFile, relative);
  // Files named by extends.file, and theirs in turn, by their path relative to the compose file.
  const extendsFiles: Record<string, string | null> = {};
  const queue = extendsFilesOf(text, '');
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    if (Object.hasOwn(extendsFiles, p)) continue;
    const other = await readOptional(ctx.files, beside(p));
    extendsFiles[p] = other;
    if (other !== null) queue.push(...extendsFilesOf(other, p));
  }
  const envFiles: Record<string, string | null> = {};
  for (const p of composeEnvFiles(text, extendsFiles))
    envFiles[p] = await readOptional(ctx.files, beside(p));
  const dotenvText = await readOptional(ctx.files, beside('.env'));
  const dotenv: Record<string, string> = {};
  if (dotenvText !== null)
    for (const e of parseEnvFile(dotenvText)) if (e.value !== null) dotenv[e.key] = e.value;

  const meta: DraftMetadata = { ...options.meta };
  const extraWarnings: Diagnostic[] = [];
  let pcDescription: Record<string, unknown> | undefined;
  if (options.publiccode !== undefined) {
    const pcYaml = parseYaml(options.publiccode, await readRequired(ctx.files, options.publiccode));
    const imported = manifestFromPubliccode(pcYaml, {
      publisher: meta.publisher,
      version: meta.version,
      name: meta.name,
    });
    if (imported.diagnostics.some((d) => d.severity === 'error'))
      throw invalid(`${options.publiccode} cannot be read`, imported.diagnostics);
    extraWarnings.push(...imported.diagnostics);
    const m = imported.manifest;
    pcDescription = m.description as Record<string, unknown> | undefined;
    const desc = pcDescription?.id as { shortDescription?: string } | undefined;
    meta.name ??= typeof m.name === 'string' && m.name !== '' ? m.name : undefined;
    meta.version ??= typeof m.version === 'string' ? m.version : undefined;
    meta.title ??= typeof m.title === 'string' ? m.title : undefined;
    meta.description ??= desc?.shortDescription;
    meta.license ??= typeof m.license === 'string' ? m.license : undefined;
    meta.url ??= typeof m.url === 'string' ? m.url : undefined;
    meta.releaseDate ??= typeof m.releaseDate === 'string' ? m.releaseDate : undefined;
    if (meta.dimensions === undefined && Array.isArray(m.dimensions))
      meta.dimensions = m.dimensions as string[];
    if (meta.categories === undefined && Array.isArray(m.categories))
      meta.categories = m.categories as string[];
    const maint = m.maintenance as
      | { type?: DraftMetadata['maintenance']; contacts?: Array<{ name: string; email?: string }> }
      | undefined;
    meta.maintenance ??= maint?.type;
    meta.contacts ??= maint?.contacts;
  }

  let draft = importCompose({
    file: composeFile,
    text,
    envFiles,
    extendsFiles,
    dotenv,
    fallbackName: ctx.files.folderNameOf(composeFile),
    meta,
  });
  if (draft.diagnostics.some((d) => d.severity === 'error'))
    throw invalid(`${composeFile} cannot be read as a compose file`, draft.diagnostics);

  const resolved: Record<string, string> = {};
  const failures: Record<string, string> = {};
  await Promise.all(
    draft.images.map(async (img) => {
      if (ctx.registry === null) {
        failures[img.service] = 'registries were not contacted (--offline)';
        return;
      }
      try {
        resolved[img.service] = (await ctx.registry.resolveDigest(img.image)).pinned;
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        failures[img.service] = error.message;
      }
    }),
  );
  const pinned = pinImages(draft, composeFile, resolved, failures);
  draft = pinned.draft;

  // Long descriptions and features from publiccode.yml ride along in full.
  if (pcDescription?.id !== undefined && options.meta.description === undefined) {
    draft.manifest.description = { ...(draft.manifest.description as object), ...pcDescription };
  }

  const yaml = toYaml(draft.manifest);
  const lintPath = options.out ?? 'manifest.yaml';
  const lint = lintManifestFiles([{ path: lintPath, text: yaml }], null, {
    today: options.calendar.date,
  });
  const out = await writeOut(ctx.files, options.out, yaml, options.force);
  return {
    manifest: draft.manifest,
    yaml,
    out,
    warnings: sortDiagnostics([...extraWarnings, ...draft.diagnostics]),
    unpinned: pinned.unpinned,
    decisions: draft.decisions,
    lint,
    calendar: options.calendar,
  };
}

export interface PubliccodeImportResult {
  /** The manifest's descriptive fields (services, config and secrets are still to add). */
  manifest: Record<string, unknown>;
  yaml: string;
  out: string | null;
  warnings: Diagnostic[];
  decisions: string[];
}

/** `manifest import-publiccode`: the descriptive part of a manifest from a publiccode.yml. */
export async function importPubliccode(
  ctx: Pick<AuthorContext, 'files'>,
  file: string,
  options: {
    publisher: string;
    version?: string | undefined;
    name?: string | undefined;
    out?: string | undefined;
    force?: boolean;
  },
): Promise<PubliccodeImportResult> {
  const yaml = parseYaml(file, await readRequired(ctx.files, file));
  const imported = manifestFromPubliccode(yaml, options);
  if (imported.diagnostics.some((d) => d.severity === 'error'))
    throw invalid(`${file} cannot be read as a publiccode.yml`, imported.diagnostics);
  const decisions = [
    'services: add the containers the app runs (or draft them with: ksad manifest init --from-compose FILE --publiccode ' +
      file +
      ')',
  ];
  const m = imported.manifest;
  if (m.dimensions === undefined)
    decisions.push('dimensions: choose the Smart City dimensions the app serves');
  if (m.license === undefined) decisions.push('license: publiccode.yml has no legal.license');
  if (m.url === undefined) decisions.push('url: publiccode.yml has no url');
  if (m.maintenance === undefined) decisions.push('maintenance: publiccode.yml has no maintenance');
  const desc = m.description as Record<string, unknown>;
  if (desc.id === undefined)
    decisions.push(
      'description.id: write the Bahasa Indonesia description (publiccode.yml has none)',
    );
  const text = toYaml(m);
  const out = await writeOut(ctx.files, options.out, text, options.force);
  return {
    manifest: m,
    yaml: text,
    out,
    warnings: sortDiagnostics(imported.diagnostics),
    decisions,
  };
}

export interface PubliccodeExportResult {
  publiccode: Record<string, unknown>;
  yaml: string;
  out: string | null;
  warnings: Diagnostic[];
}

/** `manifest export-publiccode`: a schema-valid manifest → publiccode.yml 0.4. */
export async function exportPubliccode(
  ctx: Pick<AuthorContext, 'files'>,
  file: string,
  options: { out?: string | undefined; force?: boolean },
): Promise<PubliccodeExportResult> {
  const text = await readRequired(ctx.files, file);
  const valid = parseAndValidate(file, text, manifestSchema);
  if (valid.data === null) throw invalid(`${file} is not a valid manifest`, valid.diagnostics);
  const exported = publiccodeFromManifest(valid.data, parseYaml(file, text));
  const yaml = toYaml(exported.publiccode);
  const out = await writeOut(ctx.files, options.out, yaml, options.force);
  return {
    publiccode: exported.publiccode,
    yaml,
    out,
    warnings: sortDiagnostics(exported.diagnostics),
  };
}
