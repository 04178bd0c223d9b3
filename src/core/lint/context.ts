import type { Diagnostic } from '../diagnostics.js';
import type { Manifest } from '../schema/index.js';
import { diagnosticAt, formatPath } from '../yaml-doc.js';
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

/** What the rules across manifests need of a schema-valid one. */
export interface ManifestEntry {
  file: string;
  manifest: Pick<Manifest, 'publisher' | 'name' | 'version'>;
}

/**
 * Collects diagnostics, locating each one in its file's YAML. Documents come from `docOf`, which
 * parses on demand: valid files are never parsed for positions.
 */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly docOf: (file: string) => YamlDoc | undefined) {}

  /** Takes diagnostics reported elsewhere (by the same rules, on another thread) as they are. */
  add(diagnostics: readonly Diagnostic[]): void {
    this.diagnostics.push(...diagnostics);
  }

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
        : { file, line: 0, col: 0, severity, path: formatPath(path), message, rule },
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
