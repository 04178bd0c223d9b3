/** One column of a text table. */
export interface Column<T> {
  header: string;
  value: (row: T) => string;
  align?: 'left' | 'right';
}

/** Columns are never cut below this many characters (or their header, when that is longer). */
const MIN_CUT_WIDTH = 8;

/** The terminal's width when standard output is one; undefined for a pipe or a file. */
export function terminalColumns(): number | undefined {
  return process.stdout.isTTY ? process.stdout.columns : undefined;
}

/**
 * A plain table for terminals and pipes alike: a header, a rule, one line per row, columns
 * separated by two spaces. No colours and no box characters, so `grep` and `awk` work on it.
 * On a terminal (`maxWidth`, the terminal's width by default) a table wider than the screen has
 * its widest columns cut, each cut value ending in `…`, so rows stay one line each; piped, every
 * value is printed whole.
 */
export function renderTable<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  maxWidth: number | undefined = terminalColumns(),
): string {
  const whole = rows.map((row) => columns.map((c) => oneLine(c.value(row))));
  const natural = columns.map((c, i) =>
    Math.max(width(c.header), ...whole.map((r) => width(r[i] ?? ''))),
  );
  const widths = maxWidth === undefined ? natural : fitWidths(columns, natural, maxWidth);
  const cells = whole.map((r) => r.map((v, i) => cut(v, widths[i] ?? 0)));
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

/**
 * Column widths that fit `maxWidth` with two spaces between columns: the widest column gives up
 * one character at a time, none below its header or MIN_CUT_WIDTH; a table that cannot fit is
 * cut as far as that allows.
 */
export function fitWidths<T>(
  columns: readonly Column<T>[],
  natural: readonly number[],
  maxWidth: number,
): number[] {
  const widths = [...natural];
  const floor = columns.map((c, i) =>
    Math.min(natural[i] ?? 0, Math.max(width(c.header), MIN_CUT_WIDTH)),
  );
  const total = (): number => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  while (total() > maxWidth) {
    let widest = -1;
    widths.forEach((w, i) => {
      if (w > (floor[i] ?? 0) && (widest === -1 || w > (widths[widest] ?? 0))) widest = i;
    });
    if (widest === -1) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  return widths;
}

/** `value` in at most `max` characters, a cut one ending in `…`. */
function cut(value: string, max: number): string {
  const chars = [...value];
  return chars.length <= max ? value : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

function oneLine(value: string): string {
  return value.replace(/\s*\n\s*/g, ' ');
}

/** Code points, not UTF-16 units, so names with accents line up. */
function width(value: string): number {
  return [...value].length;
}
