/** One problem found in a file, reported as `file:line:col: severity: path: message`. */
export interface Diagnostic {
  file: string;
  /** 1-based; 0 when the problem belongs to the whole file. */
  line: number;
  col: number;
  severity: 'error' | 'warning';
  /** Dotted path to the field, e.g. `services.web.image`; '' for the whole file. */
  path: string;
  message: string;
  /** Stable rule id, e.g. `schema`, `image-not-pinned`, `unsafe-privileged`. */
  rule: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.col}`;
  return d.path === ''
    ? `${where}: ${d.severity}: ${d.message}`
    : `${where}: ${d.severity}: ${d.path}: ${d.message}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sorted by file, line, column, so output is stable. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.col - b.col ||
      a.path.localeCompare(b.path),
  );
}
