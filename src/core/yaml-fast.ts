/**
 * A fast reader for the plain subset of YAML that catalog files are written in: block maps and
 * sequences, one-line flow collections, plain and quoted one-line scalars, comments. It exists
 * because the `yaml` package needs about 1 ms per manifest, too slow for catalogs of thousands of
 * versions. It never guesses: anything outside the subset (anchors, tags, block scalars, multi-line
 * scalars, duplicate keys, odd indentation, non-string keys …) returns `undefined` and the caller
 * falls back to the full parser, which also reports errors with positions. When it returns a
 * value, that value equals what `yaml`'s `parseDocument(text, { schema: 'core' }).toJS()` gives;
 * test/unit/core/yaml-fast.test.ts checks this differentially.
 */

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

interface Line {
  indent: number;
  text: string;
}

/* Scalar resolution of the YAML 1.2 core schema, as the `yaml` package implements it. */
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const INT_OCT = /^0o[0-7]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
// Characters that cannot start a plain scalar, or that start something this reader does not handle.
const BAD_START = /^(?:[-?:](?:\s|$)|[,[\]{}#&*!|>'"%@`])/;
// Rejected anywhere: tabs, carriage returns, a BOM and control characters need the full parser.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSUPPORTED_TEXT = /[\t\r\uFEFF\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/;

/** First characters after which a plain scalar can only be a string ('n', 't', 'f' … need a look). */
function mayBeSpecial(s: string): boolean {
  const c = s.charCodeAt(0);
  if (Number.isNaN(c)) return true; // empty: null
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 126) return true; // 0-9 + - . ~
  if (c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70) return s.length === 4 || s.length === 5; // n N t T f F
  return false;
}

function resolvePlain(s: string): unknown {
  if (!mayBeSpecial(s)) return s;
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT.test(s) || INT_OCT.test(s) || INT_HEX.test(s)) {
    const negative = s[0] === '-';
    const digits = s[0] === '-' || s[0] === '+' ? s.slice(1) : s;
    const n = INT_OCT.test(s) ? parseInt(s.slice(2), 8) : INT_HEX.test(s) ? parseInt(s.slice(2), 16) : parseInt(digits, 10);
    // Big integers lose precision differently per parser; leave them to the full parser.
    if (!Number.isSafeInteger(n)) bail();
    return negative ? -1 * n : n;
  }
  if (FLOAT_NAN.test(s)) return s.endsWith('nan') || s.endsWith('NaN') || s.endsWith('NAN') ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s);
  return s;
}

/** Index just past a quoted scalar starting at `i`, and its value. */
function readQuoted(s: string, i: number): [string, number] {
  const q = s[i];
  let out = '';
  let j = i + 1;
  for (;;) {
    const c = s[j];
    if (c === undefined) bail();
    if (q === "'") {
      if (c === "'") {
        if (s[j + 1] === "'") {
          out += "'";
          j += 2;
          continue;
        }
        return [out, j + 1];
      }
    } else if (c === '"') {
      return [out, j + 1];
    } else if (c === '\\') {
      const e = s[j + 1];
      if (e === '\\' || e === '"' || e === '/') out += e;
      else if (e === 'n') out += '\n';
      else if (e === 't') out += '\t';
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(j + 2, j + 6))) {
        const code = parseInt(s.slice(j + 2, j + 6), 16);
        // Lone surrogates are handled differently by parsers; keep out of the subset.
        if (code >= 0xd800 && code <= 0xdfff) bail();
        out += String.fromCharCode(code);
        j += 6;
        continue;
      } else bail();
      j += 2;
      continue;
    }
    out += c;
    j++;
  }
}

/** Asserts that only spaces and an optional comment follow position `i`. */
function expectEnd(s: string, i: number): void {
  let j = i;
  while (s[j] === ' ') j++;
  if (j < s.length && !(s[j] === '#' && j > i)) bail();
}

function plainOrBail(raw: string): unknown {
  const s = raw.trimEnd();
  if (s === '' || BAD_START.test(s) || s.includes(': ') || s.endsWith(':') || s.includes(' #')) bail();
  return resolvePlain(s);
}

/** A one-line flow collection starting at `i`; returns the value and the index after it. */
function readFlow(s: string, i: number): [unknown, number] {
  const open = s[i];
  const close = open === '[' ? ']' : '}';
  const seq: unknown[] = [];
  const map: Record<string, unknown> = {};
  let j = i + 1;
  const skip = () => {
    while (s[j] === ' ') j++;
  };
  skip();
  if (s[j] === close) return [open === '[' ? seq : map, j + 1];
  for (;;) {
    skip();
    let key: string | undefined;
    if (open === '{') {
      const colon = s.indexOf(': ', j);
      if (colon < 0) bail();
      const rawKey = s.slice(j, colon).trim();
      if (/[,[\]{}"'#]/.test(rawKey)) bail();
      const k = plainOrBail(rawKey);
      if (typeof k !== 'string' || k === '__proto__' || k === '<<' || Object.hasOwn(map, k)) bail();
      key = k as string;
      j = colon + 2;
      skip();
    }
    let value: unknown;
    const c = s[j];
    if (c === '"' || c === "'") [value, j] = readQuoted(s, j);
    else if (c === '[' || c === '{') [value, j] = readFlow(s, j);
    else {
      let k = j;
      while (k < s.length && s[k] !== ',' && s[k] !== close) {
        if (s[k] === '[' || s[k] === ']' || s[k] === '{' || s[k] === '}') bail();
        k++;
      }
      value = plainOrBail(s.slice(j, k));
      j = k;
    }
    if (key === undefined) seq.push(value);
    else map[key] = value;
    skip();
    if (s[j] === ',') {
      j++;
      skip();
      // A trailing comma is legal YAML, but rare enough to leave to the full parser.
      if (s[j] === close) bail();
      continue;
    }
    if (s[j] === close) return [open === '[' ? seq : map, j + 1];
    bail();
  }
}

/** A value written on the same line as its key or dash. */
function readInline(s: string): unknown {
  const c = s[0];
  if (c === '"' || c === "'") {
    const [v, j] = readQuoted(s, 0);
    expectEnd(s, j);
    return v;
  }
  if (c === '[' || c === '{') {
    const [v, j] = readFlow(s, 0);
    expectEnd(s, j);
    return v;
  }
  const hash = s.indexOf(' #');
  return plainOrBail(hash < 0 ? s : s.slice(0, hash));
}

/** Splits `key: rest`; null when the text is not a mapping entry. */
function splitKey(text: string): { key: string; rest: string } | null {
  let keyEnd: number;
  let key: string;
  if (text[0] === '"' || text[0] === "'") {
    const [k, j] = readQuoted(text, 0);
    let m = j;
    while (text[m] === ' ') m++;
    if (text[m] !== ':' || (text[m + 1] !== undefined && text[m + 1] !== ' ')) return null;
    key = k;
    keyEnd = m;
  } else {
    // One scan: the key ends at the first ':' followed by a space or the end; ' #' before it is a comment.
    let colon = -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 58 /* : */) {
        const n = text.charCodeAt(i + 1);
        if (Number.isNaN(n) || n === 32) {
          colon = i;
          break;
        }
      } else if (c === 32 && text.charCodeAt(i + 1) === 35 /* # */) {
        return null;
      }
    }
    if (colon < 0) return null;
    const raw = text.slice(0, colon).trimEnd();
    if (raw === '' || BAD_START.test(raw) || raw.includes('#')) bail();
    const k = resolvePlain(raw);
    if (typeof k !== 'string') bail();
    key = k as string;
    keyEnd = colon;
  }
  if (key === '__proto__' || key === '<<') bail();
  const rest = text.slice(keyEnd + 1).trim();
  return { key, rest: rest.startsWith('#') ? '' : rest };
}

const isSeqItem = (text: string): boolean => text === '-' || text.startsWith('- ');

class Reader {
  private pos = 0;
  constructor(private readonly lines: Line[]) {}

  document(): unknown {
    const first = this.lines[0];
    if (!first || first.indent !== 0) bail();
    const value = this.block();
    if (this.pos < this.lines.length) bail();
    return value;
  }

  private block(): unknown {
    const line = this.lines[this.pos];
    if (!line) return bail();
    return isSeqItem(line.text) ? this.seq(line.indent) : this.map(line.indent);
  }

  /** The value of an entry whose line ended after the key or dash. */
  private nested(indent: number, seqAtSameIndent: boolean): unknown {
    const next = this.lines[this.pos];
    if (next && next.indent > indent) return this.block();
    if (seqAtSameIndent && next && next.indent === indent && isSeqItem(next.text)) return this.seq(indent);
    return null;
  }

  /** After a one-line value, a more indented line would be a continuation this reader does not handle. */
  private noContinuation(indent: number): void {
    const next = this.lines[this.pos];
    if (next && next.indent > indent) bail();
  }

  private map(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let line = this.lines[this.pos]; line && line.indent === indent; line = this.lines[this.pos]) {
      if (isSeqItem(line.text)) bail();
      const entry = splitKey(line.text);
      if (!entry || Object.hasOwn(out, entry.key)) bail();
      const { key, rest } = entry as { key: string; rest: string };
      this.pos++;
      if (rest === '') {
        out[key] = this.nested(indent, true);
      } else {
        out[key] = readInline(rest);
        this.noContinuation(indent);
      }
    }
    this.noContinuation(indent);
    return out;
  }

  private seq(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.lines[this.pos]; line && line.indent === indent && isSeqItem(line.text); line = this.lines[this.pos]) {
      const after = line.text.slice(1);
      const content = after.trimStart();
      if (content === '' || content.startsWith('#')) {
        this.pos++;
        out.push(this.nested(indent, false));
      } else if (isSeqItem(content)) {
        bail();
      } else if (splitKey(content)) {
        // `- key: value` opens a map whose keys align with this first key.
        const column = indent + 1 + (after.length - content.length);
        this.lines[this.pos] = { indent: column, text: content };
        out.push(this.map(column));
      } else {
        this.pos++;
        out.push(readInline(content));
        this.noContinuation(indent);
      }
    }
    this.noContinuation(indent);
    return out;
  }
}

/**
 * The plain value of `text` when it lies in the simple subset, else `undefined` (use the full
 * parser). An empty or comment-only file also returns `undefined`.
 */
export function fastParseYaml(text: string): unknown {
  if (UNSUPPORTED_TEXT.test(text)) return undefined;
  const lines: Line[] = [];
  const length = text.length;
  for (let start = 0; start < length; ) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = length;
    let i = start;
    while (text.charCodeAt(i) === 32) i++;
    if (i < nl && text.charCodeAt(i) !== 35 /* # */) {
      // Directives and document markers mean several documents or settings: full parser.
      if (i === start) {
        const c = text.charCodeAt(i);
        if ((c === 45 || c === 46) && (text.startsWith('---', i) || text.startsWith('...', i))) return undefined;
        if (c === 37 /* % */) return undefined;
      }
      let end = nl;
      while (text.charCodeAt(end - 1) === 32) end--;
      lines.push({ indent: i - start, text: text.slice(i, end) });
    }
    start = nl + 1;
  }
  if (lines.length === 0) return undefined;
  try {
    return new Reader(lines).document();
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}
