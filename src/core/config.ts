import type { Diagnostic } from './diagnostics.js';
import { nearest } from './suggest.js';
import { memoryLimitProblem } from './memory-limit.js';
import { pathKey, SET_SOURCE, type OverlayLayer } from './overlay-merge.js';
import type { ConfigKeySpec, Manifest } from './schema/manifest.js';
import type { Overlay } from './schema/overlay.js';

export type ConfigValue = string | number | boolean;

/**
 * Something wrong with the recipient's configuration. `source` is the overlay file (or `--set`)
 * that set the value and `path` its place in that file, so the caller can locate it and print
 * `file:line:col: error: config.HTTP_PORT: …`. A required key that no overlay sets carries the
 * `missingSource` given to `resolveConfig` (no line in any file).
 */
export interface Problem {
  source: string;
  path: (string | number)[];
  message: string;
  /** Stable id for tests and `--json`: required, unknown-key, type, enum, pattern, range, unknown-service. */
  rule: string;
}

export interface ResolvedConfig {
  /** Every key with a value (set or default), coerced to its declared type. */
  values: Record<string, ConfigValue>;
  problems: Problem[];
}

export interface ResolveConfigOptions {
  /** Source named by a problem about a key no overlay sets; '' when the caller has none. */
  missingSource?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

function describe(value: unknown): string {
  return typeof value === 'string'
    ? `the string ${JSON.stringify(value)}`
    : `${typeof value} ${String(value)}`;
}

/**
 * Checks a value against its declared type. `fromSet` allows the text forms a shell produces
 * (`--set config.HTTP_PORT='"8080"'`, or a number for a string key); a file must say what it means.
 */
function checkType(
  spec: ConfigKeySpec,
  raw: string | number | boolean,
  fromSet: boolean,
): { value: ConfigValue } | { error: string } {
  const asNumber = (pattern: RegExp): number | undefined =>
    typeof raw === 'number'
      ? raw
      : fromSet && typeof raw === 'string' && pattern.test(raw.trim())
        ? Number(raw)
        : undefined;
  switch (spec.type) {
    case 'string':
      if (typeof raw === 'string') return { value: raw };
      if (fromSet && typeof raw !== 'boolean') return { value: String(raw) };
      return { error: `must be a string, got ${describe(raw)} (quote it: "${String(raw)}")` };
    case 'boolean':
      if (typeof raw === 'boolean') return { value: raw };
      if (fromSet && (raw === 'true' || raw === 'false')) return { value: raw === 'true' };
      return { error: `must be true or false, got ${describe(raw)}` };
    case 'integer':
    case 'port': {
      const n = asNumber(INTEGER_TEXT);
      if (n === undefined || !Number.isSafeInteger(n)) {
        return {
          error: `must be ${spec.type === 'port' ? 'a port number (1-65535)' : 'an integer'}, got ${describe(raw)}`,
        };
      }
      if (spec.type === 'port' && (n < 1 || n > 65535))
        return { error: `must be a port number (1-65535), got ${n}` };
      return { value: n };
    }
    case 'number': {
      const n = asNumber(NUMBER_TEXT);
      if (n === undefined || !Number.isFinite(n))
        return { error: `must be a number, got ${describe(raw)}` };
      return { value: n };
    }
    case 'url': {
      if (typeof raw !== 'string') return { error: `must be a URL, got ${describe(raw)}` };
      let url: URL | undefined;
      try {
        url = new URL(raw);
      } catch {
        url = undefined;
      }
      if (url === undefined || url.host === '') {
        return {
          error: `must be an absolute URL such as "https://smartcity.sumbawakab.go.id", got ${JSON.stringify(raw)}`,
        };
      }
      return { value: raw };
    }
    case 'email':
      if (typeof raw !== 'string' || !EMAIL.test(raw)) {
        return {
          error: `must be an e-mail address such as "diskominfo@sumbawakab.go.id", got ${describe(raw)}`,
        };
      }
      return { value: raw };
  }
}

/** Enum, pattern and range rules on a value that already has the right type. */
function checkRules(
  spec: ConfigKeySpec,
  value: ConfigValue,
): { rule: string; message: string } | undefined {
  if (spec.enum !== undefined && !spec.enum.some((allowed) => allowed === value)) {
    return {
      rule: 'enum',
      message: `must be one of ${spec.enum.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`,
    };
  }
  if (spec.pattern !== undefined && typeof value === 'string') {
    let re: RegExp | undefined;
    try {
      re = new RegExp(spec.pattern, 'u');
    } catch {
      return {
        rule: 'pattern',
        message: `the manifest's pattern /${spec.pattern}/ is not a valid regular expression`,
      };
    }
    // Unanchored, as JSON Schema's `pattern`: manifests anchor with ^…$ when they mean the whole value.
    if (!re.test(value))
      return {
        rule: 'pattern',
        message: `must match /${spec.pattern}/, got ${JSON.stringify(value)}`,
      };
  }
  if (typeof value === 'number') {
    if (spec.minimum !== undefined && value < spec.minimum) {
      return { rule: 'range', message: `must be at least ${spec.minimum}, got ${value}` };
    }
    if (spec.maximum !== undefined && value > spec.maximum) {
      return { rule: 'range', message: `must be at most ${spec.maximum}, got ${value}` };
    }
  }
  return undefined;
}

/**
 * The app's config values for this release: the manifest's schema applied to the merged overlays.
 * Defaults fill unset keys (a `null` in an overlay unsets a key); every problem is collected, none
 * stops the others. A string such as "8080" from `--set` is coerced to the declared type; the same
 * string in a file is an error, because YAML already gives a file its types.
 */
export function resolveConfig(
  manifest: Manifest,
  config: Overlay['config'],
  origins: ReadonlyMap<string, string>,
  options: ResolveConfigOptions = {},
): ResolvedConfig {
  const values: Record<string, ConfigValue> = {};
  const problems: Problem[] = [];
  const supplied = config ?? {};
  const declared = Object.keys(manifest.config);

  for (const key of Object.keys(supplied)) {
    if (Object.hasOwn(manifest.config, key)) continue;
    const path = ['config', key];
    const guess = nearest(key, declared);
    problems.push({
      source: origins.get(pathKey(path)) ?? options.missingSource ?? '',
      path,
      rule: 'unknown-key',
      message:
        `${manifest.name} ${manifest.version} has no config key "${key}"` +
        (guess !== undefined
          ? `; did you mean "${guess}"?`
          : declared.length > 0
            ? ` (keys: ${declared.join(', ')})`
            : ''),
    });
  }

  for (const [key, spec] of Object.entries(manifest.config)) {
    const path = ['config', key];
    const source = origins.get(pathKey(path));
    const raw = Object.hasOwn(supplied, key) ? supplied[key] : undefined;
    if (raw === undefined || raw === null) {
      // Defaults are the manifest's promise and are checked by manifest lint, not here.
      if (spec.default !== undefined) values[key] = spec.default;
      else if (spec.required) {
        problems.push({
          source: source ?? options.missingSource ?? '',
          path,
          rule: 'required',
          message: `is required and has no default: ${spec.description}`,
        });
      }
      continue;
    }
    const typed = checkType(spec, raw, source === SET_SOURCE);
    if ('error' in typed) {
      problems.push({ source: source ?? '', path, rule: 'type', message: typed.error });
      continue;
    }
    const broken = checkRules(spec, typed.value);
    if (broken !== undefined) {
      problems.push({ source: source ?? '', path, rule: broken.rule, message: broken.message });
      continue;
    }
    values[key] = typed.value;
  }
  return { values, problems };
}

/**
 * Overlay `services.<name>` entries that name no service of the manifest: each would otherwise be
 * ignored without a word.
 */
export function checkServiceOverrides(
  manifest: Manifest,
  services: Overlay['services'],
  origins: ReadonlyMap<string, string>,
): Problem[] {
  const declared = Object.keys(manifest.services);
  const problems: Problem[] = [];
  for (const name of Object.keys(services ?? {})) {
    if (Object.hasOwn(manifest.services, name)) continue;
    const path = ['services', name];
    const source =
      [...origins.entries()].find(([k]) => k.startsWith(`${pathKey(path)}.`))?.[1] ?? '';
    const guess = nearest(name, declared);
    problems.push({
      source,
      path,
      rule: 'unknown-service',
      message:
        `${manifest.name} ${manifest.version} has no service "${name}"` +
        (guess !== undefined
          ? `; did you mean "${guess}"?`
          : ` (services: ${declared.join(', ')})`),
    });
  }
  for (const [name, service] of Object.entries(services ?? {})) {
    const memory = service.resources?.memory;
    const problem =
      memory === undefined || memory === null ? undefined : memoryLimitProblem(memory);
    if (problem === undefined) continue;
    const path = ['services', name, 'resources', 'memory'];
    problems.push({
      source: origins.get(pathKey(path)) ?? '',
      path,
      rule: 'memory-limit',
      message: problem,
    });
  }
  return problems;
}

/**
 * Problems as diagnostics, located through the layer they came from. A problem whose source is
 * not a layer with `locate` (a `--set`, a missing key) gets line 0, column 0: the whole source.
 */
export function problemsToDiagnostics(
  problems: readonly Problem[],
  layers: ReadonlyArray<Pick<OverlayLayer, 'source' | 'locate'>>,
): Diagnostic[] {
  return problems.map((p) => {
    const layer = layers.find((l) => l.source === p.source);
    const at = layer?.locate?.(p.path);
    return {
      file: p.source,
      line: at?.line ?? 0,
      col: at?.col ?? 0,
      severity: 'error',
      path: pathKey(p.path),
      message: p.message,
      rule: p.rule,
    };
  });
}
