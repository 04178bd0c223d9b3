import { Schema, isAlias, isCollection, isScalar, visit } from 'yaml';
import type {
  Document,
  LineCounter,
  Node,
  ParseOptions,
  DocumentOptions,
  SchemaOptions,
  YAMLMap,
} from 'yaml';
import type { Diagnostic } from './diagnostics.js';

/**
 * How ksad reads every YAML file it decides on (catalog, members, MoUs, manifests, signatures):
 * YAML 1.2, core schema, with the `yaml` package. Spelled out rather than left to defaults, so a
 * change of default in the parser cannot change what a signed manifest means:
 * - `merge: false`: `<<` merge keys are YAML 1.1; a plain `<<` key is refused (`readingProblems`).
 * - `resolveKnownTags: false`: `!!binary`, `!!timestamp`, `!!set`… are not core tags; they fail to
 *   resolve, and an unresolved tag is an error, not a string.
 * - `uniqueKeys: true`, and `readingProblems` also refuses keys that are different YAML scalars but
 *   one key of a JS object (`1` and `"1"`), which the plain value would silently collapse.
 * - `intAsBigInt: false`: integers are JS numbers, as JSON carries them.
 */
export const YAML_READING = {
  version: '1.2',
  schema: 'core',
  merge: false,
  resolveKnownTags: false,
  uniqueKeys: true,
  intAsBigInt: false,
  strict: true,
} as const satisfies ParseOptions & DocumentOptions & SchemaOptions;

/** Aliases resolved in one document before it is refused as a resource-exhaustion attack. */
export const MAX_ALIAS_COUNT = 100;

/** The implicit scalar tags of the reading, in the order the parser tries them on a plain scalar. */
export interface CoreScalarTag {
  test: RegExp;
  resolve: (source: string) => unknown;
}

/**
 * The core schema's scalar resolvers, taken from the `yaml` package itself so that a reader other
 * than the reference (the fast path) turns a plain scalar into the very same value.
 */
export function coreScalarTags(): CoreScalarTag[] {
  const schema = new Schema({ schema: YAML_READING.schema, merge: YAML_READING.merge });
  const out: CoreScalarTag[] = [];
  for (const tag of schema.tags) {
    if (tag.collection !== undefined || tag.default !== true || tag.test === undefined) continue;
    const resolve = tag.resolve.bind(tag);
    out.push({
      test: tag.test,
      resolve: (source) => {
        const r: unknown = resolve(source, () => undefined, {
          intAsBigInt: YAML_READING.intAsBigInt,
        });
        return isScalar(r) ? r.value : r;
      },
    });
  }
  return out;
}

type Problem = Omit<Diagnostic, 'file'>;

function problem(lc: LineCounter, offset: number, rule: string, message: string): Problem {
  const { line, col } = lc.linePos(offset);
  return { line, col, severity: 'error', path: '', message, rule };
}

/** The key of a JS object that a map key becomes, or why it cannot be one. */
function jsKey(doc: Document.Parsed, key: unknown): { key: string } | { error: string } {
  const node = isAlias(key) ? key.resolve(doc) : key;
  if (node === undefined || node === null) return { error: 'a key cannot be empty' };
  if (isCollection(node))
    return { error: 'a key must be a string or a number, not a list or a map' };
  if (!isScalar(node)) return { error: 'a key must be a string or a number' };
  const v: unknown = node.value;
  if (v === null) return { error: 'a key cannot be null (write it in quotes for the word)' };
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
    return { error: 'a key must be a string or a number' };
  return { key: String(v) };
}

function offsetOf(node: unknown, fallback: number): number {
  return (node as Node | null)?.range?.[0] ?? fallback;
}

const MERGE_KEY =
  'merge key "<<" is YAML 1.1 and ksad reads YAML 1.2, where it is an ordinary key: write the merged keys out (or quote "<<" for a key of that name)';

/** Merge keys, keys no JS object can hold, and keys that collide in the plain value. */
function keyProblems(doc: Document.Parsed, lc: LineCounter, map: YAMLMap): Problem[] {
  const out: Problem[] = [];
  const seen = new Map<string, unknown>();
  const start = offsetOf(map, 0);
  for (const pair of map.items) {
    const at = offsetOf(pair.key, offsetOf(pair.value, start));
    if (isScalar(pair.key) && pair.key.type === 'PLAIN' && pair.key.source === '<<') {
      out.push(problem(lc, at, 'yaml', MERGE_KEY));
      continue;
    }
    const k = jsKey(doc, pair.key);
    if ('error' in k) {
      out.push(problem(lc, at, 'yaml', k.error));
      continue;
    }
    const earlier = seen.get(k.key);
    if (earlier === undefined) seen.set(k.key, pair.key);
    // The parser reports keys with equal values itself (DUPLICATE_KEY).
    else if (!sameScalar(earlier, pair.key))
      out.push(
        problem(
          lc,
          at,
          'duplicate-key',
          `duplicate key "${k.key}" (another key reads as the same)`,
        ),
      );
  }
  return out;
}

/**
 * What makes a parsed document mean something other than its plain value suggests: parser
 * warnings (an unresolved tag, an unsupported `%YAML` version), a `%YAML` directive other than
 * 1.2, plain `<<` merge keys, keys no JS object can hold, keys that differ in YAML but collide
 * in the plain value, and aliases inside the node they name (a value that contains itself).
 * Each is an error at the key or token where it happens.
 */
export function readingProblems(doc: Document.Parsed, lc: LineCounter): Problem[] {
  const out: Problem[] = [];
  for (const w of doc.warnings) out.push(problem(lc, w.pos[0], 'yaml', `YAML: ${w.message}`));
  const version = doc.directives?.yaml.explicit ? doc.directives.yaml.version : '1.2';
  if (version !== '1.2')
    out.push(problem(lc, 0, 'yaml', `ksad reads YAML 1.2; remove the %YAML ${version} line`));
  visit(doc, {
    Alias: (_, alias, path) => {
      const target = alias.resolve(doc);
      if (target !== undefined && path.includes(target))
        out.push(
          problem(
            lc,
            offsetOf(alias, 0),
            'yaml',
            `alias *${alias.source} is inside the node it names: a value cannot contain itself`,
          ),
        );
    },
    Map: (_, map) => {
      out.push(...keyProblems(doc, lc, map));
    },
  });
  return out;
}

function sameScalar(a: unknown, b: unknown): boolean {
  return isScalar(a) && isScalar(b) && a.value === b.value;
}
