import { describe, expect, it } from 'vitest';
import { KsadError } from '../../../src/core/errors.js';
import {
  applySet,
  applySets,
  mergeOverlays,
  OVERLAY_MERGE_RULES,
  parseSetExpression,
  SET_SOURCE,
  type MergeStrategy,
} from '../../../src/core/overlay-merge.js';
import type { Overlay } from '../../../src/core/schema/overlay.js';

const layers = (...overlays: Overlay[]) =>
  overlays.map((overlay, i) => ({ source: `layer${i + 1}.yaml`, overlay }));

/**
 * One row per field of OVERLAY_MERGE_RULES: two layers in, the merged value and the origin of the
 * field out (devcontainers' mergeConfiguration tests, as a table).
 */
const strategyTable: Array<{
  field: string;
  strategy: MergeStrategy;
  a: Overlay;
  b: Overlay;
  merged: Overlay;
  origin?: [string, string];
}> = [
  {
    field: 'app',
    strategy: 'replace',
    a: { app: 'x' },
    b: { app: 'antrean-daring' },
    merged: { app: 'antrean-daring' },
    origin: ['app', 'layer2.yaml'],
  },
  {
    field: 'config',
    strategy: 'merge',
    a: { config: { REGION_NAME: 'Sumbawa' } },
    b: { config: { HTTP_PORT: 8081 } },
    merged: { config: { REGION_NAME: 'Sumbawa', HTTP_PORT: 8081 } },
    origin: ['config.REGION_NAME', 'layer1.yaml'],
  },
  {
    field: 'config.*',
    strategy: 'replace-or-delete',
    a: { config: { REGION_NAME: 'Sumbawa', HTTP_PORT: 8081 } },
    b: { config: { REGION_NAME: 'Sumbawa Barat', HTTP_PORT: null } },
    merged: { config: { REGION_NAME: 'Sumbawa Barat', HTTP_PORT: null } },
    origin: ['config.HTTP_PORT', 'layer2.yaml'],
  },
  {
    field: 'services',
    strategy: 'merge',
    a: { services: { web: { resources: { memory: '256m' } } } },
    b: { services: { db: { resources: { memory: '1g' } } } },
    merged: {
      services: { web: { resources: { memory: '256m' } }, db: { resources: { memory: '1g' } } },
    },
    origin: ['services.db.resources.memory', 'layer2.yaml'],
  },
  {
    field: 'services.*',
    strategy: 'merge',
    a: { services: { web: { resources: { memory: '256m' } } } },
    b: { services: { web: { environment: { TZ: 'Asia/Makassar' } } } },
    merged: {
      services: { web: { resources: { memory: '256m' }, environment: { TZ: 'Asia/Makassar' } } },
    },
    origin: ['services.web.resources.memory', 'layer1.yaml'],
  },
  {
    field: 'services.*.resources',
    strategy: 'merge',
    a: { services: { web: { resources: { cpus: 1 } } } },
    b: { services: { web: { resources: { memory: '512m' } } } },
    merged: { services: { web: { resources: { cpus: 1, memory: '512m' } } } },
    origin: ['services.web.resources.cpus', 'layer1.yaml'],
  },
  {
    field: 'services.*.resources.cpus',
    strategy: 'replace-or-delete',
    a: { services: { web: { resources: { cpus: 1 } } } },
    b: { services: { web: { resources: { cpus: 0.25 } } } },
    merged: { services: { web: { resources: { cpus: 0.25 } } } },
    origin: ['services.web.resources.cpus', 'layer2.yaml'],
  },
  {
    field: 'services.*.resources.memory',
    strategy: 'replace-or-delete',
    a: { services: { web: { resources: { memory: '256m' } } } },
    b: { services: { web: { resources: { memory: '1g' } } } },
    merged: { services: { web: { resources: { memory: '1g' } } } },
    origin: ['services.web.resources.memory', 'layer2.yaml'],
  },
  {
    field: 'services.*.environment',
    strategy: 'merge',
    a: { services: { web: { environment: { TZ: 'Asia/Makassar' } } } },
    b: { services: { web: { environment: { LANG: 'id_ID' } } } },
    merged: { services: { web: { environment: { TZ: 'Asia/Makassar', LANG: 'id_ID' } } } },
    origin: ['services.web.environment.LANG', 'layer2.yaml'],
  },
  {
    field: 'services.*.environment.*',
    strategy: 'replace-or-delete',
    a: { services: { web: { environment: { TZ: 'Asia/Jakarta', LANG: 'id_ID' } } } },
    b: { services: { web: { environment: { TZ: 'Asia/Makassar', LANG: null } } } },
    merged: { services: { web: { environment: { TZ: 'Asia/Makassar', LANG: null } } } },
    origin: ['services.web.environment.TZ', 'layer2.yaml'],
  },
  {
    field: 'services.*.replicas',
    strategy: 'replace-or-delete',
    a: { services: { web: { replicas: 3 } } },
    b: { services: { web: { replicas: null } } },
    merged: { services: { web: { replicas: null } } },
    origin: ['services.web.replicas', 'layer2.yaml'],
  },
  {
    field: 'services.*.placement',
    strategy: 'merge',
    a: { services: { web: { placement: { constraints: ['node.role==manager'] } } } },
    b: { services: { web: { placement: null } } },
    merged: { services: { web: { placement: null } } },
    origin: ['services.web.placement', 'layer2.yaml'],
  },
  {
    field: 'services.*.placement.constraints',
    strategy: 'replace-or-delete',
    a: {
      services: { web: { placement: { constraints: ['node.role==manager', 'node.labels.a==b'] } } },
    },
    b: { services: { web: { placement: { constraints: ['node.hostname==n2'] } } } },
    merged: { services: { web: { placement: { constraints: ['node.hostname==n2'] } } } },
    origin: ['services.web.placement.constraints', 'layer2.yaml'],
  },
  {
    field: 'ingress',
    strategy: 'merge',
    a: { ingress: { hosts: ['antrean.sumbawakab.go.id'], tls: 'internal' } },
    b: { ingress: { tls: 'provided' } },
    merged: { ingress: { hosts: ['antrean.sumbawakab.go.id'], tls: 'provided' } },
    origin: ['ingress.hosts', 'layer1.yaml'],
  },
  {
    field: 'ingress.*',
    strategy: 'replace-or-delete',
    a: { ingress: { hosts: ['antrean.sumbawakab.go.id', 'antrean.sumbawa.local'] } },
    b: { ingress: { hosts: ['antrean.sumbawakab.go.id'] } },
    merged: { ingress: { hosts: ['antrean.sumbawakab.go.id'] } },
    origin: ['ingress.hosts', 'layer2.yaml'],
  },
];

describe('mergeOverlays: the strategy table', () => {
  it('has a test row for every rule, with the strategy the rule states', () => {
    expect(strategyTable.map((r) => [r.field, r.strategy])).toEqual(
      OVERLAY_MERGE_RULES.map((r) => [r.path, r.strategy]),
    );
  });

  it.each(strategyTable)('$field: $strategy', ({ a, b, merged, origin }) => {
    const result = mergeOverlays(layers(a, b));
    expect(result.merged).toEqual(merged);
    if (origin !== undefined) expect(result.origins.get(origin[0])).toBe(origin[1]);
  });
});

describe('mergeOverlays', () => {
  it('null deletes services.<svc>.resources.* from an earlier layer and stays as a marker', () => {
    const { merged } = mergeOverlays(
      layers(
        { services: { web: { resources: { cpus: 1, memory: '256m' } } } },
        { services: { web: { resources: { memory: null } } } },
      ),
    );
    expect(merged.services?.web?.resources).toEqual({ cpus: 1, memory: null });
    const again = mergeOverlays(
      layers(
        { services: { web: { resources: { cpus: null } } } },
        { services: { web: { resources: { cpus: 2 } } } },
      ),
    );
    expect(again.merged.services?.web?.resources).toEqual({ cpus: 2 });
  });

  it('applies layers left to right', () => {
    const { merged, origins } = mergeOverlays(
      layers(
        { config: { REGION_NAME: 'A' } },
        { config: { REGION_NAME: 'B' } },
        { config: { REGION_NAME: 'C' } },
      ),
    );
    expect(merged.config?.REGION_NAME).toBe('C');
    expect(origins.get('config.REGION_NAME')).toBe('layer3.yaml');
  });

  it('null deletes a key; a later layer can set it again', () => {
    const deleted = mergeOverlays(
      layers({ config: { HTTP_PORT: 8081 } }, { config: { HTTP_PORT: null } }),
    );
    // The null stays as a deletion marker so the manifest default applies (resolveConfig).
    expect(deleted.merged.config).toEqual({ HTTP_PORT: null });
    const again = mergeOverlays(
      layers(
        { config: { HTTP_PORT: 8081 } },
        { config: { HTTP_PORT: null } },
        { config: { HTTP_PORT: 9000 } },
      ),
    );
    expect(again.merged.config).toEqual({ HTTP_PORT: 9000 });
    expect(again.origins.get('config.HTTP_PORT')).toBe('layer3.yaml');
  });

  it('lists replace whole (Helm), for any field that holds one', () => {
    // No overlay field holds a list today; the generic rule is what a future one gets.
    const a = { extra: { hosts: ['a', 'b', 'c'] } } as unknown as Overlay;
    const b = { extra: { hosts: ['z'] } } as unknown as Overlay;
    expect(mergeOverlays(layers(a, b)).merged).toEqual({ extra: { hosts: ['z'] } });
  });

  it('does not modify its inputs', () => {
    const a: Overlay = { services: { web: { environment: { A: '1' } } } };
    const b: Overlay = { services: { web: { environment: { B: '2' } } } };
    const snapshot = structuredClone([a, b]);
    const { merged } = mergeOverlays(layers(a, b));
    merged.services!.web!.environment!.C = '3';
    expect([a, b]).toEqual(snapshot);
  });

  it('merges nothing into an empty overlay', () => {
    expect(mergeOverlays([])).toEqual({ merged: {}, origins: new Map() });
  });
});

describe('parseSetExpression', () => {
  it.each<[string, string[], string | number | boolean | null]>([
    ['config.REGION_NAME=Sumbawa', ['config', 'REGION_NAME'], 'Sumbawa'],
    ['config.REGION_NAME=Sumbawa Barat', ['config', 'REGION_NAME'], 'Sumbawa Barat'],
    ['config.HTTP_PORT=8080', ['config', 'HTTP_PORT'], 8080],
    ['config.HTTP_PORT="8080"', ['config', 'HTTP_PORT'], '8080'],
    ["config.HTTP_PORT='8080'", ['config', 'HTTP_PORT'], '8080'],
    ['config.RATIO=0.25', ['config', 'RATIO'], 0.25],
    ['config.DEBUG=true', ['config', 'DEBUG'], true],
    ['config.DEBUG=false', ['config', 'DEBUG'], false],
    ['config.DEBUG="true"', ['config', 'DEBUG'], 'true'],
    ['config.HTTP_PORT=null', ['config', 'HTTP_PORT'], null],
    ['config.HTTP_PORT=~', ['config', 'HTTP_PORT'], null],
    ['config.REGION_NAME=', ['config', 'REGION_NAME'], ''],
    ['config.URL=https://a.go.id/x?y=1', ['config', 'URL'], 'https://a.go.id/x?y=1'],
    ['config.NOTE=a: b', ['config', 'NOTE'], 'a: b'],
    ['config.LIST=[1, 2]', ['config', 'LIST'], '[1, 2]'],
    ['services.web.resources.memory=512m', ['services', 'web', 'resources', 'memory'], '512m'],
    ['services.web.environment.app\\.name=x', ['services', 'web', 'environment', 'app.name'], 'x'],
  ])('%s', (expression, path, value) => {
    expect(parseSetExpression(expression)).toEqual({ path, value });
  });

  it.each(['config.REGION_NAME', '=x', 'config..X=1', 'config.=1'])('rejects %j', (expression) => {
    expect(() => parseSetExpression(expression)).toThrow(KsadError);
  });
});

describe('applySet', () => {
  const files = mergeOverlays(
    layers({
      config: { REGION_NAME: 'Sumbawa', HTTP_PORT: 8081 },
      services: { web: { resources: { cpus: 1, memory: '256m' } } },
    }),
  );

  it('applies after the files and records --set as the origin', () => {
    const result = applySets(files, [
      'services.web.resources.memory=512m',
      'config.REGION_NAME=Sumbawa Barat',
    ]);
    expect(result.merged).toEqual({
      config: { REGION_NAME: 'Sumbawa Barat', HTTP_PORT: 8081 },
      services: { web: { resources: { cpus: 1, memory: '512m' } } },
    });
    expect(result.origins.get('config.REGION_NAME')).toBe(SET_SOURCE);
    expect(result.origins.get('services.web.resources.memory')).toBe(SET_SOURCE);
    expect(result.origins.get('config.HTTP_PORT')).toBe('layer1.yaml');
    expect(files.merged.config?.REGION_NAME).toBe('Sumbawa');
  });

  it('null deletes a resource limit, as the README says', () => {
    const result = applySet(files, 'services.web.resources.memory=null');
    expect(result.merged.services?.web?.resources).toEqual({ cpus: 1, memory: null });
    expect(result.origins.get('services.web.resources.memory')).toBe(SET_SOURCE);
  });

  it('null deletes, as in a file', () => {
    expect(applySet(files, 'config.HTTP_PORT=null').merged.config).toEqual({
      REGION_NAME: 'Sumbawa',
      HTTP_PORT: null,
    });
  });

  it.each([
    ['services.web.environment.WORKERS=4', '4'],
    ['services.web.environment.DEBUG=true', 'true'],
    ['services.web.resources.memory=1048576', '1048576'],
  ])('%s keeps text where Docker wants text', (expression, value) => {
    const { path } = parseSetExpression(expression);
    const merged = applySet(files, expression).merged as Record<
      string,
      Record<string, Record<string, Record<string, unknown>>>
    >;
    expect(merged[path[0]!]![path[1]!]![path[2]!]![path[3]!]).toBe(value);
  });

  it.each([
    ['nosuch.field=1', 'nosuch'],
    ['services.web=1', 'services.web'],
    ['services.web.image=nginx', 'image'],
    ['services.web.resources.cpus=lots', 'services.web.resources.cpus'],
    ['services.web.resources.memory=huge', 'services.web.resources.memory'],
    ['config=1', 'config'],
  ])('rejects %s, naming the path', (expression, mention) => {
    expect(() => applySet(files, expression)).toThrow(KsadError);
    expect(() => applySet(files, expression)).toThrow(mention);
  });
});
