// Runs after `tsc` in `npm run build`: writes the JSON Schemas of the catalog file kinds to
// schemas/<kind>.schema.json, generated from the zod schemas so editors and CI check the same rules.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { catalogJsonSchemas } = await import(
  new URL('../dist/core/json-schema.js', import.meta.url).href
);

const out = join(root, 'schemas');
await mkdir(out, { recursive: true });
const schemas = catalogJsonSchemas();
for (const [kind, schema] of Object.entries(schemas)) {
  await writeFile(join(out, `${kind}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`, 'utf8');
}
process.stderr.write(`wrote ${Object.keys(schemas).length} JSON Schemas to schemas/\n`);
