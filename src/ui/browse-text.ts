import type { AppDetails, AppHit, MouRow, RegionRef } from '../app/browse.js';
import type { Dated } from '../app/calendar.js';
import type { Calendar } from '../core/calendar.js';
import { calendarText } from './calendar-text.js';
import { renderFields, renderTable, section, shortCommit } from './table.js';

/** With `calendar` (a search by region), the day the MoUs were judged on is stated. */
export function searchText(hits: readonly AppHit[], calendar: Calendar | null = null): string {
  const asOf = calendar === null ? '' : `\nMoUs judged as of ${calendarText(calendar)}.`;
  if (hits.length === 0) return `No apps match.${asOf}`;
  const withCoverage = hits.some((h) => h.coveredBy !== null);
  return (
    renderTable(hits, [
      { header: 'APP', value: (h) => `${h.publisher.slug}/${h.name}` },
      { header: 'LATEST', value: (h) => h.latest },
      { header: 'VERSIONS', value: (h) => String(h.versions.length), align: 'right' },
      { header: 'TITLE', value: (h) => h.title },
      ...(withCoverage
        ? [{ header: 'MOU', value: (h: AppHit) => (h.coveredBy ?? []).join(', ') }]
        : []),
      { header: 'DESCRIPTION', value: (h) => h.shortDescription },
    ]) + asOf
  );
}

export function appText(app: AppDetails | Dated<AppDetails>): string {
  const publisher =
    app.publisher.name === null
      ? app.publisher.slug
      : `${app.publisher.name} (${app.publisher.code ?? '?'}, ${app.publisher.slug})`;
  const head = renderFields([
    ['publisher', publisher],
    ['versions', app.versions.join(', ')],
    ['dimensions', app.dimensions.join(', ')],
    ['categories', app.categories.length === 0 ? '-' : app.categories.join(', ')],
    ['license', app.license],
    ['source', app.url],
    [
      'manifest',
      `${app.file} (${app.digest.slice(0, 19)}…), ${
        app.signature === 'verified'
          ? 'signature verified'
          : app.signature === 'unsigned'
            ? 'unsigned'
            : `signature INVALID: ${app.signatureMessage ?? ''}`
      }`,
    ],
    [
      'catalog',
      app.catalog.commit === null
        ? app.catalog.name
        : `${app.catalog.name} @ ${shortCommit(app.catalog.commit)}`,
    ],
  ]);
  const description = app.description.id ?? app.description.en;
  const parts = [
    `${app.name} ${app.version} — ${app.title}`,
    description?.shortDescription ?? '',
    head,
  ];

  parts.push(
    section(
      'Services',
      renderTable(app.services, [
        { header: 'SERVICE', value: (s) => s.name },
        { header: 'IMAGE', value: (s) => s.image },
        {
          header: 'PORTS',
          value: (s) =>
            s.ports
              .map(
                (p) => `${p.host === null ? '' : `${String(p.host)}→`}${p.container}/${p.protocol}`,
              )
              .join(', ') || '-',
        },
        { header: 'DEPENDS ON', value: (s) => s.dependsOn.join(', ') || '-' },
      ]),
    ),
  );
  if (app.config.length > 0) {
    parts.push(
      section(
        'Config',
        renderTable(app.config, [
          { header: 'KEY', value: (c) => c.key },
          { header: 'TYPE', value: (c) => c.type },
          {
            header: 'DEFAULT',
            value: (c) =>
              c.default === null ? (c.required ? '(required)' : '-') : String(c.default),
          },
          { header: 'DESCRIPTION', value: (c) => c.description },
        ]),
      ),
    );
  }
  if (app.secrets.length > 0) {
    parts.push(
      section(
        'Secrets (names only)',
        renderTable(app.secrets, [
          { header: 'NAME', value: (s) => s.name },
          { header: 'SOURCE', value: (s) => s.source },
          { header: 'DESCRIPTION', value: (s) => s.description },
        ]),
      ),
    );
  }
  parts.push(
    section(
      'calendar' in app ? `MoUs, as of ${calendarText(app.calendar)}` : 'MoUs',
      app.mous.length === 0
        ? `No MoU of ${app.publisher.slug} lists ${app.name}.`
        : renderTable(
            app.mous.flatMap((m) => m.regions.map((r) => ({ m, r }))),
            [
              { header: 'MOU', value: ({ m }) => m.number },
              { header: 'STATUS', value: ({ m }) => m.status },
              { header: 'VALID', value: ({ m }) => `${m.validFrom} .. ${m.validUntil}` },
              { header: 'VERSIONS', value: ({ m }) => m.versions ?? '*' },
              { header: 'REGION', value: ({ r }) => regionText(r) },
              {
                header: `COVERS ${app.version}`,
                value: ({ r }) => (r.covered ? 'yes' : `no: ${r.reason ?? ''}`),
              },
            ],
          ),
    ),
  );
  return parts.filter((p) => p !== '').join('\n\n');
}

export function mouListText(rows: readonly MouRow[], calendar: Calendar): string {
  const asOf = `\nStatus as of ${calendarText(calendar)}.`;
  if (rows.length === 0) return `No MoUs match.${asOf}`;
  return (
    renderTable(rows, [
      { header: 'NUMBER', value: (r) => r.number },
      { header: 'STATUS', value: (r) => r.status },
      { header: 'VALID UNTIL', value: (r) => r.validUntil },
      { header: 'GRANTOR', value: (r) => regionText(r.grantor) },
      { header: 'GRANTEES', value: (r) => r.grantees.map(regionText).join(', ') },
      {
        header: 'APPS',
        value: (r) =>
          r.apps.map((a) => (a.versions === null ? a.name : `${a.name}@${a.versions}`)).join(', '),
      },
    ]) + asOf
  );
}

function regionText(r: RegionRef): string {
  return r.name === null ? r.code : `${r.name} (${r.code})`;
}
