import { describe, expect, it } from 'vitest';
import { catalogJsonSchemas } from '../../../src/core/json-schema.js';

describe('catalogJsonSchemas', () => {
  it('describes every file kind with $id and title', () => {
    const schemas = catalogJsonSchemas() as Record<string, Record<string, unknown>>;
    expect(Object.keys(schemas).sort()).toEqual([
      'catalog',
      'manifest',
      'member',
      'mou',
      'overlay',
    ]);
    for (const [kind, s] of Object.entries(schemas)) {
      expect(s.$id).toBe(`https://ksad.id/schemas/${kind}.schema.json`);
      expect(typeof s.title).toBe('string');
      expect(s.additionalProperties).toBe(false);
    }
  });

  it('makes defaulted fields optional (input side) and keeps strictness', () => {
    const m = catalogJsonSchemas().manifest as {
      required: string[];
      properties: Record<string, { additionalProperties?: unknown }>;
    };
    expect(m.required).toContain('services');
    expect(m.required).not.toContain('config');
    expect(m.properties.requires?.additionalProperties).toBe(false);
  });
});
