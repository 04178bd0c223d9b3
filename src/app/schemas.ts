import { catalogJsonSchemas } from '../core/json-schema.js';
import type { CatalogFiles } from '../ports/catalog-files.js';

export const SCHEMA_KINDS = ['manifest', 'member', 'mou', 'catalog', 'overlay'] as const;
export type SchemaKind = (typeof SCHEMA_KINDS)[number];

/** The JSON Schema of one kind of catalog file, generated from the zod schemas. */
export function schemaFor(kind: SchemaKind): object {
  return catalogJsonSchemas()[kind];
}

export interface WrittenSchema {
  kind: SchemaKind;
  path: string;
}

/** Writes `<dir>/<kind>.schema.json` for each kind (all of them when none is named). */
export async function writeSchemas(
  files: CatalogFiles,
  dir: string,
  kinds: readonly SchemaKind[] = SCHEMA_KINDS,
): Promise<WrittenSchema[]> {
  const schemas = catalogJsonSchemas();
  const written: WrittenSchema[] = [];
  for (const kind of kinds) {
    const path = `${dir.replace(/[\\/]+$/, '')}/${kind}.schema.json`;
    await files.writeTextFile(path, `${JSON.stringify(schemas[kind], null, 2)}\n`);
    written.push({ kind, path: files.resolvePath(path) });
  }
  return written;
}
