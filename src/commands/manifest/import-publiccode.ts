import { Args, Flags } from '@oclif/core';
import { FsCatalogFiles } from '../../adapters/fs-catalog-files.js';
import { importPubliccode, type PubliccodeImportResult } from '../../app/author.js';
import { formatDiagnostic } from '../../core/diagnostics.js';
import { KsadCommand } from '../../ui/base-command.js';

export default class ManifestImportPubliccode extends KsadCommand {
  static override summary = "Draft a manifest's descriptive fields from a publiccode.yml.";
  static override description =
    "Maps publiccode.yml 0.4 (name, url, softwareVersion, releaseDate, categories, description.<lang>, legal.license, maintenance, intendedAudience.scope) to the manifest's descriptive fields. Every field that does not map is listed as a warning at its line (stderr). Services are still to add: see `ksad manifest init --from-compose … --publiccode …`.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> publiccode.yml --publisher kota-bandung --version 2.1.0',
  ];
  static override args = {
    file: Args.string({ required: true, description: 'publiccode.yml file' }),
  };
  static override flags = {
    publisher: Flags.string({ required: true, summary: 'Member slug of the publishing region.' }),
    version: Flags.string({ summary: 'App version; default: softwareVersion.' }),
    name: Flags.string({ summary: 'App slug; default: from publiccode name.' }),
    out: Flags.string({
      char: 'o',
      summary: 'Write the YAML here instead of stdout.',
      helpValue: 'FILE',
    }),
    force: Flags.boolean({ summary: 'Overwrite --out when it exists.' }),
  };

  async run(): Promise<PubliccodeImportResult> {
    const { args, flags } = await this.parse(ManifestImportPubliccode);
    const result = await importPubliccode({ files: new FsCatalogFiles(process.cwd()) }, args.file, {
      publisher: flags.publisher,
      version: flags.version,
      name: flags.name,
      out: flags.out,
      force: flags.force,
    });
    if (!this.jsonEnabled()) {
      if (result.out === null) this.log(result.yaml.trimEnd());
      for (const w of result.warnings) this.note(formatDiagnostic(w));
      this.note('Still to decide before publishing:');
      for (const d of result.decisions) this.note(`  - ${d}`);
    }
    return result;
  }
}
