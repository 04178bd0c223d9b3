import type { SourceFile } from '../../../src/core/catalog-model.js';
import { importCompose } from '../../../src/core/compose-import.js';
import { checkServiceOverrides } from '../../../src/core/config.js';
import type { Diagnostic } from '../../../src/core/diagnostics.js';
import { isKsadError } from '../../../src/core/errors.js';
import { lintCatalogFiles, lintManifestFiles } from '../../../src/core/lint/index.js';
import { mergeOverlays } from '../../../src/core/overlay-merge.js';
import { manifestFromPubliccode } from '../../../src/core/publiccode.js';
import { manifestSchema } from '../../../src/core/schema/index.js';
import { canonicalManifest, parsePrivateKeyFile } from '../../../src/core/signing.js';
import { parseYaml } from '../../../src/core/yaml-doc.js';
import { loadOverlays } from '../../../src/app/prepare.js';
import type { TextTarget } from './corpus.js';
import { baseCatalog, manifest } from '../core/fixtures.js';

export const TODAY = '2026-12-01';

/** How one case ended. */
export type Outcome =
  | { kind: 'error'; detail: string }
  | { kind: 'accept'; detail: string }
  | { kind: 'unclear'; detail: string }
  | { kind: 'crash'; detail: string }
  | { kind: 'hang'; detail: string };

/** What an entry point reported: its error diagnostics for the file, or nothing. */
export type Reported = { diagnostics: readonly Diagnostic[] } | { accepted: true };

/**
 * Classifies what `run` did with the input shown as `file`: a KsadError naming the file, or an
 * error diagnostic in the file with a line and column, is a clear error; any other throw is a
 * crash; a KsadError that does not name the file is unclear.
 */
export async function classify(
  file: string,
  run: () => Reported | Promise<Reported>,
  timeoutMs: number,
): Promise<Outcome> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), timeoutMs);
  });
  try {
    const result = await Promise.race([Promise.resolve().then(run), timeout]);
    // A synchronous parse that ran past the budget blocked the timer: still a hang.
    const elapsed = performance.now() - started;
    if (result === 'hang' || elapsed > timeoutMs)
      return { kind: 'hang', detail: `${Math.round(elapsed)} ms` };
    if ('accepted' in result) return { kind: 'accept', detail: '' };
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length === 0) return { kind: 'accept', detail: 'warnings only' };
    const located = errors.every(
      (d) => d.file.endsWith(file) && Number.isInteger(d.line) && Number.isInteger(d.col),
    );
    const first = errors[0];
    const detail = first ? `${first.file}:${first.line}:${first.col}: ${first.message}` : '';
    return located ? { kind: 'error', detail } : { kind: 'unclear', detail };
  } catch (error) {
    if (!isKsadError(error)) {
      return {
        kind: 'crash',
        detail: error instanceof Error ? (error.stack ?? error.message) : String(error),
      };
    }
    const text = [error.message, ...error.details].join('\n');
    return text.includes(file)
      ? { kind: 'error', detail: error.message }
      : { kind: 'unclear', detail: text };
  } finally {
    clearTimeout(timer);
  }
}

/** Catalog path of a target's file inside the base catalog. */
const CATALOG_PATH: Partial<Record<TextTarget, string>> = {
  member: 'catalog/members/kota-bogor.yaml',
  mou: 'catalog/mous/fuzz.yaml',
  catalog: 'catalog/catalog.yaml',
  signature: 'manifests/kota-bandung/antrean-daring/1.0.0.yaml.sig',
};

/** The file name a text target's input is shown as. */
export function shownFile(target: TextTarget): string {
  return CATALOG_PATH[target] ?? `fuzz-${target}.yaml`;
}

/**
 * The catalog a catalog-file target is linted in: the unit fixtures' base catalog, with the
 * sample's signed manifest and its publisher's key for the `.sig` target.
 */
function catalogWith(
  target: TextTarget,
  text: string,
  sample: readonly SourceFile[],
): SourceFile[] {
  const path = CATALOG_PATH[target] ?? '';
  const files = target === 'signature' ? [...sample] : baseCatalog().filter((f) => f.path !== path);
  return [...files.filter((f) => f.path !== path), { path, text }];
}

/** The lint, overlay, import and signing entry points, fed `text` as the target's file. */
export function runText(target: TextTarget, text: string, sample: readonly SourceFile[]): Reported {
  const file = shownFile(target);
  switch (target) {
    case 'manifest':
      return { diagnostics: lintManifestFiles([{ path: file, text }], null, { today: TODAY }) };
    case 'sign':
      canonicalManifest(file, text);
      return { accepted: true };
    case 'member':
    case 'mou':
    case 'catalog':
    case 'signature': {
      const files = catalogWith(target, text, sample);
      const { diagnostics } = lintCatalogFiles(files, new Map(), { today: TODAY });
      return { diagnostics: diagnostics.filter((d) => d.file === file) };
    }
    case 'overlay':
      return runOverlay(file, text);
    case 'compose': {
      const draft = importCompose({ file, text, meta: { publisher: 'kota-bandung' } });
      return { diagnostics: draft.diagnostics };
    }
    case 'publiccode':
      return {
        diagnostics: manifestFromPubliccode(parseYaml(file, text), { publisher: 'kota-bandung' })
          .diagnostics,
      };
    case 'key':
      parsePrivateKeyFile(file, text);
      return { accepted: true };
  }
}

const OVERLAY_MANIFEST = manifestSchema.parse(
  parseYaml(
    'm.yaml',
    manifest({ extra: ['config:', '  HTTP_PORT: {type: port, description: port}'] }).text,
  ).value,
);

/** An overlay as deploy reads it: parsed, merged and checked against the manifest's services. */
function runOverlay(file: string, text: string): Reported {
  const layers = loadOverlays([{ file, text }], 'antrean-daring');
  const merged = mergeOverlays(layers);
  const problems = checkServiceOverrides(OVERLAY_MANIFEST, merged.merged.services, merged.origins);
  if (problems.length === 0) return { accepted: true };
  return {
    diagnostics: problems.map((p) => ({
      file: p.source,
      line: 0,
      col: 0,
      severity: 'error' as const,
      path: p.path.join('.'),
      message: p.message,
      rule: p.rule,
    })),
  };
}
