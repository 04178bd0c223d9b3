import { Flags } from '@oclif/core';
import { SCHEMA_KINDS, schemaFor, writeSchemas, type WrittenSchema } from '../../app/schemas.js';
import { KsadCommand } from '../../ui/base-command.js';
import { catalogContext } from '../../ui/context.js';

export default class ManifestSchema extends KsadCommand {
  static override summary = 'Print or write the JSON Schema of catalog files, for editors and CI.';
  static override description =
    'Without --out, prints the schema of one kind (manifest unless --kind says otherwise). With --out, writes <kind>.schema.json into the folder: every kind, or only --kind.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> > manifest.schema.json',
    '<%= config.bin %> <%= command.id %> --kind mou',
    '<%= config.bin %> <%= command.id %> --out .vscode/schemas',
  ];
  static override flags = {
    kind: Flags.string({ summary: 'Kind of file.', options: SCHEMA_KINDS }),
    out: Flags.string({
      summary: 'Folder to write <kind>.schema.json files into.',
      helpValue: 'DIR',
    }),
  };

  async run(): Promise<object | { written: WrittenSchema[] }> {
    const { flags } = await this.parse(ManifestSchema);
    const kind = SCHEMA_KINDS.find((k) => k === flags.kind);
    if (flags.out === undefined) {
      const schema = schemaFor(kind ?? 'manifest');
      this.log(JSON.stringify(schema, null, 2));
      return schema;
    }
    const written = await writeSchemas(
      catalogContext().files,
      flags.out,
      kind === undefined ? SCHEMA_KINDS : [kind],
    );
    this.log(written.map((w) => `wrote ${w.path}`).join('\n'));
    return { written };
  }
}
