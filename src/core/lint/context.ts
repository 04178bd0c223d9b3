import type { Diagnostic } from '../diagnostics.js';
import type { Manifest } from '../schema/index.js';
import { diagnosticAt } from '../yaml-doc.js';
import type { YamlDoc, YamlPath } from '../yaml-doc.js';

export interface LintOptions {
  /** Today's date, `YYYY-MM-DD`; core never reads the clock. */
  today: string;
  /** The running ksad version, to check `requires.ksad`; the check is skipped without it. */
  ksadVersion?: string;
}

/** A schema-valid manifest and where it came from. */
export interface ManifestUnit {
  file: string;
  manifest: Manifest;
  digest?: string;
}

/**
 * Collects diagnostics, locating each one in its file's YAML. Documents come from `docOf`, which
 * parses on demand: valid files are never parsed for positions.
 */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly docOf: (file: string) => YamlDoc | undefined) {}

  report(
    file: string,
    path: YamlPath,
    severity: Diagnostic['severity'],
    rule: string,
    message: string,
    at: 'key' | 'value' = 'value',
  ): void {
    const doc = this.docOf(file);
    this.diagnostics.push(
      doc
        ? { ...diagnosticAt(doc, path, severity, rule, message, { at }), file }
        : { file, line: 0, col: 0, severity, path: path.map(String).join('.'), message, rule },
    );
  }

  error(
    file: string,
    path: YamlPath,
    rule: string,
    message: string,
    at: 'key' | 'value' = 'value',
  ): void {
    this.report(file, path, 'error', rule, message, at);
  }

  warning(
    file: string,
    path: YamlPath,
    rule: string,
    message: string,
    at: 'key' | 'value' = 'value',
  ): void {
    this.report(file, path, 'warning', rule, message, at);
  }
}
