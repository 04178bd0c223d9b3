import type { UpgradeAllReport } from '../app/upgrade-all.js';
import type { AppHistory } from '../app/history.js';
import type { OutdatedReport } from '../app/outdated.js';
import type { RollbackResult } from '../app/rollback.js';
import { appliedText, mouText } from './release-text.js';
import { renderTable } from './table.js';

/** `sha256:0123456789ab…`: enough to compare by eye; --json has the whole value. */
function short(digest: string): string {
  const colon = digest.indexOf(':');
  return colon === -1 || digest.length <= colon + 13 ? digest : `${digest.slice(0, colon + 13)}…`;
}

function shortImage(ref: string): string {
  const at = ref.indexOf('@');
  if (at === -1) return ref;
  const repo = ref.slice(0, at);
  return `${repo.slice(repo.lastIndexOf('/') + 1)}@${short(ref.slice(at + 1))}`;
}

/** The removal evidence as `history` shows it: who removed the app, when, and what ran. */
function removalText(h: AppHistory): string[] {
  const r = h.removal;
  if (!r) return [];
  const data = r.purgedData
    ? `data purged${r.volumesRemoved.length > 0 ? ` (${r.volumesRemoved.join(', ')})` : ''}`
    : 'data kept';
  return [
    `Uninstalled ${r.removedAt} by ${r.removedBy}; ${data}; command: ${r.command}`,
    ...(h.revisions.length > 0
      ? []
      : [
          renderTable(r.revisions, [
            { header: 'REV', value: (x) => String(x.revision), align: 'right' },
            { header: 'VERSION', value: (x) => x.version },
            { header: 'STATUS', value: (x) => x.status },
            { header: 'DEPLOYED', value: (x) => x.deployedAt },
            { header: 'BY', value: (x) => x.deployedBy },
          ]),
        ]),
  ];
}

export function historyText(h: AppHistory): string {
  if (h.revisions.length === 0) {
    const n = h.removal?.revisions.length ?? 0;
    return [`${h.app}: removed from this host; ${n} revision(s) ran here`, ...removalText(h)].join(
      '\n',
    );
  }
  const lines = [
    `${h.app}: ${h.revisions.length} revision(s) kept (limit ${h.historyLimit})${h.running === null ? '; none runs now' : `; revision ${h.running} runs`}`,
    renderTable(h.revisions, [
      { header: 'REV', value: (r) => String(r.revision), align: 'right' },
      { header: 'VERSION', value: (r) => r.version },
      { header: 'STATUS', value: (r) => r.status },
      { header: 'DEPLOYED', value: (r) => r.deployedAt },
      { header: 'BY', value: (r) => r.deployedBy },
      { header: 'MOU', value: (r) => mouText(r.mou) },
      { header: 'DESCRIPTION', value: (r) => r.description },
    ]),
    '',
    renderTable(h.revisions, [
      { header: 'REV', value: (r) => String(r.revision), align: 'right' },
      { header: 'MANIFEST', value: (r) => `${short(r.manifestDigest)} ${r.manifestFile}` },
      { header: 'CONFIG', value: (r) => short(r.configHash) },
      {
        header: 'IMAGES',
        value: (r) =>
          Object.entries(r.images)
            .map(([s, i]) => `${s}=${shortImage(i)}`)
            .join(' '),
      },
    ]),
    ...(h.removal ? ['', ...removalText(h)] : []),
  ];
  return lines.join('\n');
}

export function rollbackText(r: RollbackResult): string {
  const head =
    r.outcome === 'unchanged'
      ? `${r.app} already runs what revision ${r.target.revision} ran (revision ${r.revision}); nothing changed.`
      : `Rolled back ${r.app} ${r.from.version} (revision ${r.from.revision}) → ${r.target.version} as revision ${r.revision}, re-creating revision ${r.target.revision}, in ${(r.durationMs / 1000).toFixed(1)} s.`;
  return appliedText(head, r);
}

export function outdatedText(r: OutdatedReport): string {
  if (r.apps.length === 0)
    return `No apps are deployed on this host (${r.region.name}, ${r.region.code}).`;
  const table = renderTable(r.apps, [
    { header: 'APP', value: (a) => `${a.publisher}/${a.app}` },
    { header: 'CURRENT', value: (a) => a.current },
    { header: 'LATEST', value: (a) => a.latest ?? a.current },
    { header: 'STEP', value: (a) => a.step ?? 'up to date' },
    { header: 'MOU', value: (a) => (a.mou ? `${a.mou.number} (until ${a.mou.validUntil})` : '') },
    { header: 'NOT COVERED', value: (a) => a.notCovered.join(', ') },
  ]);
  const behind = r.apps.filter((a) => a.latest !== null).length;
  const summary =
    behind === 0
      ? `All ${r.apps.length} app(s) run the newest version their MoU grants ${r.region.name} (${r.region.code}) on ${r.checkedOn} ${r.calendar.zone}.`
      : `${behind} of ${r.apps.length} app(s) can be upgraded (MoUs checked for ${r.region.name}, ${r.region.code}, on ${r.checkedOn} ${r.calendar.zone}); each upgrade keeps the values it runs with (ksad values APP):`;
  // A deploy reuses the running revision's values, so the version alone is the whole command.
  const commands = r.apps
    .filter((a) => a.latest !== null)
    .map((a) => `  ksad deploy ${a.app}@${a.latest ?? ''}`);
  const all = behind > 1 ? ['  or all of them, one at a time: ksad upgrade --all'] : [];
  return [table, summary, ...commands, ...all].join('\n');
}

export function upgradeText(r: UpgradeAllReport): string {
  if (r.apps.length === 0)
    return `Every app runs the newest version its MoU grants (checked on ${r.checkedOn}).`;
  const lines = [
    r.dryRun
      ? `Would upgrade ${r.apps.length} app(s), one at a time (nothing changed: --dry-run):`
      : `Upgraded ${r.apps.filter((a) => a.status === 'upgraded').length} of ${r.apps.length} app(s):`,
  ];
  for (const a of r.apps) {
    const changes = a.services
      .filter((s) => s.action !== 'keep')
      .map((s) => `${s.action} ${s.service}`)
      .join(', ');
    lines.push(
      `  ${a.app} ${a.from} → ${a.to} (${a.step ?? 'same'}): ${a.status}${a.revision !== null ? `, revision ${a.revision}` : ''}${changes ? `; ${changes}` : ''}`,
    );
  }
  return lines.join('\n');
}
