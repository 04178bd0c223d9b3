import { stringify } from 'yaml';
import type { AppValues } from '../app/values.js';

/**
 * The values as an overlay file (`-f` takes it back), headed by comments saying which revision
 * they are and which secrets it used (names only: the values stay on the host).
 */
export function valuesText(v: AppValues): string {
  const head = [
    `# ${v.app} ${v.version}, revision ${v.revision} (${v.status}): ${
      v.all ? 'every config value, defaults included' : 'the values given with -f and --set'
    }`,
  ];
  if (v.derived && !v.all) {
    head.push(
      '# recorded before ksad remembered the values given: the resolved values, without the defaults of its manifest when the catalog has it',
    );
  }
  const names = Object.keys(v.secrets);
  if (names.length > 0) head.push(`# secrets kept on the host (not shown): ${names.join(', ')}`);
  const overlay: Record<string, unknown> = { app: v.app, config: v.config };
  if (Object.keys(v.services).length > 0) overlay.services = v.services;
  return `${head.join('\n')}\n${stringify(overlay).trimEnd()}`;
}
