import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import { z } from 'zod';
import type { Diagnostic } from './diagnostics.js';
import { didYouMean } from './suggest.js';
import { MAX_ALIAS_COUNT, YAML_READING, readingProblems } from './yaml-reading.js';
import { needsFullRead, nodeProblems, textProblems } from './text-guard.js';

export type YamlPath = ReadonlyArray<string | number>;

/** A parsed YAML file: the plain value plus what is needed to point back into the text. */
export interface YamlDoc {
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** Plain JS value (YAML 1.2 core schema: `2025-01-01` stays a string); undefined for an empty file. */
  value: unknown;
  /** Syntax errors and duplicate keys, in text order. */
  diagnostics: Diagnostic[];
}

export interface Position {
  line: number;
  col: number;
}

/**
 * Parses YAML text keeping node ranges: the reference reading of every file ksad decides on
 * (`YAML_READING`: YAML 1.2, core schema). Every syntax error is reported (the parser recovers),
 * duplicate keys included, and so is everything `readingProblems` refuses; when there are errors
 * `value` is still the best-effort result but callers should not validate it, because a recovered
 * tree reports confusing follow-up errors. `foreign`: the file is another tool's (a Compose file),
 * so only the parser's own errors count.
 */
export function parseYaml(
  file: string,
  text: string,
  options: { foreign?: boolean } = {},
): YamlDoc {
  const lineCounter = new LineCounter();
  // Binary text and runaway nesting are refused before the parser sees them (core/text-guard.ts).
  const refused = textProblems(file, text);
  if (refused.length > 0) {
    const empty = parseDocument('', { lineCounter: new LineCounter() });
    return { file, doc: empty, lineCounter: forText(text), value: undefined, diagnostics: refused };
  }
  const doc = parseDocument(text, { ...YAML_READING, lineCounter, prettyErrors: false });
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    diagnostics.push({
      file,
      line,
      col,
      severity: 'error',
      path: '',
      message:
        e.code === 'DUPLICATE_KEY'
          ? `duplicate key${duplicateKeyName(text, e.pos[0])}`
          : `YAML: ${firstLine(e.message)}`,
      rule: e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml',
    });
  }
  // A file in another tool's format (a Compose file) is read as that tool reads it: its importer
  // resolves `<<` itself and reports what does not carry over.
  if (options.foreign !== true) {
    for (const p of readingProblems(doc, lineCounter))
      diagnostics.push({ file, ...p, message: firstLine(p.message) });
    if (needsFullRead(text)) diagnostics.push(...nodeProblems(file, doc, lineCounter));
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // toJS throws on alias bombs and on aliases to unknown anchors; that is the file's fault.
    diagnostics.push({
      file,
      line: 1,
      col: 1,
      severity: 'error',
      path: '',
      message: `YAML: ${e instanceof Error ? firstLine(e.message) : String(e)}`,
      rule: 'yaml',
    });
    value = undefined;
  }
  return { file, doc, lineCounter, value, diagnostics };
}

/** A line counter for `text` that was not parsed, so positions in it can still be given. */
function forText(text: string): LineCounter {
  const counter = new LineCounter();
  counter.addNewLine(0);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1))
    counter.addNewLine(i + 1);
  return counter;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function duplicateKeyName(text: string, offset: number): string {
  const m = /^[^\s:#][^:#\n]*?(?=\s*:)/.exec(text.slice(offset, offset + 200));
  return m ? ` "${m[0].replace(/^["']|["']$/g, '')}"` : '';
}

function keyMatches(pair: Pair, segment: string | number): boolean {
  const key = pair.key;
  const k: unknown = isScalar(key) ? key.value : undefined;
  return (
    (typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean') &&
    String(k) === String(segment)
  );
}

function offsetOf(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as Node).range;
    if (range) return range[0];
  }
  return undefined;
}

interface Found {
  /** Offset of the deepest node reached; a missing key points at its map's first key. */
  offset: number;
  /** Offset of the key of the last pair reached, when the last segment reached was a map key. */
  keyOffset: number | undefined;
  /** How many segments were matched. */
  depth: number;
}

function walk(doc: Document.Parsed, path: YamlPath): Found {
  let node: unknown = doc.contents;
  let found: Found = { offset: offsetOf(node) ?? 0, keyOffset: undefined, depth: 0 };
  for (const [i, segment] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => keyMatches(p, segment));
      if (!pair) break;
      const keyOffset = offsetOf(pair.key);
      node = pair.value;
      found = { offset: offsetOf(node) ?? keyOffset ?? found.offset, keyOffset, depth: i + 1 };
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) break;
      node = item;
      found = { offset: offsetOf(node) ?? found.offset, keyOffset: undefined, depth: i + 1 };
    } else {
      break;
    }
  }
  return found;
}

/**
 * Line and column (1-based) of the deepest node that exists on `path`: the value when the whole
 * path exists, or the key of the deepest pair reached when a key is missing, so a "required" error
 * points at the map that should have held it.
 */
export function locate(yaml: YamlDoc, path: YamlPath): Position {
  const found = walk(yaml.doc, path);
  const offset =
    found.depth < path.length && found.keyOffset !== undefined ? found.keyOffset : found.offset;
  return yaml.lineCounter.linePos(offset);
}

/** Position of the key itself (for unknown or invalid keys); falls back to `locate`. */
export function locateKey(yaml: YamlDoc, path: YamlPath): Position {
  const found = walk(yaml.doc, path);
  if (found.depth === path.length && found.keyOffset !== undefined)
    return yaml.lineCounter.linePos(found.keyOffset);
  return locate(yaml, path);
}

/** Dotted path for humans: `services.web.ports.0.host`. */
export function formatPath(path: YamlPath): string {
  return path.map(String).join('.');
}

/** The schema that validates the value at `path`, to learn which keys are allowed there. */
function schemaAt(schema: z.ZodType, path: YamlPath): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (const segment of [...path, null]) {
    // Unwrap modifiers before every step, and once more at the end (segment null).
    for (;;) {
      if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable)
        s = s.unwrap() as z.ZodType;
      else if (s instanceof z.ZodPrefault) s = s.unwrap() as z.ZodType;
      else break;
    }
    if (segment === null || s === undefined) break;
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(segment)];
    else if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else return undefined;
  }
  return s;
}

function knownKeys(schema: z.ZodType | undefined, path: YamlPath): string[] {
  if (!schema) return [];
  const s = schemaAt(schema, path);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string')
    return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${typeof value === 'number' || typeof value === 'boolean' ? String(value) : ''}`.trimEnd();
}

function valueAt(root: unknown, path: YamlPath): unknown {
  let v: unknown = root;
  for (const segment of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[String(segment)];
  }
  return v;
}

function issueMessage(issue: z.core.$ZodIssue, yaml: YamlDoc): string {
  const actual = valueAt(yaml.value, issue.path as YamlPath);
  switch (issue.code) {
    case 'invalid_type':
      return actual === undefined
        ? 'is required'
        : `must be ${article(issue.expected)}, not ${describeType(actual)}`;
    case 'invalid_value':
      if (actual === undefined)
        return `is required: one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${typeof actual === 'string' ? didYouMean(actual, issue.values.map(String)) : ''}`;
    case 'too_small':
      if (issue.origin === 'array')
        return `must have at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string')
        return Number(issue.minimum) === 1
          ? 'must not be empty'
          : `must be at least ${String(issue.minimum)} characters`;
      return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${String(issue.maximum)} items`;
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}`;
    case 'invalid_union':
      if (actual === undefined) return 'is required';
      return `has an invalid value (${describeType(actual)}): ${unionHint(issue)}`;
    case 'invalid_key':
      return `invalid key: ${issue.issues.map((i) => i.message).join('; ')}`;
    default:
      return issue.message;
  }
}

function unionHint(issue: z.core.$ZodIssueInvalidUnion): string {
  // Report the branch that got furthest: the one with the fewest problems.
  const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
  return best?.map((i) => i.message).join('; ') ?? issue.message;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Unknown keys reported one by one per map; the rest are counted. */
const MAX_UNKNOWN_KEYS = 20;

/**
 * Turns zod issues into diagnostics located in the YAML text. `unrecognized_keys` becomes one
 * diagnostic per key, located at that key, with a "did you mean" hint when `schema` is given and a
 * known key is close.
 */
export function zodIssuesToDiagnostics(
  yaml: YamlDoc,
  issues: readonly z.core.$ZodIssue[],
  schema?: z.ZodType,
  rule = 'schema',
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, path);
      // A map of thousands of unknown keys is one mistake; locating each key is a scan of the map.
      for (const key of issue.keys.slice(0, MAX_UNKNOWN_KEYS)) {
        const keyPath = [...path, key];
        const { line, col } = locateKey(yaml, keyPath);
        out.push({
          file: yaml.file,
          line,
          col,
          severity: 'error',
          path: formatPath(keyPath),
          message: `unknown key "${key}"${didYouMean(key, known)}`,
          rule,
        });
      }
      if (issue.keys.length > MAX_UNKNOWN_KEYS) {
        const { line, col } = locate(yaml, path);
        out.push({
          file: yaml.file,
          line,
          col,
          severity: 'error',
          path: formatPath(path),
          message: `and ${issue.keys.length - MAX_UNKNOWN_KEYS} more unknown keys`,
          rule,
        });
      }
      continue;
    }
    const { line, col } = issue.code === 'invalid_key' ? locateKey(yaml, path) : locate(yaml, path);
    out.push({
      file: yaml.file,
      line,
      col,
      severity: 'error',
      path: formatPath(path),
      message: issueMessage(issue, yaml),
      rule,
    });
  }
  return out;
}

/** A diagnostic at `path` of a parsed file. */
export function diagnosticAt(
  yaml: YamlDoc,
  path: YamlPath,
  severity: Diagnostic['severity'],
  rule: string,
  message: string,
  opts: { at?: 'key' | 'value' } = {},
): Diagnostic {
  const { line, col } = opts.at === 'key' ? locateKey(yaml, path) : locate(yaml, path);
  return { file: yaml.file, line, col, severity, path: formatPath(path), message, rule };
}
