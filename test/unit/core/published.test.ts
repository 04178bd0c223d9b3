import { describe, expect, it } from 'vitest';
import {
  adoptLedger,
  describeRewrite,
  rewritesOf,
  shownManifests,
  tagManifestPath,
  type PublishedLedger,
  type ShownFile,
} from '../../../src/core/published.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const FILE = 'manifests/p/app/1.0.0.yaml';
const ledger: PublishedLedger = {
  commit: A,
  files: {
    [FILE]: { digest: 'sha256:m1', signature: 'sha256:s1', since: A },
    'manifests/p/app/0.9.0.yaml': { digest: 'sha256:m0', signature: null, since: A },
  },
};
const shown = (entries: Record<string, ShownFile>): Map<string, ShownFile> =>
  new Map(Object.entries(entries));
const old = { digest: 'sha256:m0', signature: null };

describe('rewritesOf', () => {
  it.each([
    ['unchanged', { digest: 'sha256:m1', signature: 'sha256:s1' }, []],
    ['bytes changed', { digest: 'sha256:m2', signature: 'sha256:s1' }, ['modified']],
    ['signature replaced', { digest: 'sha256:m1', signature: 'sha256:s2' }, ['signature-modified']],
    ['signature removed', { digest: 'sha256:m1', signature: null }, ['signature-deleted']],
    ['bytes and signature changed', { digest: 'sha256:m2', signature: 'sha256:s2' }, ['modified']],
  ] as const)('%s', (_name, now, expected) => {
    const found = rewritesOf(ledger, shown({ [FILE]: now, 'manifests/p/app/0.9.0.yaml': old }));
    expect(found.map((r) => r.change)).toEqual(expected);
  });

  it('reports a deleted manifest, allows signing an unsigned one and adding new ones', () => {
    const found = rewritesOf(
      ledger,
      shown({
        'manifests/p/app/0.9.0.yaml': { digest: 'sha256:m0', signature: 'sha256:new' },
        'manifests/p/app/2.0.0.yaml': { digest: 'sha256:m9', signature: null },
      }),
    );
    expect(found).toEqual([{ file: FILE, change: 'deleted', since: A }]);
    expect(describeRewrite(found[0]!)).toBe(`${FILE}: deleted; published at ${A.slice(0, 12)}`);
  });

  it('counts a publish tag whose version is missing as a dropped version, once', () => {
    const tags = [
      { name: 'p/app/1.0.0', commit: B },
      { name: 'p/app/3.0.0', commit: B },
      { name: 'v2024.06', commit: B },
      { name: 'release/1.0', commit: B },
    ];
    const found = rewritesOf(ledger, shown({ 'manifests/p/app/0.9.0.yaml': old }), tags);
    expect(found).toEqual([
      { file: FILE, change: 'deleted', since: A },
      { file: 'manifests/p/app/3.0.0.yaml', change: 'deleted', since: B, tag: 'p/app/3.0.0' },
    ]);
    expect(describeRewrite(found[1]!)).toContain('published by tag p/app/3.0.0');
    expect(rewritesOf(null, shown({}), [])).toEqual([]);
  });
});

describe('adoptLedger', () => {
  it('records every manifest shown, keeping the first commit that held each', () => {
    const next = adoptLedger(
      ledger,
      shown({
        [FILE]: { digest: 'sha256:m1', signature: 'sha256:s1' },
        'manifests/p/app/0.9.0.yaml': { digest: 'sha256:m0', signature: 'sha256:new' },
        'manifests/p/app/2.0.0.yaml': { digest: 'sha256:m9', signature: null },
      }),
      B,
    );
    expect(next.commit).toBe(B);
    expect(next.files).toEqual({
      'manifests/p/app/0.9.0.yaml': { digest: 'sha256:m0', signature: 'sha256:new', since: A },
      [FILE]: { digest: 'sha256:m1', signature: 'sha256:s1', since: A },
      'manifests/p/app/2.0.0.yaml': { digest: 'sha256:m9', signature: null, since: B },
    });
  });
});

describe('shownManifests', () => {
  it('takes manifests at the top of manifests/ with their signatures, nothing else', () => {
    const map = shownManifests([
      { path: FILE, text: 'x' },
      { path: `${FILE}.sig`, text: 'sig' },
      { path: 'manifests/p/app/2.0.0.yaml', text: 'y' },
      { path: 'catalog/members/p.yaml', text: 'z' },
      { path: 'examples/manifests/p/app/1.0.0.yaml', text: 'w' },
    ]);
    expect([...map.keys()]).toEqual([FILE, 'manifests/p/app/2.0.0.yaml']);
    expect(map.get(FILE)?.signature).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(map.get('manifests/p/app/2.0.0.yaml')?.signature).toBeNull();
  });

  it('maps publish tags to manifest paths', () => {
    expect(tagManifestPath('kota-bandung/antrean-daring/2.1.0')).toBe(
      'manifests/kota-bandung/antrean-daring/2.1.0.yaml',
    );
    expect(tagManifestPath('v1.0')).toBeNull();
    expect(tagManifestPath('a/b/c/d')).toBeNull();
  });
});
