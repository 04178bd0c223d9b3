import { Flags } from '@oclif/core';
import { currentOperator, systemClock } from '../../adapters/system.js';
import { openCatalog } from '../../app/catalogs.js';
import { initHost } from '../../app/host.js';
import { TARGET_KINDS, type HostProfile } from '../../core/release.js';
import { KsadCommand } from '../../ui/base-command.js';
import { catalogContext } from '../../ui/context.js';
import { dockerHostFlag, openHost } from '../../ui/engine-context.js';
import { catalogFlag } from '../../ui/flags.js';
import { hostText } from '../../ui/release-text.js';

export default class HostInit extends KsadCommand {
  static override summary = 'Record on the Docker host which region owns it, and its policy.';
  static override description =
    'The profile is kept on the host itself (in its release store: on a Docker host, the labels of a ksad-host volume), so every engineer and auditor reading this host sees the same region, time zone and policy. Running it again updates the profile; the new one is written before the old one is retired.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --region 35.22 --target swarm',
    '<%= config.bin %> <%= command.id %> --region 52.04 --name "Diskominfotik Kabupaten Sumbawa"',
    '<%= config.bin %> <%= command.id %> --region 35.22 --bind-address 0.0.0.0',
  ];
  static override flags = {
    region: Flags.string({
      summary:
        'Kemendagri code or official name of the region that owns this host, e.g. 52.04 or "Kabupaten Sumbawa".',
      required: true,
    }),
    name: Flags.string({ summary: 'A name for this host, e.g. the unit that runs it.' }),
    'time-zone': Flags.string({
      summary:
        "Time zone whose calendar MoUs are judged by: WIB, WITA, WIT or an IANA name such as Asia/Makassar (default: the region's province's zone).",
      helpValue: 'ZONE',
    }),
    'bind-address': Flags.string({
      summary: 'Address that published ports bind to (default 127.0.0.1).',
    }),
    'history-limit': Flags.integer({
      summary: 'Release records kept per app (default 10).',
      min: 1,
      max: 1000,
    }),
    'allow-unsigned': Flags.boolean({
      summary:
        'Allow deploying manifests that carry no signature (default: refused). Each such release records it.',
      description:
        'A signature that is present but does not verify is refused either way. --no-allow-unsigned turns it off again.',
      allowNo: true,
    }),
    target: Flags.string({
      summary:
        'What kind of target this engine is: docker (one Docker host) or swarm (a Docker Swarm, run on a manager).',
      description:
        'A swarm keeps the profile, release records, secrets and locks as Swarm configs, readable from every manager.',
      options: [...TARGET_KINDS],
      default: 'docker',
    }),
    force: Flags.boolean({
      summary:
        'Give the host to another region although apps are deployed on it (the earlier profile is kept in the host record).',
      default: false,
    }),
    catalog: catalogFlag,
    'docker-host': dockerHostFlag,
  };

  async run(): Promise<{ profile: HostProfile; replaced: boolean }> {
    const { flags } = await this.parse(HostInit);
    const kind = TARGET_KINDS.find((k) => k === flags.target) ?? 'docker';
    const host = openHost(flags['docker-host'], kind);
    try {
      const catalog = await openCatalog(catalogContext(), flags.catalog);
      const result = await initHost(
        {
          store: host.store,
          target: host.target,
          catalog,
          clock: systemClock,
          operator: currentOperator(process.env),
        },
        {
          region: flags.region,
          name: flags.name,
          bindAddress: flags['bind-address'],
          historyLimit: flags['history-limit'],
          allowUnsigned: flags['allow-unsigned'],
          timeZone: flags['time-zone'],
          force: flags.force,
        },
      );
      this.log(
        `${result.replaced ? 'Updated' : 'Initialised'} host profile on ${host.endpoint}:\n${hostText(result.profile)}`,
      );
      return result;
    } finally {
      host.close();
    }
  }
}
