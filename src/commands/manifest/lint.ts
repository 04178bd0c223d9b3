import { Args } from '@oclif/core';
import { lintManifestsUseCase, type LintReport } from '../../app/lint.js';
import { KsadCommand } from '../../ui/base-command.js';
import { catalogContext } from '../../ui/context.js';
import { catalogFlag } from '../../ui/flags.js';
import { emitLintReport } from '../../ui/lint-output.js';

export default class ManifestLint extends KsadCommand {
  static override summary = 'Check manifest files before publishing them.';
  static override description =
    'Lints the named files, and every .yaml/.yml file in the named folders, against the manifest schema and rules; cross-checked against the catalog (publisher, versions) when one is available. Exits 3 when there are errors.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> manifests/kota-bandung/antrean-daring/2.1.0.yaml',
    '<%= config.bin %> <%= command.id %> ./out --catalog ksad',
  ];
  static override args = {
    paths: Args.string({
      required: true,
      multiple: true,
      description: 'manifest files or folders',
    }),
  };
  static override flags = { catalog: catalogFlag };

  async run(): Promise<LintReport> {
    const { args, flags } = await this.parse(ManifestLint);
    const report = await lintManifestsUseCase(catalogContext(), args.paths, {
      catalog: flags.catalog,
    });
    return emitLintReport(report, {
      json: this.jsonEnabled(),
      log: (l) => this.log(l),
      note: (l) => this.note(l),
    });
  }
}
