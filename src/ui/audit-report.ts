import type { AuditApp, AuditFinding, AuditMou, AuditReport } from '../core/audit/index.js';
import { zoneText } from './calendar-text.js';
import { renderFields, renderTable, shortCommit } from './table.js';

/*
 * The audit report in the three formats people read: a terminal table, CSV for spreadsheets and
 * one self-contained HTML file to print or attach as evidence. None of them carries a secret: the
 * report itself holds none (environment variables are named, never valued).
 */

export type AuditFormat = 'table' | 'json' | 'csv' | 'html';
export const AUDIT_FORMATS: readonly AuditFormat[] = ['table', 'json', 'csv', 'html'];

export function renderAudit(report: AuditReport, format: AuditFormat): string {
  switch (format) {
    case 'table':
      return auditTable(report);
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'csv':
      return auditCsv(report);
    case 'html':
      return auditHtml(report);
  }
}

/** Every finding, app sections first (in app order), then the host's. */
export function allFindings(report: AuditReport): AuditFinding[] {
  return [...report.apps.flatMap((a) => a.findings), ...report.hostFindings];
}

export function mouLabel(mou: AuditMou): string {
  if (mou.kind === 'override') return `overridden: ${mou.reason ?? ''}`;
  return mou.number ?? '-';
}

export function mouStatusLabel(mou: AuditMou): string {
  if (mou.status === 'overridden' || mou.daysLeft === null) return mou.status;
  if (mou.status === 'expired') return `expired ${mou.validUntil ?? ''}`;
  if (mou.status === 'missing-from-catalog') return 'missing from catalog';
  return `${mou.status} (until ${mou.validUntil ?? '?'})`;
}

function updateLabel(app: AuditApp): string {
  const u = app.updates;
  if (u.latestCovered !== null) return `${u.latestCovered} (${u.change ?? 'newer'})`;
  return 'up to date';
}

function countsText(report: AuditReport): string {
  const s = report.summary;
  if (s.findings === 0) return 'No findings.';
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(s.findings, 'finding')}: ${plural(s.bySeverity.error, 'error')}, ${plural(s.bySeverity.warning, 'warning')}, ${s.bySeverity.info} info.`;
}

// ---------------------------------------------------------------------------------------------
// table

export function auditTable(report: AuditReport): string {
  const head = renderFields([
    [
      'Host',
      `${report.host.name} (${report.host.engine.endpoint}, Docker ${report.host.engine.version})`,
    ],
    ['Region', `${report.host.region.code} ${report.host.region.name}`],
    ['As of', report.asOf],
    ...(report.calendar ? [['Time zone', zoneText(report.calendar)] as [string, string]] : []),
    [
      'Catalog',
      `${report.catalog.name}${report.catalog.commit ? ` @ ${shortCommit(report.catalog.commit)}` : ''}`,
    ],
  ]);
  const parts = [head, ''];
  if (report.apps.length === 0) {
    parts.push(
      report.scope === null
        ? 'No apps are deployed on this host.'
        : `${report.scope} is not deployed on this host.`,
    );
  } else {
    parts.push(
      renderTable(report.apps, [
        { header: 'APP', value: (a) => a.app },
        { header: 'VERSION', value: (a) => a.version },
        { header: 'REV', value: (a) => String(a.revision), align: 'right' },
        {
          header: 'DEPLOYED',
          value: (a) => `${a.deployedAt.slice(0, 16).replace('T', ' ')} by ${a.deployedBy}`,
        },
        { header: 'MOU', value: (a) => mouLabel(a.mou) },
        { header: 'MOU STATUS', value: (a) => mouStatusLabel(a.mou) },
        { header: 'DRIFT', value: (a) => a.drift },
        { header: 'UPDATE', value: updateLabel },
        { header: 'FINDINGS', value: (a) => String(a.findings.length), align: 'right' },
      ]),
    );
  }
  const removed = report.removed ?? [];
  if (removed.length > 0) {
    parts.push(
      '',
      'Removed apps (the host keeps this evidence):',
      renderTable(removed, [
        { header: 'APP', value: (r) => r.app },
        {
          header: 'REMOVED',
          value: (r) => `${r.removedAt.slice(0, 16).replace('T', ' ')} by ${r.removedBy}`,
        },
        { header: 'DATA', value: (r) => (r.purgedData ? 'purged' : 'kept') },
        {
          header: 'REVISIONS',
          value: (r) => r.revisions.map((x) => `r${x.revision} ${x.version}`).join(', '),
        },
      ]),
    );
  }
  const findings = allFindings(report);
  if (findings.length > 0) {
    parts.push(
      '',
      renderTable(findings, [
        { header: 'APP', value: (f) => f.app || '-' },
        { header: 'SEVERITY', value: (f) => f.severity },
        { header: 'CATEGORY', value: (f) => f.category },
        { header: 'SUBJECT', value: (f) => f.subject },
        { header: 'MESSAGE', value: (f) => f.message },
      ]),
    );
  }
  parts.push('', countsText(report));
  return parts.join('\n');
}

// ---------------------------------------------------------------------------------------------
// csv

export const CSV_COLUMNS = [
  'app',
  'version',
  'revision',
  'category',
  'severity',
  'subject',
  'message',
  'code',
] as const;

/**
 * RFC 4180 CSV (CRLF, quoted where needed), one row per finding. A cell that a spreadsheet would
 * run as a formula (starting with = + - @, tab or CR) is prefixed with `'`, so evidence opened in
 * Excel or LibreOffice shows text and never executes.
 */
export function auditCsv(report: AuditReport): string {
  const rows = allFindings(report).map((f) => [
    f.app,
    f.version,
    f.revision === null ? '' : String(f.revision),
    f.category,
    f.severity,
    f.subject,
    f.message,
    f.code,
  ]);
  return (
    [CSV_COLUMNS as readonly string[], ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') +
    '\r\n'
  );
}

function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

// ---------------------------------------------------------------------------------------------
// html

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const CSS = `
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1b1f24; margin: 24px auto; max-width: 1100px; padding: 0 16px; }
h1 { font-size: 19pt; margin: 0 0 4px; }
h2 { font-size: 14pt; margin: 28px 0 8px; border-bottom: 2px solid #1b1f24; padding-bottom: 3px; }
h3 { font-size: 11pt; margin: 14px 0 6px; }
.sub { color: #57606a; margin: 0 0 16px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0 0 8px; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
th, td { border: 1px solid #c8ccd1; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eef1f4; }
td.num { text-align: right; }
td.msg, td.subj { word-break: break-word; }
code, .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 9pt; word-break: break-all; }
.badge { display: inline-block; white-space: nowrap; padding: 0 6px; border-radius: 3px; font-weight: bold; font-size: 9pt; border: 1px solid transparent; }
.sev-error { background: #fde2e1; color: #86181d; border-color: #f5b5b3; }
.sev-warning { background: #fff1c2; color: #6a4a00; border-color: #f0d488; }
.sev-info { background: #e4effb; color: #0b3d75; border-color: #b9d3f1; }
.ok { background: #dcf3e2; color: #1a5e2c; border-color: #a8dbb5; }
.summary td.num { font-size: 13pt; font-weight: bold; }
.verdict { font-weight: bold; font-size: 12pt; padding: 8px 10px; border: 2px solid; border-radius: 4px; display: inline-block; }
.verdict.clean { border-color: #2f8a47; color: #1a5e2c; }
.verdict.findings { border-color: #b3261e; color: #86181d; }
section.app { break-inside: avoid-page; }
footer { margin-top: 30px; color: #57606a; font-size: 9pt; border-top: 1px solid #c8ccd1; padding-top: 6px; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
`;

/**
 * The report as one self-contained HTML file: inline CSS, no scripts, no external resources (a
 * CSP meta tag forbids loading any), every value escaped. Opens and prints from disk.
 */
export function auditHtml(report: AuditReport): string {
  const e = escapeHtml;
  const s = report.summary;
  const title = `ksad audit: ${report.host.name} (${report.host.region.code} ${report.host.region.name}), ${report.asOf}`;
  const out: string[] = [];
  out.push(
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="ksad audit">',
    `<title>${e(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
    '<h1>KSAD audit report</h1>',
    `<p class="sub">Applications deployed under Kerjasama Antar Daerah on this Docker host, as read from the host on ${e(report.asOf)}.</p>`,
    '<dl class="meta" id="meta">',
    meta('Host', report.host.name, 'host'),
    meta('Region', `${report.host.region.code} ${report.host.region.name}`, 'region'),
    meta(
      'Docker engine',
      `${report.host.engine.endpoint} (Docker ${report.host.engine.version})`,
      'engine',
    ),
    meta('Generated at', report.generatedAt, 'generated-at'),
    meta('MoUs judged as of', report.asOf, 'as-of'),
    ...(report.calendar ? [meta('Time zone', zoneText(report.calendar), 'time-zone')] : []),
    meta(
      'Catalog',
      `${report.catalog.name}${report.catalog.commit ? ` @ ${report.catalog.commit}` : ''}`,
      'catalog',
    ),
    meta('Scope', report.scope ?? 'all apps on the host', 'scope'),
    '</dl>',
    '</header>',
  );

  out.push(
    '<section class="summary" id="summary">',
    '<h2>Summary</h2>',
    `<p class="verdict ${s.actionable === 0 ? 'clean' : 'findings'}" id="verdict">${
      s.actionable === 0
        ? `No findings that need action (${s.apps} app${s.apps === 1 ? '' : 's'} audited).`
        : `${s.actionable} finding${s.actionable === 1 ? '' : 's'} need${s.actionable === 1 ? 's' : ''} action.`
    }</p>`,
    '<table>',
    '<thead><tr><th>Apps</th><th>Findings</th><th>Errors</th><th>Warnings</th><th>Info</th><th>MoU</th><th>Drift</th><th>Integrity</th><th>Outdated</th><th>Orphans</th><th>Ingress</th></tr></thead>',
    `<tbody><tr id="summary-counts">${[
      s.apps,
      s.findings,
      s.bySeverity.error,
      s.bySeverity.warning,
      s.bySeverity.info,
      s.byCategory.mou,
      s.byCategory.drift,
      s.byCategory.integrity,
      s.byCategory.outdated,
      s.byCategory.orphan,
      s.byCategory.ingress,
    ]
      .map((n) => `<td class="num">${n}</td>`)
      .join('')}</tr></tbody>`,
    '</table>',
    '</section>',
  );

  out.push('<section id="apps">', '<h2>Deployed applications</h2>');
  if (report.apps.length === 0) {
    out.push('<p>No apps are deployed on this host.</p>');
  } else {
    out.push(
      '<table>',
      '<thead><tr><th>App</th><th>Version</th><th>Rev.</th><th>Deployed by</th><th>Deployed at</th><th>MoU</th><th>MoU status</th><th>Drift</th><th>Update</th><th>Findings</th></tr></thead>',
      '<tbody>',
    );
    for (const a of report.apps) {
      out.push(
        `<tr class="app-row" data-app="${e(a.app)}"><td><a href="#app-${e(a.app)}">${e(a.app)}</a></td><td>${e(a.version)}</td><td class="num">${a.revision}</td><td>${e(a.deployedBy)}</td><td>${e(a.deployedAt)}</td><td>${e(mouLabel(a.mou))}</td><td>${mouBadge(a.mou)}</td><td>${driftBadge(a.drift)}</td><td>${e(updateLabel(a))}</td><td class="num">${a.findings.length}</td></tr>`,
      );
    }
    out.push('</tbody>', '</table>');
  }
  out.push('</section>');

  for (const a of report.apps) {
    out.push(
      `<section class="app" id="app-${e(a.app)}" data-app="${e(a.app)}">`,
      `<h2>${e(a.app)} ${e(a.version)} <span class="sub">(revision ${a.revision}, ${e(a.publisher)})</span></h2>`,
      '<dl class="meta">',
      meta('Deployed', `${a.deployedAt} by ${a.deployedBy} (${a.description})`),
      meta(
        'Manifest',
        `${a.manifest.file} (${a.manifest.status === 'present' ? 'in catalog' : a.manifest.status === 'changed' ? 'changed in catalog' : 'missing from catalog'})`,
      ),
      metaCode('Manifest digest', a.manifest.digest),
      meta(
        'Deployed from catalog',
        `${a.catalog.name}${a.catalog.commit ? ` @ ${a.catalog.commit}` : ''}`,
      ),
      meta(
        'MoU',
        a.mou.kind === 'override'
          ? `none, overridden: ${a.mou.reason ?? ''}`
          : `${a.mou.number ?? ''} (${a.mou.slug ?? ''})`,
      ),
      `<dt>MoU status</dt><dd>${mouBadge(a.mou)}</dd>`,
      meta(
        'Update',
        updateLabel(a) +
          (a.updates.newestInCatalog !== null &&
          a.updates.newestInCatalog !== a.updates.latestCovered
            ? `; newest in catalog: ${a.updates.newestInCatalog}`
            : ''),
      ),
      '</dl>',
      '<h3>Services</h3>',
      '<table class="services">',
      '<thead><tr><th>Service</th><th>Container</th><th>State</th><th>Drift</th><th>Differences</th><th>Pinned image</th></tr></thead>',
      '<tbody>',
      ...a.services.map(
        (sv) =>
          `<tr data-service="${e(sv.service)}"><td>${e(sv.service)}</td><td class="mono">${e(sv.container)}</td><td>${e(sv.health === 'none' || sv.health === 'missing' ? sv.state : `${sv.state} (${sv.health})`)}</td><td>${driftBadge(sv.drift)}</td><td>${e(sv.differences.join(', ') || '-')}</td><td class="mono">${e(sv.image)}</td></tr>`,
      ),
      '</tbody>',
      '</table>',
      '<h3>Findings</h3>',
      findingsTable(a.findings, false),
      '</section>',
    );
  }

  if (report.hostFindings.length > 0) {
    out.push(
      '<section class="app" id="host-findings">',
      '<h2>Resources outside any deployed app</h2>',
      findingsTable(report.hostFindings, true),
      '</section>',
    );
  }

  const removed = report.removed ?? [];
  if (removed.length > 0) {
    out.push(
      '<section class="app" id="removed">',
      '<h2>Removed apps</h2>',
      '<table class="findings">',
      '<thead><tr><th>App</th><th>Removed</th><th>By</th><th>Data</th><th>Revisions</th></tr></thead>',
      '<tbody>',
      ...removed.map(
        (r) =>
          `<tr class="removed" data-app="${e(r.app)}"><td>${e(r.app)}</td><td>${e(r.removedAt)}</td><td>${e(r.removedBy)}</td><td>${r.purgedData ? 'purged' : 'kept'}</td><td>${e(r.revisions.map((x) => `r${x.revision} ${x.version}`).join(', '))}</td></tr>`,
      ),
      '</tbody>',
      '</table>',
      '</section>',
    );
  }

  out.push(
    '<footer>',
    `<p>${e(countsText(report))} Generated by <code>ksad audit</code> at ${e(report.generatedAt)} from the Docker host alone (release records, containers, networks, volumes and images) and catalog ${e(report.catalog.name)}. ` +
      `Secret values and environment values are never included; environment variables are named only.</p>`,
    '</footer>',
    '</body>',
    '</html>',
    '',
  );
  return out.join('\n');
}

function meta(term: string, value: string, id?: string): string {
  return `<dt>${escapeHtml(term)}</dt><dd${id ? ` id="${id}"` : ''}>${escapeHtml(value)}</dd>`;
}

function metaCode(term: string, value: string): string {
  return `<dt>${escapeHtml(term)}</dt><dd><code>${escapeHtml(value)}</code></dd>`;
}

function badge(cls: string, text: string): string {
  return `<span class="badge ${cls}">${escapeHtml(text)}</span>`;
}

function mouBadge(mou: AuditMou): string {
  const cls =
    mou.status === 'active'
      ? 'ok'
      : mou.status === 'expiring' || mou.status === 'overridden'
        ? 'sev-warning'
        : 'sev-error';
  return badge(cls, mouStatusLabel(mou));
}

function driftBadge(drift: string): string {
  return badge(
    drift === 'in-sync' ? 'ok' : drift === 'unverified' ? 'sev-info' : 'sev-error',
    drift,
  );
}

function findingsTable(findings: readonly AuditFinding[], withApp: boolean): string {
  if (findings.length === 0) return '<p class="none">No findings.</p>';
  const e = escapeHtml;
  const rows = findings.map(
    (f) =>
      `<tr class="finding" data-app="${e(f.app)}" data-severity="${f.severity}" data-category="${f.category}" data-code="${f.code}">${
        withApp ? `<td>${e(f.app || '-')}</td>` : ''
      }<td>${badge(`sev-${f.severity}`, f.severity)}</td><td>${e(f.category)}</td><td class="subj">${e(f.subject)}</td><td class="msg">${e(f.message)}</td></tr>`,
  );
  return [
    '<table class="findings">',
    `<thead><tr>${withApp ? '<th>App</th>' : ''}<th>Severity</th><th>Category</th><th>Subject</th><th>Finding</th></tr></thead>`,
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table>',
  ].join('\n');
}
