import { lintCatalogUseCase, type LintReport } from '../../app/lint.js';
import { KsadCommand } from '../../ui/base-command.js';
import { catalogContext } from '../../ui/context.js';
import { catalogFlag } from '../../ui/flags.js';
import { emitLintReport } from '../../ui/lint-output.js';

export default class CatalogLint extends KsadCommand {
  static override summary = 'Check every file of a catalog: members, MoUs and manifests.';
  static override description =
    'Prints each problem as "file:line:col: error|warning: path: message" on stdout and a summary on stderr. Exits 3 when there are errors.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --catalog ./my-catalog',
    '<%= config.bin %> <%= command.id %> --catalog ksad --json',
  ];
  static override flags = { catalog: catalogFlag };

  async run(): Promise<LintReport> {
    const { flags } = await this.parse(CatalogLint);
    const report = await lintCatalogUseCase(catalogContext({ progress: { json: this.jsonEnabled() } }), { catalog: flags.catalog });
    return emitLintReport(report, { json: this.jsonEnabled(), log: (l) => this.log(l), note: (l) => this.note(l), dated: true });
  }
}
