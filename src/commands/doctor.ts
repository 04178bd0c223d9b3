import { openCatalog } from '../app/catalogs.js';
import { runDoctor, type Check } from '../app/doctor.js';
import { ExitCode } from '../core/errors.js';
import { KsadCommand } from '../ui/base-command.js';
import { catalogContext } from '../ui/context.js';
import { dockerHostFlag, openProfiledHost } from '../ui/engine-context.js';
import { catalogFlag } from '../ui/flags.js';

export default class Doctor extends KsadCommand {
  static override summary = 'Check the Docker engine, the host profile and the catalog.';
  static override description = `Exits ${ExitCode.ENGINE_UNAVAILABLE} when the engine cannot be reached, ${ExitCode.NOT_FOUND} when the host has no profile or the catalog cannot be opened.`;
  static override flags = { catalog: catalogFlag, 'docker-host': dockerHostFlag };

  async run(): Promise<{ ok: boolean; checks: Check[] }> {
    const { flags } = await this.parse(Doctor);
    const host = await openProfiledHost(flags['docker-host']);
    try {
      const checks = await runDoctor({
        store: host.store,
        target: host.target,
        openCatalog: () => openCatalog(catalogContext(), flags.catalog),
      });
      const mark = { ok: '✔', warn: '!', fail: '✖' } as const;
      for (const c of checks) {
        this.log(
          `${mark[c.status]} ${c.name.padEnd(8)} ${c.detail}${c.fix ? `\n  → ${c.fix}` : ''}`,
        );
      }
      const failed = checks.find((c) => c.status === 'fail');
      if (failed)
        process.exitCode =
          failed.name === 'engine' ? ExitCode.ENGINE_UNAVAILABLE : ExitCode.NOT_FOUND;
      return { ok: !failed, checks };
    } finally {
      host.close();
    }
  }
}
