import { writeFile } from 'node:fs/promises';
import { Args, Flags } from '@oclif/core';
import { openCatalog } from '../app/catalogs.js';
import { auditApps } from '../app/audit.js';
import type { AuditReport } from '../core/audit/index.js';
import { ExitCode, KsadError } from '../core/errors.js';
import { KsadCommand } from '../ui/base-command.js';
import { AUDIT_FORMATS, renderAudit, type AuditFormat } from '../ui/audit-report.js';
import { catalogContext, systemClock } from '../ui/context.js';
import { dockerHostFlag, openProfiledHost } from '../ui/engine-context.js';
import { catalogFlag } from '../ui/flags.js';
import { TlsCertificateProbe } from '../adapters/tls-certificate-probe.js';

export default class Audit extends KsadCommand {
  static override summary =
    'Report, for each app on the host, its version, MoU status, drift, integrity and available updates.';
  static override description = `Read-only evidence for auditors, read from the Docker host alone and judged against the current catalog: who deployed what and when, under which MoU (active, expiring within 90 days, expired, missing from the catalog, or overridden), containers missing, stopped or modified outside ksad (environment variables are named, never shown), image and manifest digests, newer versions an active MoU grants, and ksad-labelled resources that belong to no release.

With --strict the command exits ${ExitCode.CHANGES_PENDING} when any finding has severity error or warning (info findings are context), so a scheduler can act on it. --json prints the same report as --format json.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> antrean-daring --strict',
    '<%= config.bin %> <%= command.id %> --format html --out audit-sumbawa.html',
    '<%= config.bin %> <%= command.id %> --format csv --date 2027-01-01 > findings.csv',
  ];
  static override args = { app: Args.string({ description: 'audit only this app' }) };
  static override flags = {
    format: Flags.string({
      summary: 'Output format.',
      options: [...AUDIT_FORMATS],
      default: 'table',
    }),
    out: Flags.string({
      char: 'o',
      summary: 'Write the report to this file instead of stdout.',
      helpValue: 'FILE',
    }),
    strict: Flags.boolean({
      summary: `Exit ${ExitCode.CHANGES_PENDING} when there are findings of severity error or warning.`,
      default: false,
    }),
    date: Flags.string({
      summary:
        "Judge MoUs and updates as of this day (YYYY-MM-DD) instead of today in the host's time zone.",
      helpValue: 'YYYY-MM-DD',
    }),
    catalog: catalogFlag,
    'docker-host': dockerHostFlag,
  };

  async run(): Promise<AuditReport> {
    const { args, flags } = await this.parse(Audit);
    if (flags.date !== undefined && !isDay(flags.date)) {
      throw new KsadError(
        'USAGE',
        `--date must be a calendar date YYYY-MM-DD, got "${flags.date}"`,
        {
          suggestions: ['for example: --date 2027-01-15'],
        },
      );
    }
    const catalog = await openCatalog(catalogContext(), flags.catalog);
    const host = await openProfiledHost(flags['docker-host']);
    let report: AuditReport;
    try {
      report = await auditApps(
        {
          store: host.store,
          target: host.target,
          catalog,
          clock: systemClock,
          ingress: host.ingress,
          certificates: new TlsCertificateProbe(),
        },
        { today: flags.date, ...(args.app !== undefined ? { app: args.app } : {}) },
      );
    } finally {
      host.close();
    }

    const text = renderAudit(report, flags.format as AuditFormat);
    if (flags.out !== undefined) {
      try {
        await writeFile(flags.out, text, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw new KsadError('USAGE', `--out: cannot write ${flags.out} (${code})`, {
          suggestions: ['check that the folder exists and is writable'],
        });
      }
      this.note(
        `Wrote the ${flags.format} audit report to ${flags.out}: ${report.summary.findings} finding(s), ${report.summary.actionable} needing action.`,
      );
    } else {
      this.log(text.replace(/\r?\n$/, ''));
    }
    if (flags.strict && report.summary.actionable > 0) process.exitCode = ExitCode.CHANGES_PENDING;
    return report;
  }
}

/** A real calendar day: `2027-02-30` is refused, not rolled over into March. */
function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const t = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === value;
}
