import { isScalar, visit } from 'yaml';
import type { Document, LineCounter } from 'yaml';
import type { Diagnostic } from './diagnostics.js';

/**
 * Checks on the text and the node tree of a YAML file that the parsers do not make: what would
 * otherwise be taken silently (a NUL byte, a `__proto__` key that a plain object drops) or cost
 * without bound (flow collections nested thousands deep).
 */

/** Flow collections (`[`, `{`) nested deeper than this are refused before parsing. */
export const MAX_FLOW_DEPTH = 64;

/**
 * Lines plus flow separators (`,`) a file may hold. The parser checks each new key of a map
 * against the ones before it, so a map of n keys costs n² (20,000 keys: 20 s); a real manifest,
 * Compose file or publiccode.yml has a few hundred lines.
 */
export const MAX_ENTRIES = 5_000;

/** At most this many control characters are reported per file: the rest are the same news. */
const MAX_REPORTED = 3;

// YAML 1.2 allows tab, LF and CR among the C0 controls, NEL among C1, and no DEL, surrogates or
// U+FFFE/U+FFFF; a NUL in a scalar is not an escape the parser refuses, so it is refused here.
/* eslint-disable no-control-regex */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFE\uFFFF]/g;
const CONTROL_ANY =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFE\uFFFF]/;
/* eslint-enable no-control-regex */
const ALIAS = /(?:^|[\s[{,])\*[^\s*,[\]{}]/;

/**
 * Whether `text` needs the full parser and these checks: it holds an alias (which js-yaml shares
 * by reference, so validating an alias bomb would walk it exponentially), a `__proto__` or a
 * control character. The fast reader is for the plain rest.
 */
export function needsFullRead(text: string): boolean {
  // Three tests, the cheap ones first: one pattern with the three alternatives tries each of them
  // at every offset, about half again as slow on a plain manifest.
  return (
    text.includes('__proto__') || (text.includes('*') && ALIAS.test(text)) || CONTROL_ANY.test(text)
  );
}

/**
 * Problems of the raw text, before any parser runs, as `rule: 'yaml'` errors (so the file is not
 * validated further): control characters and NUL bytes, and flow collections nested deeper than
 * MAX_FLOW_DEPTH.
 */
export function textProblems(file: string, text: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (offset: number, message: string): Diagnostic => {
    const { line, col } = positionOf(text, offset);
    return { file, line, col, severity: 'error', path: '', message, rule: 'yaml' };
  };
  for (const m of text.matchAll(CONTROL)) {
    if (out.length >= MAX_REPORTED) break;
    const ch = m[0].charCodeAt(0);
    out.push(
      at(
        m.index,
        `${ch === 0 ? 'NUL byte' : `control character U+${ch.toString(16).toUpperCase().padStart(4, '0')}`} in the text: a YAML file holds printable text only (is it a binary file?)`,
      ),
    );
  }
  const entries = entriesOf(text);
  if (entries.count > MAX_ENTRIES)
    out.push(
      at(
        entries.at,
        `more than ${MAX_ENTRIES} lines and list items: ksad reads files of this kind up to that size`,
      ),
    );
  const deep = tooDeepAt(text);
  if (deep !== undefined)
    out.push(at(deep, `collections nested more than ${MAX_FLOW_DEPTH} deep: flatten the file`));
  return out;
}

/** How many lines and commas `text` holds, and the offset where the count passed MAX_ENTRIES. */
function entriesOf(text: string): { count: number; at: number } {
  let count = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 44) {
      count++;
      if (count === MAX_ENTRIES + 1) at = i;
    }
  }
  return { count, at };
}

/** Offset of the first `[` or `{` nested deeper than MAX_FLOW_DEPTH, ignoring comments. */
function tooDeepAt(text: string): number | undefined {
  let depth = 0;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (comment) {
      if (c === 10) comment = false;
      continue;
    }
    if (c === 35 /* # */ && (i === 0 || /\s/.test(text[i - 1] ?? ''))) comment = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if ((c === 93 /* ] */ || c === 125) /* } */ && depth > 0) depth--;
  }
  return undefined;
}

/**
 * Problems of the parsed node tree, as errors at their node: a `__proto__` key (dropped or turned
 * into a prototype by plain objects, so never what the author meant). An integer written in
 * hexadecimal or octal is the core schema's integer (`0x50` is 80), read alike by both readers
 * (test/unit/core/yaml-reading.test.ts), and accepted.
 */
export function nodeProblems(
  file: string,
  doc: Document.Parsed,
  lineCounter: LineCounter,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (offset: number, path: string, rule: string, message: string) => {
    const { line, col } = lineCounter.linePos(offset);
    out.push({ file, line, col, severity: 'error', path, message, rule });
  };
  visit(doc, {
    Pair(_key, pair, path) {
      const key = pair.key;
      if (isScalar(key) && key.value === '__proto__')
        report(
          key.range?.[0] ?? 0,
          dotted(path, '__proto__'),
          'forbidden-key',
          'the key "__proto__" is not allowed: rename it',
        );
    },
  });
  return out;
}

/** The dotted path of a node from the ancestors `visit` hands over. */
function dotted(path: readonly unknown[], last: string): string {
  const keys: string[] = [];
  for (const node of path) {
    if (node !== null && typeof node === 'object' && 'key' in node) {
      const key = node.key;
      if (isScalar(key)) keys.push(String(key.value));
    }
  }
  if (last !== '') keys.push(last);
  return keys.join('.');
}

/** Line and column (1-based, in UTF-16 units as the YAML parser counts) of `offset` in `text`. */
function positionOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}
