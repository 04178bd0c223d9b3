import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fastParseYaml } from '../../../src/core/yaml-fast.js';
import { baseCatalog, benchManifest } from './fixtures.js';

const full = (text: string): unknown => parseDocument(text, { schema: 'core' }).toJS();

/** Well-formed texts: the fast reader must give exactly what `yaml` gives. */
const inside: string[] = [
  'a: 1\nb: -2\nc: 1.5\nd: 1e3\ne: 0x1F\nf: 0o17\ng: .inf\nh: -.inf\ni: ~\nj: null\nk:\nl: true\nm: False\n',
  'date: 2025-01-01\nversion: 1.2.3\nyes: yes\nno: off\nurl: http://x.id:8080/a#b\n',
  'q: "a \\"b\\" \\u00e9 \\n"\ns: \'it\'\'s\'\nhash: a #comment\nplain: a#b\n',
  'list:\n- a\n- b\nnested:\n  - name: x\n    value: [1, "two", {k: v}]\n  -\n    deep: {}\n  - []\n',
  'env:\n  DB_HOST: ${service.db.host}\n  EMPTY: ""\ncmd: [wget, -q, -O-, http://localhost:8080/health]\n',
  '# leading comment\nkey: value   # trailing\n\n\nother:   spaced   words  \n',
  'a:\n  b:\n    c:\n      - d: 1\n        e: 2\n',
];

/** Texts the fast reader must decline, so the full parser reports them with positions. */
const declined: string[] = [
  'a: 1\na: 2\n',
  'a: b: c\n',
  'a: 1\n  b: 2\n',
  'a: [1,\n',
  '',
  '# only a comment\n',
  'key: "unterminated\n',
];

/** Texts with features beyond plain maps and lists: when read, they must read as `yaml` reads them. */
const beyond: string[] = [
  '- 1\n- - 2\n',
  'a: &x 1\nb: *x\n',
  'a: |\n  block\n',
  'a: plain\n  continued\n',
  '---\na: 1\n',
  'a: [1,\n  2]\n',
  '1: one\n',
  'a: !!str 1\n',
];

describe('fastParseYaml', () => {
  it.each(inside.map((text) => ({ text })))('agrees with yaml on %#', ({ text }) => {
    expect(fastParseYaml(text)).toEqual(full(text));
  });

  it.each(declined.map((text) => ({ text })))('declines %#', ({ text }) => {
    expect(fastParseYaml(text)).toBeUndefined();
  });

  it.each(beyond.map((text) => ({ text })))(
    'agrees with yaml beyond plain maps on %#',
    ({ text }) => {
      expect(fastParseYaml(text)).toEqual(full(text));
    },
  );

  it('reads every fixture file like yaml does', () => {
    const files = [...baseCatalog(), benchManifest('kota-bandung', 'sipd', '1.0.0')];
    for (const f of files) {
      const fast = fastParseYaml(f.text);
      expect(fast, f.path).not.toBeUndefined();
      expect(fast, f.path).toEqual(full(f.text));
    }
  });
});
