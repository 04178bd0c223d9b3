import { nearest } from '../../../src/core/suggest.js';
import { describe, expect, it } from 'vitest';
import {
  checkServiceOverrides,
  problemsToDiagnostics,
  resolveConfig,
} from '../../../src/core/config.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import { applySets, mergeOverlays, type OverlayLayer } from '../../../src/core/overlay-merge.js';
import type { Overlay } from '../../../src/core/schema/overlay.js';
import { antreanManifest } from './fixtures.js';

const manifest = antreanManifest();
const FILE = 'sumbawa.yaml';

/** Config from one file plus `--set`s, resolved. */
function resolve(config: NonNullable<Overlay['config']>, sets: string[] = []) {
  const merged = applySets(mergeOverlays([{ source: FILE, overlay: { config } }]), sets);
  return resolveConfig(manifest, merged.merged.config, merged.origins, { missingSource: FILE });
}

describe('resolveConfig', () => {
  it('applies defaults and keeps set values', () => {
    const { values, problems } = resolve({ REGION_NAME: 'Sumbawa', WORKERS: 4 });
    expect(problems).toEqual([]);
    expect(values).toEqual({
      REGION_NAME: 'Sumbawa',
      HTTP_PORT: 8080,
      WORKERS: 4,
      DEBUG: false,
      LOG_LEVEL: 'info',
      RATIO: 0.5,
    });
  });

  it('a null falls back to the default', () => {
    const { values } = resolve({ REGION_NAME: 'Sumbawa' }, [
      'config.HTTP_PORT=9000',
      'config.HTTP_PORT=null',
    ]);
    expect(values.HTTP_PORT).toBe(8080);
  });

  it.each<[string, number | string, number]>([
    ['HTTP_PORT', '"8081"', 8081],
    ['WORKERS', '"4"', 4],
    ['RATIO', '"0.75"', 0.75],
  ])('coerces --set %s=%s from text', (key, text, value) => {
    const { values, problems } = resolve({ REGION_NAME: 'Sumbawa' }, [`config.${key}=${text}`]);
    expect(problems).toEqual([]);
    expect(values[key]).toBe(value);
  });

  it('coerces --set of a number into a string key', () => {
    expect(resolve({}, ['config.REGION_NAME=5204']).values.REGION_NAME).toBe('5204');
  });

  it.each<
    [
      string,
      NonNullable<Overlay['config']>,
      string[],
      { source: string; path: string[]; rule: string; message: RegExp },
    ]
  >([
    [
      'required key missing',
      {},
      [],
      {
        source: FILE,
        path: ['config', 'REGION_NAME'],
        rule: 'required',
        message: /is required and has no default: Nama daerah/,
      },
    ],
    [
      'required key deleted by null',
      { REGION_NAME: null },
      [],
      { source: FILE, path: ['config', 'REGION_NAME'], rule: 'required', message: /is required/ },
    ],
    [
      'unknown key with did-you-mean',
      { REGION_NAME: 'x', HTTP_PRT: 1 },
      [],
      {
        source: FILE,
        path: ['config', 'HTTP_PRT'],
        rule: 'unknown-key',
        message: /no config key "HTTP_PRT"; did you mean "HTTP_PORT"\?/,
      },
    ],
    [
      'unknown key by case',
      { REGION_NAME: 'x', region_name: 'y' },
      [],
      {
        source: FILE,
        path: ['config', 'region_name'],
        rule: 'unknown-key',
        message: /did you mean "REGION_NAME"/,
      },
    ],
    [
      'unknown key with no near name',
      { REGION_NAME: 'x', COMPLETELY_OTHER: 1 },
      [],
      {
        source: FILE,
        path: ['config', 'COMPLETELY_OTHER'],
        rule: 'unknown-key',
        message: /\(keys: REGION_NAME, HTTP_PORT/,
      },
    ],
    [
      'string expected',
      { REGION_NAME: 42 },
      [],
      {
        source: FILE,
        path: ['config', 'REGION_NAME'],
        rule: 'type',
        message: /must be a string, got number 42 \(quote it: "42"\)/,
      },
    ],
    [
      'port as text in a file',
      { REGION_NAME: 'x', HTTP_PORT: '8080' },
      [],
      {
        source: FILE,
        path: ['config', 'HTTP_PORT'],
        rule: 'type',
        message: /must be a port number \(1-65535\), got the string "8080"/,
      },
    ],
    [
      'port out of range',
      { REGION_NAME: 'x', HTTP_PORT: 70000 },
      [],
      {
        source: FILE,
        path: ['config', 'HTTP_PORT'],
        rule: 'type',
        message: /must be a port number \(1-65535\), got 70000/,
      },
    ],
    [
      'port zero from --set',
      { REGION_NAME: 'x' },
      ['config.HTTP_PORT=0'],
      { source: '--set', path: ['config', 'HTTP_PORT'], rule: 'type', message: /got 0/ },
    ],
    [
      'integer expected',
      { REGION_NAME: 'x', WORKERS: 2.5 },
      [],
      {
        source: FILE,
        path: ['config', 'WORKERS'],
        rule: 'type',
        message: /must be an integer, got number 2.5/,
      },
    ],
    [
      'integer text from --set that is not a number',
      { REGION_NAME: 'x' },
      ['config.WORKERS=many'],
      {
        source: '--set',
        path: ['config', 'WORKERS'],
        rule: 'type',
        message: /must be an integer, got the string "many"/,
      },
    ],
    [
      'number expected',
      { REGION_NAME: 'x', RATIO: 'half' },
      [],
      { source: FILE, path: ['config', 'RATIO'], rule: 'type', message: /must be a number/ },
    ],
    [
      'boolean expected',
      { REGION_NAME: 'x', DEBUG: 'yes' },
      [],
      {
        source: FILE,
        path: ['config', 'DEBUG'],
        rule: 'type',
        message: /must be true or false, got the string "yes"/,
      },
    ],
    [
      'url expected',
      { REGION_NAME: 'x', PUBLIC_URL: 'antrean.sumbawakab.go.id' },
      [],
      {
        source: FILE,
        path: ['config', 'PUBLIC_URL'],
        rule: 'type',
        message: /must be an absolute URL/,
      },
    ],
    [
      'email expected',
      { REGION_NAME: 'x', ADMIN_EMAIL: 'diskominfo' },
      [],
      {
        source: FILE,
        path: ['config', 'ADMIN_EMAIL'],
        rule: 'type',
        message: /must be an e-mail address/,
      },
    ],
    [
      'enum',
      { REGION_NAME: 'x', LOG_LEVEL: 'trace' },
      [],
      {
        source: FILE,
        path: ['config', 'LOG_LEVEL'],
        rule: 'enum',
        message: /must be one of "debug", "info", "warn", got "trace"/,
      },
    ],
    [
      'pattern',
      { REGION_NAME: 'x', SLUG: 'Sumbawa 1' },
      [],
      {
        source: FILE,
        path: ['config', 'SLUG'],
        rule: 'pattern',
        message: /must match \/\^\[a-z\]\+\$\/, got "Sumbawa 1"/,
      },
    ],
    [
      'minimum',
      { REGION_NAME: 'x', WORKERS: 0 },
      [],
      {
        source: FILE,
        path: ['config', 'WORKERS'],
        rule: 'range',
        message: /must be at least 1, got 0/,
      },
    ],
    [
      'maximum',
      { REGION_NAME: 'x' },
      ['config.WORKERS=17'],
      {
        source: '--set',
        path: ['config', 'WORKERS'],
        rule: 'range',
        message: /must be at most 16, got 17/,
      },
    ],
    [
      'maximum on a number',
      { REGION_NAME: 'x', RATIO: 1.5 },
      [],
      {
        source: FILE,
        path: ['config', 'RATIO'],
        rule: 'range',
        message: /must be at most 1, got 1.5/,
      },
    ],
  ])('%s', (_name, config, sets, expected) => {
    const { problems, values } = resolve(config, sets);
    expect(problems).toHaveLength(1);
    const [p] = problems;
    expect(p).toMatchObject({ source: expected.source, path: expected.path, rule: expected.rule });
    expect(p!.message).toMatch(expected.message);
    expect(values).not.toHaveProperty(String(expected.path[1]));
  });

  it('collects every problem, never stopping at the first', () => {
    const { problems } = resolve({ HTTP_PORT: 0, WORKERS: 99, LOG_LEVEL: 'loud' });
    expect(problems.map((p) => p.path.join('.')).sort()).toEqual([
      'config.HTTP_PORT',
      'config.LOG_LEVEL',
      'config.REGION_NAME',
      'config.WORKERS',
    ]);
  });

  it('accepts valid url, email, enum and pattern values', () => {
    const { problems } = resolve({
      REGION_NAME: 'Sumbawa',
      PUBLIC_URL: 'https://antrean.sumbawakab.go.id',
      ADMIN_EMAIL: 'diskominfo@sumbawakab.go.id',
      LOG_LEVEL: 'warn',
      SLUG: 'sumbawa',
    });
    expect(problems).toEqual([]);
  });
});

describe('checkServiceOverrides', () => {
  it('names an overlay service the manifest lacks, with did-you-mean', () => {
    const merged = mergeOverlays([
      { source: FILE, overlay: { services: { wbe: { resources: { memory: '1g' } }, web: {} } } },
    ]);
    const problems = checkServiceOverrides(manifest, merged.merged.services, merged.origins);
    expect(problems).toEqual([
      {
        source: FILE,
        path: ['services', 'wbe'],
        rule: 'unknown-service',
        message: 'antrean-daring 1.2.0 has no service "wbe"; did you mean "web"?',
      },
    ]);
  });
});

describe('problemsToDiagnostics', () => {
  it('locates each problem through the layer it came from', () => {
    const layers: OverlayLayer[] = [
      {
        source: FILE,
        overlay: { config: { REGION_NAME: 'x', HTTP_PORT: 70000 } },
        locate: (path) =>
          path.join('.') === 'config.HTTP_PORT' ? { line: 3, col: 14 } : undefined,
      },
    ];
    const merged = applySets(mergeOverlays(layers), ['config.WORKERS=99']);
    const { problems } = resolveConfig(manifest, merged.merged.config, merged.origins);
    const lines = problemsToDiagnostics(problems, layers).map(formatDiagnostic);
    expect(lines).toEqual([
      'sumbawa.yaml:3:14: error: config.HTTP_PORT: must be a port number (1-65535), got 70000',
      '--set:0:0: error: config.WORKERS: must be at most 16, got 99',
    ]);
  });
});

describe('nearest', () => {
  it.each<[string, string[], string | undefined]>([
    ['HTTP_PRT', ['HTTP_PORT', 'REGION_NAME'], 'HTTP_PORT'],
    ['http_port', ['HTTP_PORT'], 'HTTP_PORT'],
    ['DB', ['HTTP_PORT'], undefined],
    ['X', [], undefined],
  ])('%s', (word, candidates, expected) => expect(nearest(word, candidates)).toBe(expected));
});
