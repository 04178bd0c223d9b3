import { Schema, Type, load } from 'js-yaml';
import type { State } from 'js-yaml';
import { coreScalarTags } from './yaml-reading.js';

/**
 * The reading of plain scalars: the core schema's own resolvers (`coreScalarTags`), tried in the
 * reference parser's order, so `0x1F`, `.inf`, `+.5`, `-0` or `0b1` mean here exactly what they
 * mean to the `yaml` package. Its tag is one no document can name, so an explicit `!!int` or
 * `!!float` (which the two parsers check differently) is an unknown tag here and the file is
 * declined; explicit `!!str`, `!!seq` and `!!map` are the failsafe schema's and agree.
 */
const tags = coreScalarTags();
/**
 * Any of the tags' tests at once, so most words are turned down by one regex; the outer `^` lets
 * the engine try the start of the word only.
 */
const anyTag = new RegExp(`^(?:${tags.map((t) => t.test.source).join('|')})`);
const coreScalar = new Type('tag:ksad.invalid,2026:core-scalar', {
  kind: 'scalar',
  resolve: (source: string) => anyTag.test(source),
  construct: (source: string) => {
    const tag = tags.find((t) => t.test.test(source));
    return tag ? tag.resolve(source) : source;
  },
});
/** `!!seq` and `!!map` on a collection; on an empty node, js-yaml would make `[]` and `{}` where `yaml` refuses the tag. */
const collection = (kind: 'sequence' | 'mapping', tag: string) =>
  new Type(`tag:yaml.org,2002:${tag}`, {
    kind,
    resolve: (data: unknown) => data !== null,
    construct: (data: unknown) => data,
  });
const str = new Type('tag:yaml.org,2002:str', {
  kind: 'scalar',
  construct: (data: string | null) => data ?? '',
});
const schema = new Schema({
  explicit: [str, collection('sequence', 'seq'), collection('mapping', 'map')],
  implicit: [coreScalar],
});

/**
 * A document with this many aliases or fewer cannot reach the reference reading's alias limit
 * (`MAX_ALIAS_COUNT`, 100): the limit counts, per anchor, its uses times the aliases nested in
 * it, whose product over k aliases is at most 3^(k/3) (81 for 12).
 */
const MAX_FAST_ALIASES = 12;

/**
 * Texts left to the reference reader without trying, each a place where js-yaml and `yaml` were
 * seen to differ, with a string the text must hold for the pattern to match (a cheap test first).
 * A match inside a string only costs the fast path.
 */
const DECLINED: ReadonlyArray<readonly [string, RegExp]> = [
  ['<<', /<</], // merge keys
  ['%', /^%/m], // directives
  ['', /[|>][-+]?[1-9]/], // block scalar indentation indicators, which js-yaml measures differently
  ['\uFEFF', /\uFEFF/], // a byte order mark, after which `yaml` reads some documents differently
  ['#', /[[\]{},:"']#/], // a comment glued to a bracket, comma, colon or quote, which js-yaml accepts
  ['?', /\?(?:\s|$)/], // explicit keys, which may be collections
  // `---` or `...` glued to what follows (js-yaml takes it for a marker) or with a node after it
  ['---', /^---(?:\S|[ \t]+[^#\s])/m],
  ['...', /^\.\.\.(?:\S|[ \t]+[^#\s])/m],
  ['\r', /\r(?!\n)/], // a carriage return alone, which only js-yaml takes for a line break
  ['\\', /\\\r?\n[ \t]*\r?\n/], // an escaped line break before a blank line, folded differently
  ['\t', /^ *\t/m], // tabs in indentation, which js-yaml sometimes accepts
];

/**
 * An anchor or tag ending its line and another, or an alias, starting the next: js-yaml lets a
 * node take two, or an alias take properties.
 */
const PROPERTY_LINES =
  /(?:^|[\s,[\]{}])[&!]\S*[ \t]*(?:#.*)?\r?\n(?:[ \t]*(?:#.*)?\r?\n)*[ \t]*[&!*]/m;

/**
 * An anchor or tag with a key after it on its line (`a: &x b: 1`, `- !x b: 1`): js-yaml reads a
 * mapping there where `yaml` refuses or reads another one.
 */
const PROPERTY_THEN_KEY = /(?:^|[\s,[\]{}])[&!]\S*[ \t][^\n#]*:(?:[ \t]|$)/m;

function declined(text: string): boolean {
  return DECLINED.some(([needle, re]) => (needle === '' || text.includes(needle)) && re.test(text));
}

/** Thrown from the listener to stop reading a document the fast path must decline. */
const DECLINE = new Error('declined');

/** What follows a node, past blanks, line breaks and comments ('' at the end of the text). */
function nextToken(input: string, from: number): string {
  for (let i = from; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c === 35 /* # */) {
      while (i < input.length && input.charCodeAt(i) !== 10) i++;
    } else if (!isBlank(c)) return input.charAt(i);
  }
  return '';
}

/** Whether a node is a key: `:` follows it. */
function isFollowedByColon(input: string, from: number): boolean {
  return nextToken(input, from) === ':';
}

/**
 * Whether a null node may be a key: `:` follows it, or it ends an entry of a flow collection
 * (`{~}`, `{&a , b}`), where js-yaml makes the key `"null"` and the reference refuses it. A null
 * value there (`[~, 1]`) is declined too, at the cost of the fast path only.
 */
function endsFlowEntry(input: string, from: number): boolean {
  const next = nextToken(input, from);
  return next === ':' || next === ',' || next === '}' || next === ']';
}

/** Column of the innermost block node on the line of `at`: its key, or its `-` when it is a list item. */
function blockColumn(input: string, at: number): number {
  const lineStart = input.lastIndexOf('\n', at - 1) + 1;
  const m = /^([ \t]*(?:-[ \t]+)*)(.*)$/s.exec(input.slice(lineStart, at));
  const lead = m?.[1] ?? '';
  if ((m?.[2] ?? '') !== '') return lead.length;
  const dash = lead.lastIndexOf('-');
  return dash === -1 ? lead.length : dash;
}

/** Space, tab, line feed or carriage return. */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Whether every line of a node after its first is indented past the block node holding it, with
 * spaces only. js-yaml lets a quoted string or a flow collection continue at the indentation of
 * its parent (or with tabs) where YAML 1.2 and the `yaml` package refuse it.
 */
function continuesIndented(input: string, from: number, to: number): boolean {
  let end = to;
  while (end > from && isBlank(input.charCodeAt(end - 1))) end--;
  let nl = from;
  while (nl < end && input.charCodeAt(nl) !== 10) nl++;
  if (nl >= end) return true;
  const column = blockColumn(input, from);
  while (nl !== -1 && nl < end) {
    let i = nl + 1;
    while (input[i] === ' ') i++;
    const c = input[i];
    const blank = c === '\n' || c === '\r' || i >= end;
    if (!blank && (c === '\t' || i - nl - 1 <= column)) return false;
    nl = input.indexOf('\n', i);
  }
  return true;
}

/** Whether the node text from `at` is a flow collection (after any anchor and tag). */
function startsFlow(input: string, at: number): boolean {
  let i = at;
  for (;;) {
    const c = input[i];
    if (c === '[' || c === '{') return true;
    if (c === '&' || c === '!') {
      while (i < input.length && !isBlank(input.charCodeAt(i))) i++;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else return false;
  }
}

/**
 * Watches every node js-yaml reads and declines the document (by throwing) when the reference
 * reading may differ: a key that is null or a collection (the reference refuses it; js-yaml would
 * make it `"null"` or `"1,2"`), or a scalar or flow collection whose continuation lines are not
 * indented past their block parent.
 */
function watcher(): (event: string, state: State) => void {
  const opened: number[] = [];
  return (event, state) => {
    if (event === 'open') {
      opened.push(state.position);
      return;
    }
    const from = opened.pop() ?? 0;
    const r: unknown = state.result;
    const input = state.input;
    if (
      r === null
        ? endsFlowEntry(input, state.position)
        : typeof r === 'object' && isFollowedByColon(input, state.position)
    )
      throw DECLINE;
    if (
      (state.kind === 'scalar' || startsFlow(input, from)) &&
      !continuesIndented(input, from, state.position)
    )
      throw DECLINE;
  };
}

/** An anchor (`&name`), alias (`*name`) or tag (`!name`) where a node may start. */
const PROPERTY = /(?:^|[\s,[\]{}])([&*!])([^\s,[\]{}]*)/gm;
const NAME = /^[A-Za-z0-9_-]+$/;
const TAG = /^!?[A-Za-z0-9_-]*$/;
/** After a property: an empty node in a flow collection (`[&a ]`), which the two read differently. */
const EMPTY_IN_FLOW = /^[ \t]*[,\]}]/;
/** After a tag: the end of its line, so maybe an empty node (`a: !`), which the two read differently. */
const LINE_END = /^[ \t]*(?:#.*)?(?:\r?\n|$)/;

/**
 * Whether the anchors, aliases and tags of a text are ones both parsers read alike: plain names
 * (`yaml` refuses `&a:`, `&'x` or `&x[]` where js-yaml reads a name), each anchor defined once
 * (js-yaml lets an outer anchor, stored when its node ends, win over one redefined inside it),
 * and no anchor or tag on what may be an empty node.
 */
function plainProperties(text: string): boolean {
  const anchors = new Set<string>();
  for (const m of text.matchAll(PROPERTY)) {
    const [all, sigil, name = ''] = m;
    const rest = text.slice(m.index + all.length, m.index + all.length + 200);
    const next = rest[0] ?? '';
    if (sigil === '*') {
      if (!NAME.test(name) || !/^[\s,\]}]?$/.test(next)) return false;
      continue;
    }
    if (!/^\s?$/.test(next) || EMPTY_IN_FLOW.test(rest)) return false;
    if (sigil === '!') {
      if (!TAG.test(name) || LINE_END.test(rest)) return false;
      continue;
    }
    if (!NAME.test(name) || anchors.has(name)) return false;
    anchors.add(name);
  }
  return true;
}

/**
 * Whether a value has a key js-yaml made from a null (`"null"`, where the reference refuses the
 * key), or contains itself (an alias inside the node it names).
 */
function hasNullKeyOrCycle(value: unknown, above: Set<object> = new Set()): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (above.has(value)) return true;
  above.add(value);
  if (!Array.isArray(value) && Object.hasOwn(value, 'null')) return true;
  for (const v of Object.values(value)) if (hasNullKeyOrCycle(v, above)) return true;
  above.delete(value);
  return false;
}

function countOf(text: string, c: string): number {
  let n = 0;
  for (let i = text.indexOf(c); i !== -1; i = text.indexOf(c, i + 1)) n++;
  return n;
}

/**
 * Reads a catalog file's value with js-yaml, about twenty times faster than the `yaml` package,
 * which is the reference reading (`parseYaml`, `YAML_READING`: YAML 1.2 core schema) and knows
 * where every node sits in the text. Returns the reference reading's value, or `undefined` when
 * this reader cannot vouch for it: js-yaml refuses the text (a syntax error, a duplicate key), it
 * holds no value, or it uses what the two parsers read differently (merge keys, directives,
 * null or collection keys, explicit `!!int`/`!!float`, tags outside the core schema, many
 * aliases). The caller then parses it with `yaml`, which decides and reports every problem with
 * its line and column. test/unit/core/yaml-reading.test.ts checks the claim on generated documents.
 */
export function fastParseYaml(text: string): unknown {
  const aliases = countOf(text, '*');
  if (aliases > MAX_FAST_ALIASES || declined(text)) return undefined;
  const properties = aliases > 0 || text.includes('&') || text.includes('!');
  if (
    properties &&
    (PROPERTY_LINES.test(text) || PROPERTY_THEN_KEY.test(text) || !plainProperties(text))
  )
    return undefined;
  try {
    const value: unknown = load(text, { schema, listener: watcher() });
    // A scalar at the root is never a catalog file, and js-yaml places a root block scalar's
    // indentation differently.
    if (typeof value !== 'object' || value === null) return undefined;
    // Cycles need aliases; a null key the watcher has not seen, a flow map (`{`, not `${`).
    const walk = aliases > 0 || countOf(text, '{') > countOf(text, '${');
    return walk && hasNullKeyOrCycle(value) ? undefined : value;
  } catch {
    return undefined;
  }
}
