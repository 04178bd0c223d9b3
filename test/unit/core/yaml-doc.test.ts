import { describe, expect, it } from 'vitest';
import { closest } from '../../../src/core/suggest.js';
import { locate, locateKey, parseYaml } from '../../../src/core/yaml-doc.js';

const doc = parseYaml(
  'f.yaml',
  'services:\n  web:\n    image: nginx\n    ports:\n      - container: 80\n',
);

describe('locate', () => {
  it.each([
    [['services', 'web', 'image'], { line: 3, col: 12 }],
    [['services', 'web', 'ports', 0, 'container'], { line: 5, col: 20 }],
    // A missing key points at the key of the deepest pair that exists.
    [['services', 'web', 'healthcheck'], { line: 2, col: 3 }],
    [[], { line: 1, col: 1 }],
  ])('%j', (path, pos) => {
    expect(locate(doc, path)).toEqual(pos);
  });

  it('locateKey points at the key', () => {
    expect(locateKey(doc, ['services', 'web', 'image'])).toEqual({ line: 3, col: 5 });
  });

  it('keeps dates as strings (YAML 1.2 core schema)', () => {
    expect(parseYaml('d.yaml', 'validFrom: 2025-01-01\n').value).toEqual({
      validFrom: '2025-01-01',
    });
  });
});

describe('closest', () => {
  it('counts a swapped pair of letters as one edit', () => {
    expect(closest('emial', ['email', 'name', 'phone'])).toEqual(['email']);
    expect(closest('zzz', ['email'])).toEqual([]);
  });
});
