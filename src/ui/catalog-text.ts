import type {
  AddedCatalog,
  CatalogChanges,
  FileChanges,
  ListedCatalog,
  RemovedCatalog,
  SyncResult,
} from '../app/catalogs.js';
import { renderFields, renderTable, shortCommit } from './table.js';

export function addedText(a: AddedCatalog): string {
  return [
    `Added catalog ${a.name}${a.default ? ' (default)' : ''}`,
    renderFields([
      ['source', a.source],
      ...(a.ref === null ? [] : ([['ref', a.ref]] as const)),
      ['root', a.root],
      ['commit', shortCommit(a.commit)],
      [
        'contents',
        `${a.counts.members} member(s), ${a.counts.mous} MoU(s), ${a.counts.manifests} manifest(s)`,
      ],
    ]),
  ].join('\n');
}

export function syncText(results: readonly SyncResult[]): string {
  if (results.length === 0) return 'No catalogs are added: nothing to sync.';
  return results.map(syncOneText).join('\n');
}

function syncOneText(r: SyncResult): string {
  if (r.status === 'local') return `${r.name}: folder catalog, read in place (nothing to fetch)`;
  if (r.status === 'unchanged') return `${r.name}: up to date at ${shortCommit(r.to)}`;
  const head = `${r.name}: ${shortCommit(r.from)} → ${shortCommit(r.to)}`;
  if (r.changes === null) return `${head} (the previous commit is gone: changes unknown)`;
  const lines = changeLines(r.changes);
  return lines.length === 0 ? head : `${head}\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

function changeLines(changes: CatalogChanges): string[] {
  const lines: string[] = [];
  const groups: [string, FileChanges][] = [
    ['manifest', changes.manifests],
    ['member', changes.members],
    ['mou', changes.mous],
    ['other', changes.other],
  ];
  for (const [label, group] of groups) {
    for (const path of group.added) lines.push(`+ ${label.padEnd(8)} ${path}`);
    for (const path of group.changed) lines.push(`~ ${label.padEnd(8)} ${path}`);
    for (const path of group.removed) lines.push(`- ${label.padEnd(8)} ${path}`);
  }
  return lines;
}

export function catalogListText(catalogs: readonly ListedCatalog[]): string {
  if (catalogs.length === 0) {
    return 'No catalogs are added; commands read the sample catalog shipped with ksad.\nAdd one with: ksad catalog add NAME SOURCE';
  }
  return renderTable(catalogs, [
    { header: 'NAME', value: (c) => (c.default ? `${c.name} *` : c.name) },
    { header: 'KIND', value: (c) => c.kind },
    { header: 'SOURCE', value: (c) => (c.ref === null ? c.source : `${c.source}#${c.ref}`) },
    { header: 'COMMIT', value: (c) => shortCommit(c.commit) },
    { header: 'SYNCED', value: (c) => c.syncedAt ?? '-' },
  ]);
}

export function removedText(r: RemovedCatalog): string {
  return r.deleted === null
    ? `Removed catalog ${r.name} (its folder was left as it is)`
    : `Removed catalog ${r.name} and deleted its clone ${r.deleted}`;
}
