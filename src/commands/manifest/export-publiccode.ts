import { Args, Flags } from '@oclif/core';
import { FsCatalogFiles } from '../../adapters/fs-catalog-files.js';
import { exportPubliccode, type PubliccodeExportResult } from '../../app/author.js';
import { formatDiagnostic } from '../../core/diagnostics.js';
import { KsadCommand } from '../../ui/base-command.js';

export default class ManifestExportPubliccode extends KsadCommand {
  static override summary = 'Write a publiccode.yml from a manifest.';
  static override description =
    "Maps the manifest's descriptive fields to publiccode.yml 0.4. What the manifest cannot give (or gives only as a guess, like developmentStatus) and what publiccode.yml has no place for (services, config, secrets) is listed as a warning at its line in the manifest (stderr). Exits 3 when the manifest is not valid.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> manifests/kota-bandung/antrean-daring/2.0.0.yaml --out publiccode.yml',
  ];
  static override args = {
    manifest: Args.string({ required: true, description: 'manifest file' }),
  };
  static override flags = {
    out: Flags.string({
      char: 'o',
      summary: 'Write publiccode.yml here instead of stdout.',
      helpValue: 'FILE',
    }),
    force: Flags.boolean({ summary: 'Overwrite --out when it exists.' }),
  };

  async run(): Promise<PubliccodeExportResult> {
    const { args, flags } = await this.parse(ManifestExportPubliccode);
    const result = await exportPubliccode(
      { files: new FsCatalogFiles(process.cwd()) },
      args.manifest,
      { out: flags.out, force: flags.force },
    );
    if (!this.jsonEnabled()) {
      if (result.out === null) this.log(result.yaml.trimEnd());
      for (const w of result.warnings) this.note(formatDiagnostic(w));
    }
    return result;
  }
}
