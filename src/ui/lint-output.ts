import type { LintReport } from '../app/lint.js';
import { formatDiagnostic } from '../core/diagnostics.js';
import { KsadError } from '../core/errors.js';
import { calendarText } from './calendar-text.js';

/**
 * Shows a lint report the way both lint commands do: each diagnostic as
 * `file:line:col: severity: path: message` on stdout (data), the summary on stderr. With errors
 * it throws INVALID; the formatted lines ride along as the error's details only in `--json` mode,
 * since in text mode they are already on stdout. With `dated` (the rules judged MoUs, whose expiry
 * depends on the day), the summary says which day that was.
 */
export function emitLintReport(
  report: LintReport,
  out: {
    json: boolean;
    log: (line: string) => void;
    note: (line: string) => void;
    dated?: boolean;
  },
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
  out.note(
    out.dated === true ? `${summary}; MoUs judged as of ${calendarText(report.calendar)}` : summary,
  );
  return report;
}
