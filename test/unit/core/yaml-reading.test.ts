import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCatalog, catalogYamlDoc } from '../../../src/core/catalog-build.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import { KsadError } from '../../../src/core/errors.js';
import { lintManifestFiles } from '../../../src/core/lint/index.js';
import { canonicalManifest, canonicalManifestValue } from '../../../src/core/signing.js';
import { parseYaml } from '../../../src/core/yaml-doc.js';
import { fastParseYaml } from '../../../src/core/yaml-fast.js';
import { catalogFixtureFiles, manifestYaml } from '../../support/catalog-fixture.js';
import { yamlText } from './yaml-gen.js';

/**
 * The claim of the fast reader: whenever it returns a value, the reference reading (`parseYaml`)
 * finds nothing wrong with the text and gives the same value, with the same key order.
 */
function fastAgrees(text: string): 'read' | 'declined' | 'refused' {
  const fast = fastParseYaml(text);
  const ref = parseYaml('f.yaml', text);
  const clean = ref.diagnostics.length === 0 && typeof ref.value === 'object' && ref.value !== null;
  if (fast === undefined) return clean ? 'declined' : 'refused';
  expect(ref.diagnostics.map(formatDiagnostic), JSON.stringify(text)).toEqual([]);
  expect(fast, JSON.stringify(text)).toEqual(ref.value);
  expect(JSON.stringify(fast), JSON.stringify(text)).toBe(JSON.stringify(ref.value));
  return 'read';
}

// KSAD_YAML_RUNS=200000 for a longer search; fast-check prints the seed of any counterexample.
const runs = Number(process.env.KSAD_YAML_RUNS ?? 2000);
const seed =
  process.env.KSAD_YAML_SEED === undefined ? 20261201 : Number(process.env.KSAD_YAML_SEED);

describe('the fast reader reads what the reference reads, or declines', () => {
  it('on generated documents', () => {
    const seen = { read: 0, declined: 0, refused: 0 };
    fc.assert(
      fc.property(yamlText, (text) => {
        seen[fastAgrees(text)]++;
      }),
      { numRuns: runs, seed },
    );
    // Not vacuous: many of the texts the reference reads take the fast path.
    expect(seen.read / (seen.read + seen.declined)).toBeGreaterThan(0.3);
  }, 600_000);

  it.each([
    ['0x1F', 31],
    ['0o17', 15],
    ['017', 17],
    ['-0x1F', '-0x1F'],
    ['0b101', '0b101'],
    ['1_000', '1_000'],
    ['+.5', 0.5],
    ['1.', 1],
    ['.inf', Infinity],
    ['-.Inf', -Infinity],
    ['.NaN', NaN],
    ['1e400', Infinity],
    ['2001-12-14t21:59:43.10-05:00', '2001-12-14t21:59:43.10-05:00'],
    ['2025-01-01', '2025-01-01'],
    ['190:20:30', '190:20:30'],
    ['yes', 'yes'],
    ['Null', null],
    ['tRUE', 'tRUE'],
  ])('%s reads as %s', (scalar, value) => {
    const text = `k: ${scalar}\n`;
    expect(parseYaml('f.yaml', text).value).toEqual({ k: value });
    expect(fastAgrees(text)).toBe('read');
  });

  it.each([
    ['a merge key', 'b: &x {c: 1}\na:\n  <<: *x\n', '3:3: error: merge key "<<" is YAML 1.1'],
    ['a 1.1 tag', 'a: !!timestamp 2001-01-01\n', '1:4: error: YAML: Unresolved tag'],
    ['!!binary', 'a: !!binary aGVsbG8=\n', '1:4: error: YAML: Unresolved tag'],
    ['keys 1 and "1"', '1: a\n"1": b\n', '2:1: error: duplicate key "1"'],
    ['a null key', '~: a\n', '1:1: error: a key cannot be null'],
    ['a list as key', '[a]: x\n', '1:1: error: a key must be a string or a number'],
    ['a %YAML 1.1 directive', '%YAML 1.1\n---\na: 1\n', '1:1: error: ksad reads YAML 1.2'],
  ])('%s is an error of the reading, and the fast reader declines', (_, text, message) => {
    expect(fastParseYaml(text)).toBeUndefined();
    const diagnostics = parseYaml('f.yaml', text).diagnostics.map(formatDiagnostic);
    expect(
      diagnostics.some((d) => d.startsWith(`f.yaml:${message}`)),
      diagnostics.join('\n'),
    ).toBe(true);
  });

  it('a quoted "<<" is an ordinary key', () => {
    expect(parseYaml('f.yaml', '"<<": 1\n')).toMatchObject({ value: { '<<': 1 }, diagnostics: [] });
  });
});

const FILE = 'manifests/kota-bandung/antrean-daring/1.0.0.yaml';
const TODAY = '2025-06-01';

/** The fixture manifest with scalars that js-yaml's core schema and YAML 1.2's read differently. */
const QUIRKY = manifestYaml('antrean-daring', '1.0.0')
  .replace('maintenance:', 'releaseDate: 2025-01-01\nmaintenance:')
  .replace('    default: 8080', '    default: 0x1F90')
  .replace(
    '      REGION_NAME: ${config.REGION_NAME}',
    '      REGION_NAME: ${config.REGION_NAME}\n      FLAGS: 0b101\n      LIMIT: -0x1F',
  )
  .replace(
    '    healthcheck:\n      test: [db-ready]',
    '    resources:\n      cpus: +.5\n    healthcheck:\n      test: [db-ready]',
  );

function catalogWith(path: string, text: string) {
  const files = Object.entries({ ...catalogFixtureFiles(), [path]: text }).map(([p, t]) => ({
    path: p,
    text: t,
  }));
  return buildCatalog({ name: 'test', root: '/catalog', files });
}

describe('one reading for lint, the index and the signature', () => {
  it('a manifest that lints clean is signed over the value lint and the index read', () => {
    expect(lintManifestFiles([{ path: FILE, text: QUIRKY }], null, { today: TODAY })).toEqual([]);
    const catalog = catalogWith(FILE, QUIRKY);
    const loaded = catalog.manifests.find((m) => m.file === FILE);
    expect(loaded?.manifest).toMatchObject({
      releaseDate: '2025-01-01',
      config: { HTTP_PORT: { default: 8080 } },
      services: {
        web: { environment: { FLAGS: '0b101', LIMIT: '-0x1F' } },
        db: { resources: { cpus: 0.5 } },
      },
    });
    const canonical = canonicalManifest(FILE, QUIRKY);
    expect(JSON.parse(canonical)).toMatchObject({
      releaseDate: '2025-01-01',
      config: { HTTP_PORT: { default: 8080 } },
      services: {
        web: { environment: { FLAGS: '0b101', LIMIT: '-0x1F' } },
        db: { resources: { cpus: 0.5 } },
      },
    });
    // `manifest verify` in a catalog re-reads the file with the reference reader.
    const doc = catalogYamlDoc(catalog, FILE);
    expect(doc && canonicalManifestValue(FILE, doc.value)).toBe(canonical);
  });

  it('a manifest with a merge key is an error at its line in lint, and cannot be signed', () => {
    const text = manifestYaml('antrean-daring', '1.0.0').replace(
      '    environment:\n      DB_PASSWORD: ${secret.DB_PASSWORD}\n    volumes:',
      '    environment:\n      <<: {A: b}\n      DB_PASSWORD: ${secret.DB_PASSWORD}\n    volumes:',
    );
    const lint = lintManifestFiles([{ path: FILE, text }], null, { today: TODAY }).map(
      formatDiagnostic,
    );
    expect(lint).toEqual([
      `${FILE}:51:7: error: merge key "<<" is YAML 1.1 and ksad reads YAML 1.2, where it is an ordinary key: write the merged keys out (or quote "<<" for a key of that name)`,
    ]);
    expect(catalogWith(FILE, text).manifests.some((m) => m.file === FILE)).toBe(false);
    let error: unknown;
    try {
      canonicalManifest(FILE, text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KsadError);
    expect((error as KsadError).details).toEqual(lint);
  });

  it('.inf where a number belongs is an error at its line in lint, and cannot be signed', () => {
    const text = QUIRKY.replace('      cpus: +.5', '      cpus: .inf');
    const lint = lintManifestFiles([{ path: FILE, text }], null, { today: TODAY }).map(
      formatDiagnostic,
    );
    expect(lint).toHaveLength(1);
    expect(lint[0]).toMatch(
      new RegExp(`^${FILE}:\\d+:13: error: services\\.db\\.resources\\.cpus: `),
    );
    expect(() => canonicalManifest(FILE, text)).toThrow(/not a valid manifest/);
  });
});
