/** One column of a text table. */
export interface Column<T> {
  header: string;
  value: (row: T) => string;
  align?: 'left' | 'right';
}

/**
 * A plain table for terminals and pipes alike: a header, a rule, one line per row, columns
 * separated by two spaces. No colours and no box characters, so `grep` and `awk` work on it.
 */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => oneLine(c.value(row))));
  const widths = columns.map((c, i) =>
    Math.max(width(c.header), ...cells.map((r) => width(r[i] ?? ''))),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - width(v));
        return columns[i]?.align === 'right' ? pad + v : v + pad;
      })
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((c) => c.header)),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
  ].join('\n');
}

/** `key: value` lines with the values aligned. */
export function renderFields(fields: ReadonlyArray<readonly [string, string]>): string {
  const w = Math.max(0, ...fields.map(([k]) => width(k)));
  return fields.map(([k, v]) => `${k}:${' '.repeat(w - width(k) + 1)}${v}`).join('\n');
}

/** A titled block: the title, then the body indented by two spaces. */
export function section(title: string, body: string): string {
  return `${title}\n${body
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l}`))
    .join('\n')}`;
}

/** The first 12 hex digits, as people quote commits. */
export function shortCommit(commit: string | null | undefined): string {
  return commit === null || commit === undefined ? '-' : commit.slice(0, 12);
}

function oneLine(value: string): string {
  return value.replace(/\s*\n\s*/g, ' ');
}

/** Code points, not UTF-16 units, so names with accents line up. */
function width(value: string): number {
  return [...value].length;
}
