import { formatDiagnostic, sortDiagnostics, type Diagnostic } from '../core/diagnostics.js';
import { KsadError } from '../core/errors.js';
import { conflictsAmong, normalisePrefix } from '../core/ingress.js';
import { overlaySchema } from '../core/schema/overlay.js';
import { diagnosticAt, locate, parseYaml, zodIssuesToDiagnostics } from '../core/yaml-doc.js';
import type { OverlayFile } from './prepare.js';

export interface IngressLintReport {
  files: number;
  /** The routes the files give, in the order read. */
  routes: Array<{ file: string; app: string; hosts: string[]; path: string }>;
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
}

/**
 * Lints the ingress sections of several apps' overlays together (one host's plan): each as the
 * schema reads it, and no host name and path prefix claimed by two apps. Every problem is placed
 * at its `file:line:col`. Each overlay names its app (`app:`), since two files of one app are
 * layers, not two claims.
 *
 * @throws KsadError('INVALID') with the formatted lines when there are errors.
 */
export function lintIngressOverlays(files: readonly OverlayFile[]): IngressLintReport {
  const diagnostics: Diagnostic[] = [];
  const claims: Array<{
    file: string;
    route: { app: string; hosts: string[]; path: string };
    origins: Map<string, string>;
    locate: (path: readonly (string | number)[]) => { line: number; col: number } | undefined;
  }> = [];
  for (const { file, text } of files) {
    const yaml = parseYaml(file, text);
    if (yaml.diagnostics.length > 0) {
      diagnostics.push(...yaml.diagnostics);
      continue;
    }
    const parsed = overlaySchema.safeParse(yaml.value ?? {});
    if (!parsed.success) {
      diagnostics.push(...zodIssuesToDiagnostics(yaml, parsed.error.issues, overlaySchema));
      continue;
    }
    const ingress = parsed.data.ingress;
    if (ingress?.hosts === undefined) continue;
    if (parsed.data.app === undefined) {
      diagnostics.push(
        diagnosticAt(
          yaml,
          ['ingress'],
          'error',
          'ingress-app',
          'name the app this overlay is for (app: NAME), so its route can be checked against the others',
        ),
      );
      continue;
    }
    const app = parsed.data.app;
    const earlier = claims.find((c) => c.route.app === app);
    const route = { app, hosts: ingress.hosts, path: normalisePrefix(ingress.path ?? '/') };
    if (earlier) {
      // A later layer of the same app replaces its route, as a deploy would merge them.
      earlier.route = route;
      earlier.file = file;
      earlier.origins = new Map([['ingress.hosts', file]]);
      earlier.locate = (path) => locate(yaml, path);
      continue;
    }
    claims.push({
      file,
      route,
      origins: new Map([['ingress.hosts', file]]),
      locate: (path) => locate(yaml, path),
    });
  }
  for (const p of conflictsAmong(claims)) {
    const claim = claims.find((c) => c.file === p.source);
    const at = claim?.locate(p.path);
    diagnostics.push({
      file: p.source,
      line: at?.line ?? 0,
      col: at?.col ?? 0,
      severity: 'error',
      path: p.path.join('.'),
      message: p.message.replace('on this host', 'in these overlays'),
      rule: p.rule,
    });
  }
  const sorted = sortDiagnostics(diagnostics);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const report: IngressLintReport = {
    files: files.length,
    routes: claims.map((c) => ({ file: c.file, ...c.route })),
    diagnostics: sorted,
    errors,
    warnings: sorted.length - errors,
  };
  if (errors > 0) {
    throw new KsadError(
      'INVALID',
      `the overlays' routes have ${errors} problem${errors === 1 ? '' : 's'}`,
      {
        details: sorted.map(formatDiagnostic),
        suggestions: ['give each app its own host name or path prefix'],
      },
    );
  }
  return report;
}
