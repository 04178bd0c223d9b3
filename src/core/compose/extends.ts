import type { Diagnostic } from '../diagnostics.js';
import { diagnosticAt, parseYaml } from '../yaml-doc.js';
import type { YamlDoc } from '../yaml-doc.js';
import { isRecord, resolveMerges, scalarString } from './parsers.js';

/**
 * `extends` as the compose-spec resolves it: the local service is merged over the service it
 * extends (in the same file, or in `file`, read relative to the file that names it), recursively.
 * Merge rules (compose-spec "merge"): mappings merge with the local value winning; sequences
 * append; `command`, `entrypoint` and `healthcheck.test` are replaced; `environment`, `labels`,
 * `depends_on` merge as mappings whichever form each side uses; `volumes` are unique by target and
 * `ports` by their whole definition. Keys that tie a service to others (`depends_on`, `links`,
 * `volumes_from`) are not taken from the extended service, as the spec forbids them there.
 */

/** Other files named by `extends.file`, keyed by their path relative to the main compose file. */
export type ExtendsFiles = Readonly<Record<string, string | null>>;

/** `a/b/../c` → `a/c`, with `/` separators (core code does not use node:path). */
export function joinPath(dir: string, rel: string): string {
  if (rel.startsWith('/')) return rel;
  const out: string[] = [];
  for (const seg of [...dir.split('/'), ...rel.split('/')]) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out.at(-1) !== '..') out.pop();
    else out.push(seg);
  }
  return out.join('/') || '.';
}

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i === -1 ? '' : file.slice(0, i);
}

function servicesOf(text: string, name: string): Record<string, unknown> | undefined {
  const doc = parseYaml(name, text, { foreign: true });
  if (doc.diagnostics.some((d) => d.severity === 'error')) return undefined;
  const root = resolveMerges(doc.value);
  return isRecord(root) && isRecord(root.services) ? root.services : undefined;
}

/** The `extends.file` paths of a compose text, relative to the main compose file's folder. */
export function extendsFilesOf(text: string, file: string): string[] {
  const services = servicesOf(text, file) ?? {};
  const out = new Set<string>();
  for (const s of Object.values(services)) {
    if (!isRecord(s) || !isRecord(s.extends)) continue;
    const f = scalarString(s.extends.file);
    if (f !== undefined) out.add(joinPath(dirOf(file), f));
  }
  return [...out];
}

const NOT_INHERITED = ['depends_on', 'links', 'volumes_from'] as const;
const REPLACED = new Set(['command', 'entrypoint']);
const AS_MAPPING = new Set(['environment', 'labels', 'depends_on', 'annotations', 'sysctls']);

/** `['A=1', 'B']` → `{A: '1', B: null}`; `depends_on: [db]` → `{db: {condition: service_started}}`. */
function asMapping(key: string, value: unknown): Record<string, unknown> {
  if (isRecord(value)) return value;
  if (!Array.isArray(value)) return {};
  const out: Record<string, unknown> = {};
  for (const item of value) {
    const s = scalarString(item) ?? '';
    if (key === 'depends_on') out[s] = { condition: 'service_started' };
    else {
      const eq = s.indexOf('=');
      out[eq === -1 ? s : s.slice(0, eq)] = eq === -1 ? null : s.slice(eq + 1);
    }
  }
  return out;
}

function volumeTarget(v: unknown): string {
  if (isRecord(v)) return scalarString(v.target) ?? '';
  const segs = (scalarString(v) ?? '').split(':');
  return (segs.length === 1 ? segs[0] : segs[1]) ?? '';
}

function mergeValue(key: string, base: unknown, local: unknown): unknown {
  if (local === undefined) return base;
  if (base === undefined) return local;
  if (REPLACED.has(key)) return local;
  if (AS_MAPPING.has(key)) return { ...asMapping(key, base), ...asMapping(key, local) };
  if (Array.isArray(base) && Array.isArray(local)) {
    const b = base as unknown[];
    const l = local as unknown[];
    const keyOf = key === 'volumes' ? volumeTarget : (v: unknown) => JSON.stringify(v);
    const taken = new Set(l.map(keyOf));
    return [...b.filter((v) => !taken.has(keyOf(v))), ...l];
  }
  if (isRecord(base) && isRecord(local)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(local))
      out[k] = key === 'healthcheck' && k === 'test' ? v : mergeValue(k, base[k], v);
    return out;
  }
  return local;
}

/** The local service over the one it extends, by the compose-spec's merge rules. */
export function mergeServices(
  base: Record<string, unknown>,
  local: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(local)) out[k] = mergeValue(k, base[k], v);
  delete out.extends;
  return out;
}

/** Relative paths of a service read from another file, made relative to the main compose file. */
function rebase(s: Record<string, unknown>, dir: string): Record<string, unknown> {
  if (dir === '') return s;
  const out = { ...s };
  const fix = (p: string): string => (p.startsWith('/') ? p : joinPath(dir, p));
  if (typeof out.env_file === 'string') out.env_file = fix(out.env_file);
  else if (Array.isArray(out.env_file))
    out.env_file = out.env_file.map((e: unknown) =>
      typeof e === 'string'
        ? fix(e)
        : isRecord(e) && typeof e.path === 'string'
          ? { ...e, path: fix(e.path) }
          : e,
    );
  if (Array.isArray(out.volumes))
    out.volumes = out.volumes.map((v: unknown) => {
      const spec = scalarString(v);
      if (spec === undefined || !/^\.\.?\//.test(spec)) return v;
      const [src = '', ...rest] = spec.split(':');
      return [`./${fix(src)}`, ...rest].join(':');
    });
  return out;
}

interface Resolver {
  yaml: YamlDoc;
  main: string;
  files: ExtendsFiles;
  diagnostics: Diagnostic[];
  /** Which main-file service is being resolved, for where warnings go. */
  current: string;
  unresolved: Set<string>;
}

function warn(r: Resolver, message: string): void {
  r.unresolved.add(r.current);
  r.diagnostics.push(
    diagnosticAt(
      r.yaml,
      ['services', r.current, 'extends'],
      'warning',
      'compose-extends',
      message,
      {
        at: 'key',
      },
    ),
  );
}

function resolveOne(
  r: Resolver,
  file: string,
  services: Record<string, unknown>,
  name: string,
  stack: readonly string[],
): Record<string, unknown> | undefined {
  const s = services[name];
  if (!isRecord(s)) return undefined;
  if (s.extends === undefined) return s;
  const ext = s.extends;
  const target =
    typeof ext === 'string' ? ext : isRecord(ext) ? scalarString(ext.service) : undefined;
  const otherFile = isRecord(ext) ? scalarString(ext.file) : undefined;
  const local = { ...s };
  delete local.extends;
  if (target === undefined) {
    warn(
      r,
      'extends needs the name of a service ("extends: NAME" or "service: NAME"); it was ignored',
    );
    return local;
  }
  const baseFile = otherFile === undefined ? file : joinPath(dirOf(file), otherFile);
  const key = `${baseFile}#${target}`;
  if (stack.includes(key)) {
    warn(r, `extends goes round in a circle (${[...stack, key].join(' → ')}); it was ignored`);
    return local;
  }
  let baseServices = services;
  if (otherFile !== undefined) {
    const text = r.files[baseFile];
    const parsed = text === undefined || text === null ? undefined : servicesOf(text, baseFile);
    if (parsed === undefined) {
      warn(
        r,
        text === undefined || text === null
          ? `${baseFile} cannot be read: the settings of "${target}" there are missing from this service`
          : `${baseFile} is not a compose file with services: the settings of "${target}" are missing from this service`,
      );
      return local;
    }
    baseServices = parsed;
  }
  const base = resolveOne(r, baseFile, baseServices, target, [...stack, key]);
  if (base === undefined) {
    warn(
      r,
      `extends service "${target}"${otherFile === undefined ? '' : ` in ${baseFile}`}, which does not exist; its settings are missing from this service`,
    );
    return local;
  }
  const inherited = { ...base };
  const dropped = NOT_INHERITED.filter((k) => inherited[k] !== undefined);
  for (const k of dropped) delete inherited[k];
  if (dropped.length > 0)
    warn(
      r,
      `"${target}" has ${dropped.join(', ')}, which a service cannot inherit through extends (compose-spec): not copied`,
    );
  const rebased = baseFile === file ? inherited : rebase(inherited, dirOf(baseFile));
  return mergeServices(rebased, local);
}

/**
 * Every service of the main file with its `extends` resolved, and a warning at the `extends` line
 * of each case that could not be (a missing file or service, a circle).
 */
export function resolveExtends(
  yaml: YamlDoc,
  services: Record<string, unknown>,
  files: ExtendsFiles,
): { services: Record<string, unknown>; diagnostics: Diagnostic[]; unresolved: Set<string> } {
  const r: Resolver = {
    yaml,
    main: yaml.file,
    files,
    diagnostics: [],
    current: '',
    unresolved: new Set(),
  };
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(services)) {
    r.current = name;
    out[name] = resolveOne(r, '', services, name, [`#${name}`]) ?? services[name];
  }
  return { services: out, diagnostics: r.diagnostics, unresolved: r.unresolved };
}
