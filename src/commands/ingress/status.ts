import { ingressReport, routeLines, type IngressReport } from '../../app/ingress.js';
import { KsadCommand } from '../../ui/base-command.js';
import { dockerHostFlag, openHost } from '../../ui/engine-context.js';

export default class IngressStatus extends KsadCommand {
  static override summary = 'Show the host ingress and every route it serves.';
  static override flags = { 'docker-host': dockerHostFlag };

  async run(): Promise<IngressReport> {
    const { flags } = await this.parse(IngressStatus);
    const host = openHost(flags['docker-host']);
    try {
      const report = ingressReport(await host.ingress.state());
      if (!report.installed) this.log('no ingress on this host (ksad ingress install)');
      else {
        this.log(
          `${report.container ?? ''}: ${report.state ?? ''} (${report.health ?? ''}), ${report.image ?? ''}, on ${report.bindAddress ?? ''} http ${report.httpPort ?? ''} https ${report.httpsPort ?? ''}`,
        );
        const lines = routeLines(report);
        this.log(lines.length > 0 ? lines.join('\n') : 'no routes');
      }
      return report;
    } finally {
      host.close();
    }
  }
}
