import { isScalar, parseDocument } from 'yaml';
import { YAML_READING } from './yaml-reading.js';
import { KsadError } from './errors.js';
import { overlaySchema, type Overlay } from './schema/overlay.js';

/** A path into an overlay, e.g. `['services', 'web', 'resources', 'memory']`. */
export type OverlayPath = readonly (string | number)[];

/** Where a value sits in its source file; `undefined` when the path is not in that file. */
export type Locate = (path: OverlayPath) => { line: number; col: number } | undefined;

/** One overlay in the order the user gave it (`-f a.yaml -f b.yaml`). */
export interface OverlayLayer {
  /** The file name as the user wrote it, or `--set`. */
  source: string;
  overlay: Overlay;
  /** Maps a path to its line and column in `source`, for `file:line:col` diagnostics. */
  locate?: Locate;
}

export interface MergeResult {
  /**
   * The overlays merged. A `null` that survives the merge is a deletion marker: it deletes the key
   * in the manifest below as well (a manifest environment variable, or a config value so that the
   * manifest default applies), as Helm does with chart defaults.
   */
  merged: Overlay;
  /** The source that set each leaf, keyed by `pathKey(path)`, e.g. `config.HTTP_PORT → prod.yaml`. */
  origins: Map<string, string>;
}

/** The source name that `--set` values carry in origins and problems. */
export const SET_SOURCE = '--set';

/** `['config', 'HTTP_PORT']` → `config.HTTP_PORT`: the key of `MergeResult.origins`. */
export function pathKey(path: OverlayPath): string {
  return path.join('.');
}

export type MergeStrategy = 'merge' | 'replace' | 'replace-or-delete';

/**
 * How each overlay field combines with the layers before it (`*` is any key). Layers apply left to
 * right, `--set` after every file.
 *
 * | field                             | strategy          | meaning                                              |
 * | --------------------------------- | ----------------- | ---------------------------------------------------- |
 * | `app`                             | replace           | the last layer that names the app wins                |
 * | `config`                          | merge             | keys from every layer are kept                        |
 * | `config.*`                        | replace-or-delete | last value wins; `null` unsets it (default applies)   |
 * | `services`                        | merge             | services from every layer are kept                    |
 * | `services.*`                      | merge             | a service's fields from every layer are kept          |
 * | `services.*.resources`            | merge             | `cpus` from one layer and `memory` from another mix   |
 * | `services.*.resources.cpus`       | replace-or-delete | last value wins; `null` removes the limit, also the manifest's |
 * | `services.*.resources.memory`     | replace-or-delete | last value wins; `null` removes the limit, also the manifest's |
 * | `services.*.environment`          | merge             | variables from every layer are kept                   |
 * | `services.*.environment.*`        | replace-or-delete | last value wins; `null` removes the variable, also one the manifest sets |
 * | `services.*.replicas`             | replace-or-delete | last value wins; `null` goes back to one task (Swarm)  |
 * | `services.*.placement`            | merge             | (Swarm) `null` removes every constraint               |
 * | `services.*.placement.constraints`| replace-or-delete | the list replaces whole, never concatenates           |
 * | `ingress`                         | merge             | `hosts` from one layer and `tls` from another mix     |
 * | `ingress.*`                       | replace-or-delete | last value wins (`hosts` is replaced whole); `null` unsets it |
 *
 * A field not in the table (none passes the overlay schema today) follows Helm: maps merge, lists
 * and scalars replace, `null` deletes. Lists always replace whole, never concatenate, so a layer
 * can shorten a list.
 */
export const OVERLAY_MERGE_RULES: ReadonlyArray<{ path: string; strategy: MergeStrategy }> = [
  { path: 'app', strategy: 'replace' },
  { path: 'config', strategy: 'merge' },
  { path: 'config.*', strategy: 'replace-or-delete' },
  { path: 'services', strategy: 'merge' },
  { path: 'services.*', strategy: 'merge' },
  { path: 'services.*.resources', strategy: 'merge' },
  { path: 'services.*.resources.cpus', strategy: 'replace-or-delete' },
  { path: 'services.*.resources.memory', strategy: 'replace-or-delete' },
  { path: 'services.*.environment', strategy: 'merge' },
  { path: 'services.*.environment.*', strategy: 'replace-or-delete' },
  { path: 'services.*.replicas', strategy: 'replace-or-delete' },
  { path: 'services.*.placement', strategy: 'merge' },
  { path: 'services.*.placement.constraints', strategy: 'replace-or-delete' },
  { path: 'ingress', strategy: 'merge' },
  { path: 'ingress.*', strategy: 'replace-or-delete' },
];

function strategyFor(path: OverlayPath, value: unknown): MergeStrategy {
  const rule = OVERLAY_MERGE_RULES.find((r) => {
    const parts = r.path.split('.');
    return (
      parts.length === path.length && parts.every((p, i) => p === '*' || p === String(path[i]))
    );
  });
  if (rule !== undefined) return rule.strategy;
  return isPlainObject(value) ? 'merge' : 'replace-or-delete';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dropOriginsUnder(origins: Map<string, string>, key: string): void {
  for (const k of [...origins.keys()]) if (k.startsWith(`${key}.`)) origins.delete(k);
}

/** Records the origin of every leaf in a subtree that was copied in whole. */
function recordOrigins(
  value: unknown,
  path: OverlayPath,
  source: string,
  origins: Map<string, string>,
): void {
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) recordOrigins(v, [...path, k], source, origins);
    return;
  }
  origins.set(pathKey(path), source);
}

function mergeInto(
  target: Record<string, unknown>,
  layer: Record<string, unknown>,
  path: OverlayPath,
  source: string,
  origins: Map<string, string>,
): void {
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    const childPath = [...path, key];
    const childKey = pathKey(childPath);
    const strategy = strategyFor(childPath, value);
    const current = target[key];
    if (strategy === 'merge' && isPlainObject(value)) {
      const into = isPlainObject(current) ? current : {};
      if (!isPlainObject(current)) dropOriginsUnder(origins, childKey);
      target[key] = into;
      mergeInto(into, value, childPath, source, origins);
      continue;
    }
    dropOriginsUnder(origins, childKey);
    if (value === null && strategy === 'replace') {
      // Fields that cannot be deleted by null (the schema forbids it) simply lose the earlier value.
      delete target[key];
      origins.delete(childKey);
      continue;
    }
    target[key] = structuredClone(value);
    if (isPlainObject(value)) recordOrigins(value, childPath, source, origins);
    else origins.set(childKey, source);
  }
}

/**
 * Merges overlays left to right with Helm's rules, field by field as `OVERLAY_MERGE_RULES` states,
 * and remembers which layer set each value so problems can point at the file that caused them.
 * The inputs are not modified.
 */
export function mergeOverlays(
  layers: ReadonlyArray<Pick<OverlayLayer, 'source' | 'overlay'>>,
): MergeResult {
  const merged: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  for (const { source, overlay } of layers) mergeInto(merged, overlay, [], source, origins);
  return { merged: merged, origins };
}

/** The parsed form of one `--set path=value`. */
export interface SetExpression {
  path: string[];
  value: string | number | boolean | null;
}

/**
 * Parses `services.web.resources.memory=512m`. The path splits on `.` (`\.` is a literal dot); the
 * value is read as a YAML scalar, so `8080` is a number, `true` a boolean, `null` deletes, and a
 * quoted `"8080"` stays a string. A value that is not a scalar (`a: b`, `[1]`) is kept as the text
 * typed, as Helm's `--set` does; an empty value is the empty string.
 *
 * @throws KsadError('USAGE') when there is no `=` or the path has an empty segment.
 */
export function parseSetExpression(expression: string): SetExpression {
  const eq = expression.indexOf('=');
  if (eq <= 0) {
    throw new KsadError('USAGE', `--set "${expression}" must be path=value`, {
      suggestions: [
        'for example: --set config.REGION_NAME=Sumbawa --set services.web.resources.memory=512m',
      ],
    });
  }
  const path = expression
    .slice(0, eq)
    .split(/(?<!\\)\./)
    .map((p) => p.replaceAll('\\.', '.').trim());
  if (path.some((p) => p === '')) {
    throw new KsadError('USAGE', `--set "${expression}": the path has an empty segment`, {
      suggestions: ['write the path with dots between names, e.g. config.HTTP_PORT'],
    });
  }
  return { path, value: parseScalar(expression.slice(eq + 1)) };
}

function parseScalar(text: string): string | number | boolean | null {
  if (text.trim() === '') return text;
  const doc = parseDocument(text, YAML_READING);
  if (doc.errors.length > 0 || !isScalar(doc.contents)) return text;
  const value: unknown = doc.contents.value;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return text;
}

/** Environment values and memory sizes are text to Docker, so `--set …=8080` must not fail on type. */
function coerceSetValue(
  path: readonly string[],
  value: SetExpression['value'],
): SetExpression['value'] {
  if (value === null || typeof value === 'string') return value;
  const isEnv = path.length === 4 && path[0] === 'services' && path[2] === 'environment';
  const isMemory =
    path.length === 4 && path[0] === 'services' && path[2] === 'resources' && path[3] === 'memory';
  return isEnv || isMemory ? String(value) : value;
}

/**
 * Applies one `--set path=value` on top of merged overlays, with the same rules as a file layer
 * (so `null` deletes). The value must fit the overlay schema at that path. Returns a new result;
 * origins of the paths it sets become `source` (`--set`).
 *
 * @throws KsadError('USAGE') naming the expression, the path and what is wrong.
 */
export function applySet(
  result: MergeResult,
  expression: string,
  source: string = SET_SOURCE,
): MergeResult {
  const { path, value } = parseSetExpression(expression);
  const layer: Record<string, unknown> = {};
  let node = layer;
  path.forEach((segment, i) => {
    if (i === path.length - 1) node[segment] = coerceSetValue(path, value);
    else node = node[segment] = {};
  });
  const parsed = overlaySchema.safeParse(layer);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where =
      issue === undefined || issue.path.length === 0
        ? pathKey(path)
        : pathKey(issue.path as OverlayPath);
    throw new KsadError(
      'USAGE',
      `--set ${expression}: ${where}: ${issue?.message ?? 'invalid value'}`,
      {
        suggestions: [
          'settable paths: config.KEY, services.NAME.environment.VAR, services.NAME.resources.cpus, services.NAME.resources.memory',
        ],
      },
    );
  }
  const merged = structuredClone(result.merged) as Record<string, unknown>;
  const origins = new Map(result.origins);
  mergeInto(merged, parsed.data, [], source, origins);
  return { merged: merged, origins };
}

/** Applies every `--set` in order, after the files. */
export function applySets(
  result: MergeResult,
  expressions: readonly string[],
  source: string = SET_SOURCE,
): MergeResult {
  return expressions.reduce((acc, expression) => applySet(acc, expression, source), result);
}
