import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import { KsadError } from '../../../src/core/errors.js';
import { listApps, parseAppRef, resolveVersion } from '../../../src/core/resolve.js';
import { baseCatalog, manifest } from './fixtures.js';

const catalog = buildCatalog({
  name: 'test',
  root: '/c',
  files: [
    ...baseCatalog(), // kota-bandung/antrean-daring 1.0.0, 1.2.0, 2.0.0-beta.1
    manifest({ publisher: 'kota-tangerang', name: 'e-budgeting', version: '0.9.0-rc.1' }),
    manifest({ publisher: 'kota-tangerang', name: 'e-budgeting', version: '0.9.0-rc.2' }),
    manifest({ publisher: 'kota-tangerang', name: 'sakip', version: '1.0.0' }),
    manifest({ publisher: 'kota-bandung', name: 'sakip', version: '2.0.0' }),
  ],
});

function thrown(f: () => unknown): KsadError {
  try {
    f();
  } catch (e) {
    if (e instanceof KsadError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('parseAppRef', () => {
  it.each([
    ['antrean-daring', { app: 'antrean-daring' }],
    ['antrean-daring@^1.2', { app: 'antrean-daring', range: '^1.2' }],
    [
      'kota-bandung/antrean-daring@>=1.0.0 <2.0.0',
      { publisher: 'kota-bandung', app: 'antrean-daring', range: '>=1.0.0 <2.0.0' },
    ],
    ['kota-bandung/antrean-daring', { publisher: 'kota-bandung', app: 'antrean-daring' }],
  ])('%s', (input, expected) => {
    expect(parseAppRef(input)).toEqual(expected);
  });

  it.each(['antrean-daring@not a range', 'Antrean', 'a/b/c', 'app@'])(
    'refuses %s as USAGE',
    (input) => {
      expect(thrown(() => parseAppRef(input)).code).toBe('USAGE');
    },
  );
});

describe('resolveVersion', () => {
  it.each([
    ['antrean-daring', '1.2.0'],
    ['antrean-daring@^1.0.0', '1.2.0'],
    ['antrean-daring@~1.0.0', '1.0.0'],
    ['antrean-daring@1.0.0', '1.0.0'],
    ['antrean-daring@^2.0.0-beta.0', '2.0.0-beta.1'],
    ['antrean-daring@>=1.0.0', '1.2.0'],
    ['e-budgeting', '0.9.0-rc.2'],
    ['kota-bandung/sakip', '2.0.0'],
  ])('%s -> %s', (ref, version) => {
    expect(resolveVersion(catalog, parseAppRef(ref)).manifest.version).toBe(version);
  });

  it('lists the versions that exist when none satisfies', () => {
    const e = thrown(() => resolveVersion(catalog, parseAppRef('antrean-daring@^3')));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toBe(
      'no version of kota-bandung/antrean-daring satisfies "^3"; versions: 2.0.0-beta.1, 1.2.0, 1.0.0',
    );
  });

  it('suggests close names for an unknown app', () => {
    const e = thrown(() => resolveVersion(catalog, parseAppRef('antrian-daring')));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toBe('app "antrian-daring" is not in catalog "test"');
    expect(e.suggestions[0]).toBe('did you mean "antrean-daring"?');
  });

  it('asks to qualify an app published by two publishers', () => {
    const e = thrown(() => resolveVersion(catalog, parseAppRef('sakip@^1')));
    expect(e.code).toBe('USAGE');
    expect(e.message).toBe(
      'app "sakip" is published by kota-bandung and kota-tangerang: name the publisher',
    );
    expect(e.suggestions).toEqual(['use "kota-bandung/sakip@^1"', 'use "kota-tangerang/sakip@^1"']);
  });
});

describe('listApps', () => {
  it('groups by publisher/app with versions newest first', () => {
    expect(listApps(catalog).map((a) => [`${a.publisher}/${a.name}`, a.versions])).toEqual([
      ['kota-bandung/antrean-daring', ['2.0.0-beta.1', '1.2.0', '1.0.0']],
      ['kota-bandung/sakip', ['2.0.0']],
      ['kota-tangerang/e-budgeting', ['0.9.0-rc.2', '0.9.0-rc.1']],
      ['kota-tangerang/sakip', ['1.0.0']],
    ]);
  });
});
