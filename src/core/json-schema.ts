import { z } from 'zod';
import {
  catalogFileSchema,
  manifestSchema,
  memberSchema,
  mouSchema,
  overlaySchema,
} from './schema/index.js';

export type SchemaKind = 'manifest' | 'member' | 'mou' | 'catalog' | 'overlay';

const SCHEMAS: Record<SchemaKind, { schema: z.ZodType; title: string; file: string }> = {
  manifest: {
    schema: manifestSchema,
    title: 'KSAD app manifest',
    file: 'manifests/<publisher>/<app>/<version>.yaml',
  },
  member: {
    schema: memberSchema,
    title: 'KSAD member (region)',
    file: 'catalog/members/<slug>.yaml',
  },
  mou: {
    schema: mouSchema,
    title: 'KSAD MoU (nota kesepahaman)',
    file: 'catalog/mous/<slug>.yaml',
  },
  catalog: { schema: catalogFileSchema, title: 'KSAD catalog', file: 'catalog/catalog.yaml' },
  overlay: {
    schema: overlaySchema,
    title: "KSAD overlay (a region's configuration of an app)",
    file: 'overlay files given with -f',
  },
};

/** Base of every `$id`; editors use it only as a name, nothing is fetched from it. */
export const SCHEMA_ID_BASE = 'https://ksad.id/schemas';

/**
 * JSON Schema (draft 2020-12) for each catalog file kind, generated from the zod schemas so that
 * editors check files the way `ksad` does. `io: 'input'` describes what a person writes (fields
 * with defaults are optional); refinements that JSON Schema cannot express (semver validity, the
 * required `id` description) are left to `ksad manifest lint`.
 */
export function catalogJsonSchemas(): Record<SchemaKind, object> {
  const out = {} as Record<SchemaKind, object>;
  for (const [kind, { schema, title, file }] of Object.entries(SCHEMAS) as Array<
    [SchemaKind, (typeof SCHEMAS)[SchemaKind]]
  >) {
    const json = z.toJSONSchema(schema, {
      io: 'input',
      unrepresentable: 'any',
      target: 'draft-2020-12',
    });
    const { $schema, ...rest } = json;
    // $schema, $id and title first, so the generated files read well.
    out[kind] = {
      $schema,
      $id: `${SCHEMA_ID_BASE}/${kind}.schema.json`,
      title,
      description: `${title}: ${file}`,
      ...rest,
    };
  }
  return out;
}
