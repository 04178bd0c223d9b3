import { describe, expect, it } from 'vitest';
import { buildCatalog, fileDigest } from '../../../src/core/catalog-build.js';
import type { SourceFile } from '../../../src/core/catalog-model.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import { baseCatalog, manifest, member, withFiles } from './fixtures.js';

const build = (files: SourceFile[]) => buildCatalog({ name: 'test', root: '/catalog', files });
const M = 'manifests/kota-bandung/antrean-daring/1.0.0.yaml';

describe('buildCatalog', () => {
  it('indexes a good catalog', () => {
    const c = build(baseCatalog());
    expect(c.diagnostics).toEqual([]);
    expect(c.info).toEqual({ schemaVersion: 1, id: 'ksad-test', title: 'KSAD test catalog' });
    expect(c.members.map((m) => m.slug)).toEqual([
      'kab-sumbawa',
      'kab-wonosobo',
      'kota-bandung',
      'kota-tangerang',
    ]);
    expect(c.mous.map((m) => m.slug)).toEqual(['bandung-sumbawa']);
    expect(c.manifests.map((m) => m.manifest.version)).toEqual(['1.0.0', '1.2.0', '2.0.0-beta.1']);
    // Defaults are applied by the schema.
    expect(c.manifests[0]?.manifest.services.web?.restart).toBe('unless-stopped');
  });

  it('hashes the file bytes and attaches the signature', () => {
    const m = manifest();
    const c = build([
      ...baseCatalog(),
      { path: `${M}.sig`, text: 'untrusted comment: sig\nRWQ…\n' },
    ]);
    const loaded = c.manifests.find((x) => x.file === M);
    expect(loaded?.digest).toBe(fileDigest(m.text));
    expect(loaded?.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(loaded?.signature).toBe('untrusted comment: sig\nRWQ…\n');
    // UTF-8 bytes, not UTF-16 code units.
    expect(fileDigest('\u00e9')).toBe(
      'sha256:4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c',
    );
  });

  it('reports a missing catalog.yaml', () => {
    const c = build(baseCatalog().filter((f) => f.path !== 'catalog/catalog.yaml'));
    expect(c.diagnostics.map(formatDiagnostic)).toEqual([
      'catalog/catalog.yaml:0:0: error: missing catalog/catalog.yaml: a catalog needs one with schemaVersion: 1, id and title',
    ]);
  });

  it('warns about YAML in the wrong place and ignores other files', () => {
    const c = build([
      ...baseCatalog(),
      { ...manifest({ version: '3.0.0' }), path: 'manifests/kota-bandung/3.0.0.yaml' },
      { path: 'README.md', text: '# catalog' },
      { path: '.github/workflows/ci.yaml', text: 'on: push\n' },
    ]);
    expect(c.diagnostics.map(formatDiagnostic)).toEqual([
      'manifests/kota-bandung/3.0.0.yaml:0:0: warning: file in the wrong place: it is not read; move it to manifests/kota-bandung/antrean-daring/3.0.0.yaml',
    ]);
    expect(c.manifests).toHaveLength(3);
  });

  interface Row {
    name: string;
    file: SourceFile;
    expected: string[];
  }
  const K = 'catalog/members/kota-bandung.yaml';
  const good = member({ slug: 'kota-bandung', code: '32.73', publisher: true });
  const rows: Row[] = [
    {
      name: 'malformed YAML (every error)',
      file: { path: K, text: 'code: a: b\nkind: kota\n\tname: x\nweb: @x\n' },
      expected: [
        `${K}:1:7: error: YAML: Nested mappings are not allowed in compact mappings`,
        `${K}:3:1: error: YAML: Tabs are not allowed as indentation`,
        `${K}:4:6: error: YAML: Plain value cannot start with reserved character @`,
      ],
    },
    {
      name: 'duplicate key',
      file: { path: K, text: `${good.text}name: again\n` },
      expected: [`${K}:8:1: error: duplicate key "name"`],
    },
    {
      name: 'wrong type',
      file: { path: K, text: good.text.replace('publisher: true', 'publisher: "yes"') },
      expected: [`${K}:7:12: error: publisher: must be a boolean, not the string "yes"`],
    },
    {
      name: 'unknown key with a hint',
      file: { path: K, text: `${good.text}contact: x\nfoo: 1\n` },
      expected: [
        `${K}:8:1: error: contact: unknown key "contact" (did you mean "contacts"?)`,
        `${K}:9:1: error: foo: unknown key "foo"`,
      ],
    },
    {
      name: 'unknown nested key',
      file: { path: K, text: good.text.replace('    email:', '    emial:') },
      expected: [`${K}:6:5: error: contacts.0.emial: unknown key "emial" (did you mean "email"?)`],
    },
    {
      name: 'bad region code',
      file: { path: K, text: good.text.replace('"32.73"', '"3273"') },
      expected: [`${K}:1:7: error: code: must be a Kemendagri region code such as "32.73" (PP.KK)`],
    },
    {
      name: 'bad semver',
      file: manifest({ version: 'v1.0' }),
      expected: [
        'manifests/kota-bandung/antrean-daring/v1.0.yaml:3:10: error: version: must be a semantic version such as "1.2.3" (no leading "v")',
      ],
    },
    {
      name: 'bad enum value with a hint',
      file: { path: K, text: good.text.replace('kind: kota', 'kind: kotaa') },
      expected: [
        `${K}:3:7: error: kind: must be one of "kota", "kabupaten", "provinsi" (did you mean "kota"?)`,
      ],
    },
    {
      name: 'empty file',
      file: { path: K, text: '# nothing yet\n' },
      expected: [`${K}:1:1: error: file is empty`],
    },
  ];

  it.each(rows)('schema: $name', ({ file, expected }) => {
    const c = build(withFiles(baseCatalog(), file));
    expect(c.diagnostics.map(formatDiagnostic)).toEqual(expected);
    // Invalid files are left out of the index.
    expect(
      c.members.some((m) => m.file === file.path) || c.manifests.some((m) => m.file === file.path),
    ).toBe(false);
  });
});
