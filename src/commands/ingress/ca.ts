import { writeFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { ingressCaRoot } from '../../app/ingress.js';
import { KsadError } from '../../core/errors.js';
import { KsadCommand } from '../../ui/base-command.js';
import { dockerHostFlag, openHost } from '../../ui/engine-context.js';

export default class IngressCa extends KsadCommand {
  static override summary =
    "Export the root certificate of the ingress's internal CA, for the region's clients to trust.";
  static override description =
    "The internal CA is kept on the host (in the ingress data volume) and issues the certificates of routes with `ingress.tls: internal`. Install its root on the region's computers (or in a browser) so they trust the apps it serves. The root's key never leaves the host.";
  static override examples = ['<%= config.bin %> <%= command.id %> --out ksad-root.crt'];
  static override flags = {
    out: Flags.string({
      char: 'o',
      summary: 'Write the PEM to this file instead of stdout.',
      helpValue: 'FILE',
    }),
    'docker-host': dockerHostFlag,
  };

  async run(): Promise<{ certificate: string; out: string | null }> {
    const { flags } = await this.parse(IngressCa);
    const host = openHost(flags['docker-host']);
    let pem: string;
    try {
      pem = await ingressCaRoot(host.ingress);
    } finally {
      host.close();
    }
    if (flags.out !== undefined) {
      try {
        await writeFile(flags.out, pem, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw new KsadError('USAGE', `--out: cannot write ${flags.out} (${code})`);
      }
      this.log(`wrote the internal CA's root certificate to ${flags.out}`);
    } else if (!this.jsonEnabled()) process.stdout.write(pem);
    return { certificate: pem, out: flags.out ?? null };
  }
}
