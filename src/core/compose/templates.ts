import type { Diagnostic } from '../diagnostics.js';
import { diagnosticAt } from '../yaml-doc.js';
import type { YamlDoc, YamlPath } from '../yaml-doc.js';
import { parseInterpolation } from './interpolation.js';

/**
 * Every malformed template (`${`, `${}`, `${foo!}` …) in the values of a compose file, as errors
 * at their place: Compose refuses the whole file for one of them, so the draft would be built from
 * a file that never ran. Keys are not interpolated, nor are `x-` extension fields.
 */
export function malformedTemplates(yaml: YamlDoc, root: unknown): Diagnostic[] {
  const out: Diagnostic[] = [];
  const walk = (value: unknown, path: YamlPath): void => {
    if (typeof value === 'string') {
      const { error } = parseInterpolation(value);
      if (error !== undefined)
        out.push(
          diagnosticAt(
            yaml,
            path,
            'error',
            'compose-interpolation',
            `invalid template: ${error}; Compose refuses the file for it (write $$ for a literal $)`,
          ),
        );
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...path, i]));
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) if (!k.startsWith('x-')) walk(v, [...path, k]);
    }
  };
  walk(root, []);
  return out;
}
