import type { ReleaseRecord } from '../release.js';
import { auditApp } from './audit-app.js';
import { byFindingOrder, finding } from './finding.js';
import { historyGaps } from './history-findings.js';
import { orphanFindings } from './orphan-findings.js';
import {
  AUDIT_SCHEMA_VERSION,
  type AuditFinding,
  type AuditInput,
  type AuditReport,
  type AuditSummary,
  type FindingCategory,
  type FindingSeverity,
  type RecordEntry,
} from './report-model.js';

/** The running (latest `deployed`) record of each app, optionally of one app only. */
export function currentReleases(entries: readonly RecordEntry[], app?: string): ReleaseRecord[] {
  const latest = new Map<string, ReleaseRecord>();
  for (const e of entries) {
    if (!('record' in e) || e.record.status !== 'deployed') continue;
    if (app !== undefined && e.record.app !== app) continue;
    const seen = latest.get(e.record.app);
    if (!seen || seen.revision < e.record.revision) latest.set(e.record.app, e.record);
  }
  return [...latest.values()].sort((a, b) => a.app.localeCompare(b.app));
}

/**
 * Audits a host: for each deployed app (or only `input.app`) its MoU, drift, integrity and
 * available updates; plus resources carrying ksad's labels that belong to no release.
 *
 * Drift is judged against the container spec rebuilt from the manifest (found in the catalog by
 * the recorded digest), the recorded configuration and the host's stored secrets, because a
 * container recreated by hand keeps ksad's labels, config hash included. When the rebuilt spec
 * does not hash to the recorded one (a release recorded before service overrides were, or a secret is
 * not stored), image, ports, mounts and network are still compared, the environment is not, and
 * an `info` finding says so.
 */
export function auditHost(input: AuditInput): AuditReport {
  const entries = input.records;
  const current = currentReleases(entries, input.app);
  const deployed = new Map(current.map((r) => [r.app, r]));
  const inScope = (app: string): boolean => input.app === undefined || app === input.app;
  const secretsByApp = new Map(input.secrets.map((s) => [s.app, s.values]));
  const apps = current.map((r) => auditApp(input, r, secretsByApp.get(r.app)));
  const byApp = new Map(apps.map((a) => [a.app, a]));
  const hostFindings: AuditFinding[] = [];
  const add = (f: AuditFinding): void => {
    const target = byApp.get(f.app);
    if (target) target.findings.push(f);
    else hostFindings.push(f);
  };

  for (const e of entries) {
    if ('damaged' in e && inScope(e.app)) {
      add(
        finding(
          deployed.get(e.app) ?? e.app,
          'integrity',
          'error',
          'record-damaged',
          e.where,
          `the release record on ${e.where} is damaged or was edited by hand`,
        ),
      );
    }
  }
  for (const f of orphanFindings(input, entries, deployed)) {
    if (inScope(f.app)) add(f);
  }
  for (const f of historyGaps(entries, input.profile.policy.historyLimit, deployed)) {
    if (inScope(f.app)) add(f);
  }

  for (const a of apps) a.findings.sort(byFindingOrder);
  hostFindings.sort(byFindingOrder);
  const all = [...apps.flatMap((a) => a.findings), ...hostFindings];
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    generatedAt: input.generatedAt,
    asOf: input.today,
    host: {
      name: input.profile.name,
      region: { ...input.profile.region },
      engine: { ...input.engine },
    },
    catalog: { name: input.catalog.name, commit: input.catalog.commit ?? null },
    scope: input.app ?? null,
    summary: summarize(apps.length, all),
    apps,
    hostFindings,
  };
}

function summarize(apps: number, findings: readonly AuditFinding[]): AuditSummary {
  const bySeverity: Record<FindingSeverity, number> = { error: 0, warning: 0, info: 0 };
  const byCategory: Record<FindingCategory, number> = {
    mou: 0,
    drift: 0,
    integrity: 0,
    outdated: 0,
    orphan: 0,
    ingress: 0,
  };
  for (const f of findings) {
    bySeverity[f.severity] += 1;
    byCategory[f.category] += 1;
  }
  return {
    apps,
    findings: findings.length,
    actionable: bySeverity.error + bySeverity.warning,
    bySeverity,
    byCategory,
  };
}
