import { Flags } from '@oclif/core';
import { installIngress, routeLines, type IngressReport } from '../../app/ingress.js';
import { KsadCommand } from '../../ui/base-command.js';
import { dockerHostFlag, openHost } from '../../ui/engine-context.js';
import { terminalProgress } from '../../ui/progress.js';

export default class IngressInstall extends KsadCommand {
  static override summary =
    'Install or upgrade the host ingress (Caddy) that serves apps by host name over HTTPS.';
  static override description = `The ingress is one proxy container, ksad-ingress, publishing the host's HTTP and HTTPS ports. Apps whose overlay has an \`ingress\` section are served through it by host name and path prefix, with a certificate from its internal CA (kept on the host; export the root with \`ksad ingress ca\`) or the region's own; their upgrades then switch traffic to healthy containers with no failed request. Running it again with the same image and ports changes nothing; another image or other ports replace the proxy container, keeping its routes and CA (a gap of about a second).`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --image registry.sumbawakab.go.id/ksad-system/ingress@sha256:…',
    '<%= config.bin %> <%= command.id %> --http-port 8080 --https-port 8443 --bind-address 0.0.0.0',
  ];
  static override flags = {
    image: Flags.string({
      summary: 'The proxy image, pinned by digest (built by scripts/ingress-image.js).',
      env: 'KSAD_INGRESS_IMAGE',
      helpValue: 'REPO@sha256:…',
    }),
    'http-port': Flags.integer({ summary: 'Host port for HTTP.', default: 80, min: 1, max: 65535 }),
    'https-port': Flags.integer({
      summary: 'Host port for HTTPS.',
      default: 443,
      min: 1,
      max: 65535,
    }),
    'bind-address': Flags.string({
      summary: "Host address the ports listen on (default: the host profile's bind address).",
    }),
    'docker-host': dockerHostFlag,
  };

  async run(): Promise<IngressReport & { outcome: string }> {
    const { flags } = await this.parse(IngressInstall);
    const host = openHost(flags['docker-host']);
    try {
      const result = await installIngress(
        {
          store: host.store,
          ingress: host.ingress,
          progress: terminalProgress({ json: this.jsonEnabled() }),
        },
        {
          image: flags.image,
          httpPort: flags['http-port'],
          httpsPort: flags['https-port'],
          bindAddress: flags['bind-address'],
        },
      );
      this.log(
        `ingress ${result.outcome}: ${result.container ?? ''} on ${result.bindAddress ?? ''} (http ${result.httpPort ?? ''}, https ${result.httpsPort ?? ''})`,
      );
      for (const line of routeLines(result)) this.log(line);
      return result;
    } finally {
      host.close();
    }
  }
}
