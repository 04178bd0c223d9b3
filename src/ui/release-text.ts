import { routeText, type Route } from '../core/ingress.js';
import semver from 'semver';
import { droppedText } from '../core/remembered-values.js';
import type { DeployResult } from '../app/deploy.js';
import type { ServiceActionResult } from '../app/operate.js';
import type { ReleaseStatus, UninstallResult } from '../app/releases.js';
import type { Plan } from '../core/plan.js';
import type { HostProfile, ReleaseRecord } from '../core/release.js';
import type { SwarmNode } from '../core/swarm-model.js';
import { renderFields, renderTable } from './table.js';

export function mouText(mou: ReleaseRecord['mou']): string {
  return mou.kind === 'mou'
    ? `${mou.number} (until ${mou.validUntil})`
    : `OVERRIDDEN: ${mou.reason}`;
}

export function deployText(r: DeployResult): string {
  const head =
    r.outcome === 'unchanged'
      ? `${r.app} ${r.version} is up to date (revision ${r.revision}); nothing changed.`
      : r.outcome === 'installed'
        ? `Installed ${r.app} ${r.version} as revision ${r.revision} in ${(r.durationMs / 1000).toFixed(1)} s.`
        : r.outcome === 'upgraded'
          ? `${isDowngrade(r) ? 'Downgraded' : 'Upgraded'} ${r.app} ${r.previousVersion ?? '?'} → ${r.version} as revision ${r.revision} in ${(r.durationMs / 1000).toFixed(1)} s.`
          : `Updated ${r.app} ${r.version} as revision ${r.revision} in ${(r.durationMs / 1000).toFixed(1)} s.`;
  const generated =
    r.secretsGenerated.length > 0
      ? [`Generated and stored on the host: ${r.secretsGenerated.join(', ')}`]
      : [];
  const values =
    r.values.reusedFrom !== null && r.outcome !== 'unchanged'
      ? [`Values: those of revision ${r.values.reusedFrom}, with the overlays given on top`]
      : [];
  const dropped = r.values.dropped.map((d) => `Warning: ${droppedText(d, r.version)}`);
  return appliedText(head, r, [...generated, ...values, ...dropped]);
}

function isDowngrade(r: DeployResult): boolean {
  const before = r.previousVersion === null ? null : semver.valid(r.previousVersion);
  return before !== null && semver.valid(r.version) !== null && semver.lt(r.version, before);
}

/**
 * What a deploy or a rollback did: its headline, the MoU, what happened to each service (unless
 * nothing changed), `notes`, then where the app answers.
 */
export function appliedText(
  head: string,
  r: Pick<DeployResult, 'mou' | 'services' | 'endpoints'> & { outcome: string },
  notes: readonly string[] = [],
): string {
  const lines = [head, `MoU: ${mouText(r.mou)}`];
  if (r.outcome !== 'unchanged') {
    lines.push(
      renderTable(r.services, [
        { header: 'SERVICE', value: (s) => s.service },
        { header: 'ACTION', value: (s) => s.action },
        { header: 'WHY', value: (s) => s.reason },
      ]),
    );
  }
  lines.push(...notes);
  for (const e of r.endpoints) lines.push(`${e.service}${e.name ? ` (${e.name})` : ''}: ${e.url}`);
  return lines.join('\n');
}

export function planText(
  app: string,
  version: string,
  current: string | null,
  plan: Plan,
  route?: Route,
): string {
  const lines = [
    `${app}: ${current === null ? `install ${version}` : current === version ? `${version} (same version)` : `${current} → ${version}`}, revision ${plan.revision}`,
  ];
  const rows = [
    {
      kind: 'network',
      name: plan.network.name,
      action: plan.network.action,
      reason: plan.network.reason,
    },
    ...plan.volumes.map((v) => ({
      kind: 'volume',
      name: v.name,
      action: v.action,
      reason: v.reason,
    })),
    ...plan.services.map((s) => ({
      kind: 'service',
      name: s.service,
      action: s.action,
      reason: s.reason,
      switch: s.switch ?? '',
    })),
  ];
  lines.push(
    renderTable(rows, [
      { header: 'KIND', value: (r) => r.kind },
      { header: 'NAME', value: (r) => r.name },
      { header: 'ACTION', value: (r) => r.action },
      { header: 'SWITCH', value: (r) => ('switch' in r ? r.switch : '') },
      { header: 'WHY', value: (r) => r.reason },
    ]),
  );
  if (route)
    lines.push(
      `route: ${routeText(route)} → ${route.service}:${route.port} (tls ${route.tls}, health ${route.health}, drain ${route.drainMs} ms)`,
    );
  for (const c of plan.conflicts) lines.push(`conflict: ${c}`);
  const s = plan.summary;
  lines.push(
    plan.changes
      ? `${s.create} to create, ${s.recreate} to recreate, ${s.remove} to remove, ${s.keep} kept.`
      : 'No changes: the host matches.',
  );
  return lines.join('\n');
}

export function statusText(statuses: readonly ReleaseStatus[]): string {
  if (statuses.length === 0) return 'No apps are deployed on this host.';
  return statuses
    .map((r) =>
      [
        `${r.app} ${r.version} (revision ${r.revision}): ${r.health}; MoU ${mouText(r.mou)}; ${signatureText(r)}; by ${r.deployedBy} at ${r.deployedAt}`,
        renderTable(r.services, [
          { header: 'SERVICE', value: (s) => s.service },
          { header: 'STATE', value: (s) => s.state },
          { header: 'HEALTH', value: (s) => s.health },
          {
            header: 'PORTS',
            value: (s) =>
              [
                ...s.ports,
                ...(s.route
                  ? [`ingress ${s.route.tls === 'none' ? 'http' : 'https'}://${routeText(s.route)}`]
                  : []),
              ].join(', '),
          },
        ]),
      ].join('\n'),
    )
    .join('\n\n');
}

function signatureText(r: ReleaseStatus): string {
  if (r.signature === null) return 'signature not recorded';
  if (r.signature === 'unsigned') return 'unsigned (allowed by the host)';
  return `signature verified (${r.signatureKeyId ?? '?'})`;
}

export function listText(statuses: readonly ReleaseStatus[]): string {
  if (statuses.length === 0) return 'No apps are deployed on this host.';
  return renderTable(statuses, [
    { header: 'APP', value: (r) => r.app },
    { header: 'VERSION', value: (r) => r.version },
    { header: 'REVISION', value: (r) => String(r.revision), align: 'right' },
    { header: 'HEALTH', value: (r) => r.health },
    { header: 'MOU', value: (r) => mouText(r.mou) },
    { header: 'DEPLOYED', value: (r) => r.deployedAt },
  ]);
}

export function uninstallText(r: UninstallResult): string {
  const lines = [
    `Uninstalled ${r.app}: removed ${r.removedContainers.length} container(s)${r.removedNetwork ? ' and its network' : ''}.`,
  ];
  if (r.volumes.kept.length > 0)
    lines.push(`Kept data volumes: ${r.volumes.kept.join(', ')} (remove them with --purge-data).`);
  if (r.volumes.removed.length > 0)
    lines.push(`Deleted data volumes: ${r.volumes.removed.join(', ')}.`);
  if (r.secretsRemoved) lines.push('Deleted the stored secrets and release history.');
  const revs = r.removal.revisions.map((x) => `r${x.revision}`).join(', ');
  lines.push(
    `The host keeps a removal record${revs === '' ? '' : ` (${revs})`}: ksad history ${r.app}`,
  );
  return lines.join('\n');
}

export function hostText(p: HostProfile): string {
  return renderFields([
    ['name', p.name],
    ['target', p.target === 'swarm' ? 'Docker Swarm' : 'Docker host'],
    ['region', `${p.region.name} (${p.region.code})`],
    ['time zone', p.timeZone ?? 'unknown for this province: ksad host init --time-zone'],
    ['bind address', p.policy.bindAddress],
    ['history limit', String(p.policy.historyLimit)],
    ['initialised', `${p.initializedAt} by ${p.initializedBy}`],
    ...(p.formerRegions ?? []).map((f): [string, string] => [
      'earlier region',
      `${f.region.name} (${f.region.code}) until ${f.replacedAt}, handed over by ${f.replacedBy}${
        f.apps.length > 0 ? ` with ${f.apps.join(', ')} deployed` : ''
      }`,
    ]),
  ]);
}

/** A swarm's nodes: role, availability, state and labels. */
export function nodesText(nodes: readonly SwarmNode[]): string {
  return renderTable(nodes, [
    { header: 'NODE', value: (n) => n.hostname },
    { header: 'ROLE', value: (n) => (n.leader ? `${n.role} (leader)` : n.role) },
    { header: 'AVAILABILITY', value: (n) => n.availability },
    { header: 'STATE', value: (n) => n.state },
    { header: 'ADDRESS', value: (n) => n.address },
    {
      header: 'LABELS',
      value: (n) =>
        Object.entries(n.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || '-',
    },
  ]);
}

export function serviceActionText(r: ServiceActionResult): string {
  const done = { stop: 'Stopped', start: 'Started', restart: 'Restarted' }[r.action];
  const head =
    r.services.length === 0
      ? `${r.app}: nothing to ${r.action} (revision ${r.revision}); the services were already ${r.action === 'stop' ? 'stopped' : 'running'}.`
      : `${done} ${r.services.join(', ')} of ${r.app} (revision ${r.revision}).`;
  return r.stoppedByOperator.length > 0
    ? `${head}\nStopped by an operator (ksad start ${r.app} brings them back): ${r.stoppedByOperator.join(', ')}`
    : head;
}
