import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import { lintCatalog, lintManifestFiles } from '../../../src/core/lint/index.js';
import { isCalendarDate } from '../../../src/core/schema/common.js';
import { parseYaml } from '../../../src/core/yaml-doc.js';
import { baseCatalog, manifest, member, mou, withFiles } from './fixtures.js';

const TODAY = '2026-12-01';
const lintOne = (text: string): string[] =>
  lintManifestFiles([{ path: 'm.yaml', text }], null, { today: TODAY }).map(formatDiagnostic);
const web = (...lines: string[]) =>
  manifest({ services: ['  web:', `    image: r.example/web@sha256:${'a'.repeat(64)}`, ...lines] })
    .text;

describe('what the text guard refuses, at file:line:col', () => {
  it.each([
    [
      'a NUL byte',
      'a: x\0y\n',
      'x.yaml:1:5: error: NUL byte in the text: a YAML file holds printable text only (is it a binary file?)',
    ],
    [
      'deep flow nesting',
      `a: ${'['.repeat(65)}${']'.repeat(65)}\n`,
      'x.yaml:1:68: error: collections nested more than 64 deep: flatten the file',
    ],
    [
      'a __proto__ key',
      'a:\n  __proto__: 1\n',
      'x.yaml:2:3: error: a.__proto__: the key "__proto__" is not allowed: rename it',
    ],
  ])('%s', (_name, text, expected) => {
    expect(parseYaml('x.yaml', text).diagnostics.map(formatDiagnostic)).toEqual([expected]);
  });
});

describe('values the engine would refuse', () => {
  it('environment names and memory limits', () => {
    expect(
      lintOne(web('    environment:', '      "A=B": x', '    resources:', '      memory: 1k')),
    ).toEqual([
      'm.yaml:18:7: error: services.web.environment.A=B: invalid key: must be a variable name: not empty, without "=" or NUL',
    ]);
    expect(lintOne(web('    resources:', '      memory: 1k'))).toEqual([
      'm.yaml:18:15: error: services.web.resources.memory: "1k" is below 6m (6291456 bytes), the smallest memory limit Docker accepts',
    ]);
  });

  it('calendar dates', () => {
    expect(['2028-02-29', '2026-12-31', '2000-02-29'].every(isCalendarDate)).toBe(true);
    expect(
      ['2028-02-30', '2027-02-29', '1900-02-29', '2026-04-31', '2026-13-01'].some(isCalendarDate),
    ).toBe(false);
  });
});

describe('catalog rules', () => {
  const lint = (...files: Parameters<typeof withFiles>[1][]) =>
    lintCatalog(
      buildCatalog({ name: 't', root: '/c', files: withFiles(baseCatalog(), ...files) }),
      { today: TODAY },
    ).map(formatDiagnostic);

  it('self-grant', () => {
    const m = mou({
      slug: 'self',
      grantor: '32.73',
      grantees: ['32.73'],
      apps: [{ name: 'antrean-daring' }],
    });
    expect(lint(m)).toContain(
      'catalog/mous/self.yaml:5:5: error: grantees.0: grantee 32.73 is the grantor: a region does not need an MoU with itself; remove it from grantees',
    );
  });

  it('duplicate key ids', () => {
    const key = '{id: k1, algorithm: ed25519, publicKey: "' + 'A'.repeat(43) + '="}';
    const m = member({ slug: 'kota-bandung', code: '32.73', publisher: true });
    expect(lint({ ...m, text: `${m.text}keys:\n  - ${key}\n  - ${key}\n` })).toEqual([
      'catalog/members/kota-bandung.yaml:10:10: error: keys.1.id: key id "k1" is already used by keys.0: a signature could not say which key made it; give this key another id',
    ]);
  });

  it('a .yml file where .yaml is read, and a file the reader refused', () => {
    const m = mou({
      slug: 'late',
      grantor: '32.73',
      grantees: ['52.04'],
      apps: [{ name: 'antrean-daring' }],
    });
    expect(lint({ ...m, path: 'catalog/mous/late.yml' })).toContain(
      'catalog/mous/late.yml:0:0: error: only .yaml files are read here: rename it to catalog/mous/late.yaml',
    );
    const linked = {
      path: 'catalog/mous/x.yaml',
      text: '',
      problem: { severity: 'error' as const, line: 0, col: 0, message: 'is a symbolic link' },
    };
    expect(lint(linked)).toContain('catalog/mous/x.yaml:0:0: error: is a symbolic link');
  });
});
