import type { LintReport } from '../app/lint.js';
import { formatDiagnostic } from '../core/diagnostics.js';
import { KsadError } from '../core/errors.js';

/**
 * Shows a lint report the way both lint commands do: each diagnostic as
 * `file:line:col: severity: path: message` on stdout (data), the summary on stderr. With errors
 * it throws INVALID; the formatted lines ride along as the error's details only in `--json` mode,
 * since in text mode they are already on stdout.
 */
export function emitLintReport(
  report: LintReport,
  out: { json: boolean; log: (line: string) => void; note: (line: string) => void },
): LintReport {
  const lines = report.diagnostics.map(formatDiagnostic);
  if (!out.json) for (const line of lines) out.log(line);
  const against = report.catalog === null ? '' : ` (catalog ${report.catalog.name})`;
  const summary = `${report.files} file(s) checked${against}: ${report.errors} error(s), ${report.warnings} warning(s)`;
  if (report.errors > 0) {
    throw new KsadError('INVALID', summary, {
      details: out.json ? lines : [],
      suggestions: ['fix the errors at the locations shown, then lint again'],
    });
  }
  out.note(summary);
  return report;
}
