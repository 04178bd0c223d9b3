import { Args } from '@oclif/core';
import { lintIngressOverlays, type IngressLintReport } from '../../app/ingress-lint.js';
import { formatDiagnostic } from '../../core/diagnostics.js';
import { routeText } from '../../core/ingress.js';
import { KsadCommand } from '../../ui/base-command.js';
import { readText } from '../../ui/engine-context.js';

export default class IngressLint extends KsadCommand {
  static override summary =
    "Check several apps' overlays for route conflicts before deploying them.";
  static override description =
    "Reads each overlay's `ingress` section (each file names its app with `app:`) and reports, as file:line:col, schema problems and any host name and path prefix claimed by two apps. Exits 3 on errors. `plan` and `deploy` refuse the same conflict against the routes already on the host.";
  static override examples = ['<%= config.bin %> <%= command.id %> antrean.yaml sakip.yaml'];
  static override args = {
    files: Args.string({ required: true, description: 'overlay files', multiple: true }),
  };

  async run(): Promise<IngressLintReport> {
    const { argv } = await this.parse(IngressLint);
    const files = (argv as string[]).map((file) => ({ file, text: readText(file, 'overlay') }));
    const report = lintIngressOverlays(files);
    for (const d of report.diagnostics) this.log(formatDiagnostic(d));
    for (const r of report.routes) this.log(`${r.app}\t${routeText(r)}\t(${r.file})`);
    return report;
  }
}
