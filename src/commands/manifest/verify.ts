import { Args } from '@oclif/core';
import { verifyManifestsUseCase, type VerifyReport } from '../../app/verify.js';
import { ExitCode } from '../../core/errors.js';
import { KsadCommand } from '../../ui/base-command.js';
import { catalogContext } from '../../ui/context.js';
import { catalogFlag } from '../../ui/flags.js';

export default class ManifestVerify extends KsadCommand {
  static override summary = "Check manifest signatures against the publishers' keys in a catalog.";
  static override description =
    'Checks the named manifest files (each with its .sig beside it), or every manifest of the catalog when none is named. Exits 10 when any manifest is unsigned or does not verify.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --catalog ksad',
    '<%= config.bin %> <%= command.id %> out/2.1.0.yaml --catalog ./ksad-catalog --json',
  ];
  static override strict = false;
  static override args = {
    files: Args.string({
      description: 'manifest files; every manifest of the catalog when absent',
    }),
  };
  static override flags = { catalog: catalogFlag };

  async run(): Promise<VerifyReport> {
    const { argv, flags } = await this.parse(ManifestVerify);
    const report = await verifyManifestsUseCase(
      catalogContext({ progress: { json: this.jsonEnabled() } }),
      argv as string[],
      {
        catalog: flags.catalog,
      },
    );
    for (const r of report.results) {
      this.log(
        `${r.status.toUpperCase().padEnd(8)} ${r.file}${r.keyId === null ? '' : `  key ${r.keyId}`}${r.message === null ? '' : `\n         ${r.message}`}`,
      );
    }
    this.note(
      `${report.verified} verified, ${report.unsigned} unsigned, ${report.invalid} invalid (catalog ${report.catalog.name})`,
    );
    if (report.unsigned + report.invalid > 0) process.exitCode = ExitCode.INTEGRITY;
    return report;
  }
}
