import { describe, expect, it } from 'vitest';
import { KsadError } from '../../../src/core/errors.js';
import { dependencyLevels, stopLevels } from '../../../src/core/graph.js';

const graph = (edges: Record<string, string[]>) =>
  Object.fromEntries(
    Object.entries(edges).map(([n, deps]) => [
      n,
      { dependsOn: Object.fromEntries(deps.map((d) => [d, {}])) },
    ]),
  );

describe('dependencyLevels', () => {
  it.each<[string, Record<string, string[]>, string[][]]>([
    ['one service', { web: [] }, [['web']]],
    ['independent services share a level', { web: [], api: [], db: [] }, [['api', 'db', 'web']]],
    [
      'web and worker wait for db',
      { web: ['db'], worker: ['db'], db: [] },
      [['db'], ['web', 'worker']],
    ],
    ['a chain', { a: ['b'], b: ['c'], c: [] }, [['c'], ['b'], ['a']]],
    [
      'a diamond',
      { top: ['left', 'right'], left: ['base'], right: ['base'], base: [] },
      [['base'], ['left', 'right'], ['top']],
    ],
  ])('%s', (_name, edges, levels) => {
    expect(dependencyLevels(graph(edges))).toEqual(levels);
  });

  it('stops in reverse order', () => {
    expect(stopLevels(graph({ web: ['db'], worker: ['db'], db: [] }))).toEqual([
      ['web', 'worker'],
      ['db'],
    ]);
  });

  it('names the cycle', () => {
    const run = () =>
      dependencyLevels(graph({ web: ['api'], api: ['db'], db: ['web'], cache: [] }));
    expect(run).toThrow(KsadError);
    expect(run).toThrow('api → db → web → api');
    try {
      run();
    } catch (e) {
      expect((e as KsadError).code).toBe('INVALID');
    }
  });

  it('names a self dependency', () => {
    expect(() => dependencyLevels(graph({ web: ['web'] }))).toThrow('web → web');
  });

  it('names an unknown dependency', () => {
    expect(() => dependencyLevels(graph({ web: ['dbb'], db: [] }))).toThrow(
      'services.web.dependsOn.dbb: there is no service "dbb"',
    );
  });
});
