import fc from 'fast-check';

/**
 * Generated YAML texts for the property test of the fast reader: every scalar form of the YAML 1.2
 * core schema and its near misses (1.1 forms, other bases, signs), quoted and block scalars,
 * multi-line plain scalars, anchors and aliases, merge keys, keys that collide, tags, comments,
 * flow and block styles, document markers, and random edits that break the text. Half the texts
 * are "clean" (few tags, no odd keys), so that the fast path is exercised and not only declined.
 */

const words = (s: string): string[] => s.split(' ');

/** Plain scalars: the core schema's forms, their near misses, and words that look like values. */
export const plainScalars = [
  // int
  ...words('0 -0 +0 12 +12 -12 007 0123 089 0o17 0o0 0o8 0O17 -0o17 +0o7 0x1F 0xff 0X1F -0x1F'),
  ...words('+0x1F 0x 0xG 0b101 0b 1_000 -1_0 9007199254740993 123456789012345678901234567890'),
  ...words('0x_1 0xFFFFFFFFFFFFFFFFFF'),
  // float
  ...words('1.5 1. .5 +.5 -.5 0.0 -0.0 1.0 1.50 1e3 1E+3 1e-3 .5e2 1.e2 12e03 1e400 -1e400'),
  ...words('6.8523015e+5 685.230_15e+03 1_0.5 1e e3 .inf -.inf +.inf .Inf -.Inf .INF +.INF .iNf'),
  ...words('inf .nan .NaN .NAN .Nan nan -.nan'),
  // null and bool
  ...words('~ null Null NULL nULL true True TRUE tRUE false False FALSE yes no Yes NO on off y n'),
  // timestamps and sexagesimal (YAML 1.1) stay strings in 1.2
  ...words('2001-12-14 2001-12-14t21:59:43.10-05:00 2001-12-14T21:59:43Z 190:20:30 12:30 1:2'),
  '2001-12-14 21:59:43.10 -5',
  // words and values that look like syntax
  ...words('a web kota-bandung 1.2.3 v1 -a a- a:b a#b http://x.id:8080/a#b ${service.db.host} ='),
  ...words('<< ?a - . .. @x %x a! a* a&b é 日本 it\'s a"b a,b a]b a}b __proto__ constructor'),
  'a b',
  'two  spaces',
];

const cleanKeys = words('a b name image web db 1 01 1.0 0x1 true "1" \'a\' "null" "<<" __proto__');
const oddKeys = [...cleanKeys, ...words('null ~ << "" .inf -0 0 NULL')];

const escapes = words(
  '\\n \\t \\\\ \\" \\x41 \\u00e9 \\U0001F600 \\N \\_ \\L \\P \\0 \\a \\e \\/ \\q \\x4',
).concat(['\\ ', '\\\t', '\\\n  ', '\t', '\n', '\n\n', ' \n ']);

const cleanTags = ['!!str', '!'];
const allTags = [
  ...cleanTags,
  ...words('!!int !!float !!bool !!null !!map !!seq !foo !!binary !!timestamp !!set !!omap'),
  ...words('!<tag:yaml.org,2002:str> !!merge'),
];

export type Tree =
  | { t: 'plain'; v: string; lines: string[] }
  | { t: 'dq'; parts: string[] }
  | { t: 'sq'; v: string; multiline: boolean }
  | { t: 'block'; header: string; lines: string[] }
  | { t: 'alias'; name: string }
  | { t: 'map'; flow: boolean; pairs: Pair[] }
  | { t: 'seq'; flow: boolean; items: Node[] };

interface Pair {
  key: string;
  value: Node;
  explicit: boolean;
}

export interface Props {
  anchor: string | null;
  tag: string | null;
  comment: string | null;
}

export type Node = Tree & { props: Props };

const anchorName = fc.constantFrom('x', 'y', 'z');

function props(noisy: boolean): fc.Arbitrary<Props> {
  return fc.record({
    anchor: fc.option(anchorName, { freq: noisy ? 4 : 15 }),
    tag: fc.option(fc.constantFrom(...(noisy ? allTags : cleanTags)), { freq: noisy ? 4 : 30 }),
    comment: fc.option(fc.constantFrom('# c', '#c', '#', '# a: b'), { freq: 6 }),
  });
}

const lineText = fc.oneof(
  fc.constantFrom('text', 'more words', '  indented', '', 'a: b', '- x', '# not a comment', 'x #y'),
  fc.constantFrom('\t tab', ' lead'),
  fc.string({ unit: fc.constantFrom('a', ' ', ':', '#', '-', "'", '"', '\\', ','), maxLength: 6 }),
);

const noLines: string[] = [];

function scalar(noisy: boolean): fc.Arbitrary<Tree> {
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        t: fc.constant('plain' as const),
        v: fc.constantFrom(...plainScalars),
        lines: fc.constant(noLines),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('plain' as const),
        v: fc.constantFrom('a', 'first', '12'),
        lines: fc.array(fc.constantFrom('b', 'second line', '', '3', '- x', 'c: d', '#x'), {
          minLength: 1,
          maxLength: 3,
        }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('dq' as const),
        parts: fc.array(fc.oneof(fc.constantFrom(...plainScalars), fc.constantFrom(...escapes)), {
          maxLength: 4,
        }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('sq' as const),
        v: fc.oneof(
          fc.constantFrom(...plainScalars),
          fc.constantFrom("it''s", "''", 'a\\n', ' lead', 'trail '),
        ),
        multiline: fc.boolean(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('block' as const),
        header: fc.constantFrom('|', '|-', '|+', '>', '>-', '>+', '|2', '>1-', '|+1', '| # c'),
        lines: fc.array(lineText, { maxLength: 4 }),
      }),
    },
    {
      weight: noisy ? 2 : 1,
      arbitrary: fc.record({ t: fc.constant('alias' as const), name: anchorName }),
    },
  );
}

const NO_PROPS: Props = { anchor: null, tag: null, comment: null };

function trees(noisy: boolean): fc.Arbitrary<Node> {
  const p = props(noisy);
  // Tags other than `!` on collections are for noisy documents only.
  const collectionProps = noisy ? p : p.map((q) => (q.tag === '!!str' ? { ...q, tag: null } : q));
  const keys = noisy ? oddKeys : cleanKeys;
  return fc.letrec<{ node: Node }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc
        .tuple(scalar(noisy), p)
        .map(([s, q]): Node => ({ ...s, props: s.t === 'alias' && !noisy ? NO_PROPS : q })),
      fc.record({
        t: fc.constant('map' as const),
        flow: fc.boolean(),
        pairs: fc.array(
          fc.record({
            key: fc.constantFrom(...keys),
            value: tie('node'),
            explicit: fc.oneof(
              { weight: noisy ? 2 : 12, arbitrary: fc.constant(false) },
              { weight: 1, arbitrary: fc.constant(true) },
            ),
          }),
          { maxLength: 4 },
        ),
        props: collectionProps,
      }),
      fc.record({
        t: fc.constant('seq' as const),
        flow: fc.boolean(),
        items: fc.array(tie('node'), { maxLength: 4 }),
        props: collectionProps,
      }),
    ),
  })).node;
}

function propText(p: Props): string {
  return [p.anchor === null ? '' : `&${p.anchor}`, p.tag ?? ''].filter((s) => s !== '').join(' ');
}

/** A node in flow context (inside [ ] or { }). */
function flow(n: Node): string {
  const p = propText(n.props);
  const pre = p === '' ? '' : `${p} `;
  switch (n.t) {
    case 'map':
      return `${pre}{${n.pairs.map((q) => `${q.explicit ? '? ' : ''}${q.key}: ${flow(q.value)}`).join(', ')}}`;
    case 'seq':
      return `${pre}[${n.items.map(flow).join(', ')}]`;
    case 'block':
      return `${pre}"${n.lines.join(' ')}"`;
    default:
      return pre + inlineScalar(n, '  ');
  }
}

function inlineScalar(n: Tree, indent: string): string {
  switch (n.t) {
    case 'plain':
      return [n.v, ...n.lines].join(`\n${indent}`);
    case 'dq':
      return `"${n.parts.join('').replace(/\n/g, `\n${indent}`)}"`;
    case 'sq':
      return n.multiline ? `'${n.v}\n${indent}${n.v}'` : `'${n.v}'`;
    case 'alias':
      return `*${n.name}`;
    default:
      return '""';
  }
}

function pairText(q: Pair, indent: string): string {
  return q.explicit
    ? `${indent}? ${q.key}\n${indent}:${block(q.value, indent)}`
    : `${indent}${q.key}:${block(q.value, indent)}`;
}

/** A node as the value after `key:` or `-` whose line is indented by `indent`. */
function block(n: Node, indent: string): string {
  const p = propText(n.props);
  const pre = p === '' ? '' : ` ${p}`;
  const c = n.props.comment === null ? '' : ` ${n.props.comment}`;
  const inner = `${indent}  `;
  if (n.t === 'map' && !n.flow && n.pairs.length > 0)
    return `${pre}${c}\n${n.pairs.map((q) => pairText(q, inner)).join('\n')}`;
  if (n.t === 'seq' && !n.flow && n.items.length > 0)
    return `${pre}${c}\n${n.items.map((i) => `${inner}-${block(i, inner)}`).join('\n')}`;
  if (n.t === 'block') {
    const body = n.lines.map((l) => (l === '' ? '' : `${inner}${l}`)).join('\n');
    return `${pre} ${n.header}\n${body}`;
  }
  if (n.t === 'map' || n.t === 'seq') return ` ${flow(n)}${c}`;
  return `${pre} ${inlineScalar(n, inner)}${c}`;
}

/** The top of a document: a block map, a block sequence, or any node. */
function document(n: Node): string {
  const bare = n.props.anchor === null && n.props.tag === null;
  if (n.t === 'map' && !n.flow && n.pairs.length > 0 && bare)
    return n.pairs.map((q) => pairText(q, '')).join('\n');
  if (n.t === 'seq' && !n.flow && n.items.length > 0 && bare)
    return n.items.map((i) => `-${block(i, '')}`).join('\n');
  return block(n, '').replace(/^ /, '');
}

const edit = fc.record({
  at: fc.nat(),
  remove: fc.nat({ max: 2 }),
  insert: fc.constantFrom(
    ...['', ' ', '  ', '\t', '\n', ':', '- ', '#', '"', "'", '&x ', '*x', '<<: *x\n', '? '],
    ...['---\n', '...\n', '[', '}', ',', '\r\n'],
  ),
});

function texts(noisy: boolean): fc.Arbitrary<string> {
  return fc
    .record({
      doc: noisy ? trees(true) : trees(false).filter((n) => n.t === 'map' || n.t === 'seq'),
      head: fc.constantFrom('', '', '', '---\n', '--- # c\n', '# leading\n', '\uFEFF'),
      directive: fc.constantFrom('', '', '', '', '%YAML 1.2\n---\n', '%YAML 1.1\n---\n'),
      tail: fc.constantFrom('', '', '\n', '\n...\n', '\n---\nb: 1\n', '\n# end', '\n\n\n'),
      anchors: fc.constantFrom(
        '',
        '',
        'x: &x {k: v}\n',
        'x: &x 1\ny: &y [1, 2]\n',
        'x: &x\n  k: v\n',
      ),
      edits: fc.oneof(
        { weight: noisy ? 3 : 17, arbitrary: fc.constant([]) },
        { weight: 3, arbitrary: fc.array(edit, { minLength: 1, maxLength: 2 }) },
      ),
    })
    .map(({ doc, head, directive, tail, anchors, edits }) => {
      const top = doc.t === 'map' && !doc.flow ? anchors : '';
      const framed = noisy ? `${directive}${head}` : head.replace('\uFEFF', '');
      const end = noisy ? tail : tail.replace('\n---\nb: 1\n', '\n');
      let text = `${framed}${top}${document(doc)}${end}`;
      for (const e of edits) {
        const at = text.length === 0 ? 0 : e.at % text.length;
        text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
      }
      return text;
    });
}

/** A YAML text: a generated document, framed, sometimes with a few random edits. */
export const yamlText: fc.Arbitrary<string> = fc.oneof(texts(true), texts(false));
