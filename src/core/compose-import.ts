import { sortDiagnostics } from './diagnostics.js';
import type { Diagnostic } from './diagnostics.js';
import { SLUG_PATTERN, SMART_CITY_DIMENSIONS } from './schema/index.js';
import { diagnosticAt, parseYaml } from './yaml-doc.js';
import type { YamlDoc, YamlPath } from './yaml-doc.js';

// ---------------------------------------------------------------------------------------------
// Interpolation (compose-spec): $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err},
// ${VAR?err}, ${VAR:+alt}, ${VAR+alt}, and $$ for a literal $.
// ---------------------------------------------------------------------------------------------

export type InterpolationModifier = ':-' | '-' | ':?' | '?' | ':+' | '+';

export type InterpolationPart =
  | { kind: 'text'; text: string }
  | { kind: 'var'; name: string; modifier: InterpolationModifier | null; argument: string };

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const MODIFIERS: readonly InterpolationModifier[] = [':-', ':?', ':+', '-', '?', '+'];

/** Splits a compose value into literal text and variables; `error` when a `${` is malformed. */
export function parseInterpolation(value: string): { parts: InterpolationPart[]; error?: string } {
  const parts: InterpolationPart[] = [];
  const text = (t: string): void => {
    const last = parts.at(-1);
    if (last?.kind === 'text') last.text += t;
    else parts.push({ kind: 'text', text: t });
  };
  let i = 0;
  while (i < value.length) {
    const c = value[i];
    if (c !== '$') {
      text(c ?? '');
      i++;
      continue;
    }
    const next = value[i + 1];
    if (next === '$') {
      text('$');
      i += 2;
    } else if (next === '{') {
      // Find the matching brace: defaults may hold nested ${…}.
      let depth = 1;
      let j = i + 2;
      for (; j < value.length && depth > 0; j++) {
        if (value[j] === '$' && value[j + 1] === '{') {
          depth++;
          j++;
        } else if (value[j] === '}') depth--;
      }
      if (depth > 0) return { parts, error: `unterminated "\${" in "${value}"` };
      const body = value.slice(i + 2, j - 1);
      const name = VAR_NAME.exec(body)?.[0];
      if (name === undefined)
        return { parts, error: `"\${${body}}" does not start with a variable name` };
      const rest = body.slice(name.length);
      if (rest === '') parts.push({ kind: 'var', name, modifier: null, argument: '' });
      else {
        const modifier = MODIFIERS.find((m) => rest.startsWith(m));
        if (modifier === undefined)
          return { parts, error: `"\${${body}}" has an unknown modifier "${rest}"` };
        parts.push({ kind: 'var', name, modifier, argument: rest.slice(modifier.length) });
      }
      i = j;
    } else {
      const name = VAR_NAME.exec(value.slice(i + 1))?.[0];
      if (name === undefined) {
        text('$');
        i++;
      } else {
        parts.push({ kind: 'var', name, modifier: null, argument: '' });
        i += 1 + name.length;
      }
    }
  }
  return { parts };
}

/** The value Compose would use when the variable is unset: the default, resolved recursively. */
export function interpolationDefault(
  part: InterpolationPart & { kind: 'var' },
  env: Readonly<Record<string, string>> = {},
): string | undefined {
  const set = env[part.name];
  if (set !== undefined && !(part.modifier === ':-' && set === '')) {
    if (part.modifier === ':+' || part.modifier === '+') return literalOf(part.argument, env);
    return set;
  }
  if (part.modifier === ':-' || part.modifier === '-') return literalOf(part.argument, env);
  return undefined;
}

/** A compose string with every variable replaced by its default (unset without one: ''). */
export function literalOf(value: string, env: Readonly<Record<string, string>> = {}): string {
  const { parts } = parseInterpolation(value);
  return parts
    .map((p) => (p.kind === 'text' ? p.text : (interpolationDefault(p, env) ?? '')))
    .join('');
}

// ---------------------------------------------------------------------------------------------
// Small parsers
// ---------------------------------------------------------------------------------------------

/** Splits a command string like a POSIX shell would split words (no expansion, no operators). */
export function shellSplit(input: string): { args: string[] } | { error: string } {
  const args: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < input.length) {
    const c = input[i] ?? '';
    if (c === "'") {
      const end = input.indexOf("'", i + 1);
      if (end === -1) return { error: `unterminated single quote in ${JSON.stringify(input)}` };
      cur += input.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < input.length) {
        const d = input[i] ?? '';
        if (d === '\\' && i + 1 < input.length && '"\\$`\n'.includes(input[i + 1] ?? '')) {
          if (input[i + 1] !== '\n') cur += input[i + 1];
          i += 2;
        } else if (d === '"') {
          closed = true;
          i++;
          break;
        } else {
          cur += d;
          i++;
        }
      }
      if (!closed) return { error: `unterminated double quote in ${JSON.stringify(input)}` };
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < input.length && input[i + 1] !== '\n') cur += input[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) args.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) args.push(cur);
  return { args };
}

const GO_DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration ("1m30s", "1.5s", "500ms") as a manifest duration ("1m30s", "1s500ms"). */
export function convertDuration(value: string): string | undefined {
  if (!/^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(value)) return undefined;
  let ms = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
    ms += Number(m[1]) * (GO_DURATION_UNITS[m[2] ?? ''] ?? 0);
  ms = Math.round(ms);
  if (ms === 0) return '0s';
  const out: string[] = [];
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(ms / size);
    if (n > 0) out.push(`${n}${unit}`);
    ms -= n * size;
  }
  return out.join('');
}

/** A compose byte size (512m, 1.5g, 1073741824, "256MB") as a manifest memory size. */
export function convertMemory(value: string | number): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value <= 0) return undefined;
    return value % 1048576 === 0 ? `${value / 1048576}m` : `${value}`;
  }
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const factor: Record<string, number> = {
    '': 1,
    b: 1,
    k: 1024,
    m: 1024 ** 2,
    g: 1024 ** 3,
    t: 1024 ** 4,
  };
  if (Number.isInteger(n) && unit !== 't') return `${n}${unit === 'b' ? '' : unit}`;
  const bytes = Math.round(n * (factor[unit] ?? 1));
  return convertMemory(bytes);
}

/** Names that say their value is a credential. */
export function looksSecret(name: string): boolean {
  if (/_FILE$/i.test(name)) return false;
  return name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .some((seg) => /PASSWORD|PASSWD|SECRET|TOKEN/.test(seg) || /KEY$/.test(seg));
}

/** `web-api` → `WEB_API`. */
function envName(service: string): string {
  return service.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

function toSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

function titleOf(slug: string): string {
  return slug
    .split('-')
    .filter((w) => w !== '')
    .map((w) => (w[0] ?? '').toUpperCase() + w.slice(1))
    .join(' ');
}

/** Resolves YAML merge keys (`<<: *defaults`), which the YAML 1.2 core schema leaves as plain keys. */
function resolveMerges(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveMerges);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const merge = obj['<<'];
  const sources: unknown[] = Array.isArray(merge)
    ? (merge as unknown[])
    : merge === undefined
      ? []
      : [merge];
  for (const s of [...sources].reverse()) {
    const resolved = resolveMerges(s);
    if (resolved !== null && typeof resolved === 'object' && !Array.isArray(resolved))
      Object.assign(out, resolved);
  }
  for (const [k, v] of Object.entries(obj)) if (k !== '<<') out[k] = resolveMerges(v);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function scalarString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Parses `KEY=VALUE` lines of an env file (comments, blank lines, quotes, `export `). */
export function parseEnvFile(
  text: string,
): Array<{ key: string; value: string | null; line: number }> {
  const out: Array<{ key: string; value: string | null; line: number }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const body = line.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    if (eq === -1) {
      out.push({ key: body, value: null, line: i + 1 });
      return;
    }
    const key = body.slice(0, eq).trim();
    let value = body.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2)
      value = value
        .slice(1, -1)
        .replace(/\\n/g, '\n')
        .replace(/\\(["\\])/g, '$1');
    else if (value.startsWith("'") && value.endsWith("'") && value.length >= 2)
      value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    out.push({ key, value, line: i + 1 });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// The import
// ---------------------------------------------------------------------------------------------

/** Metadata a compose file cannot give; each absent one is drafted or listed as a decision. */
export interface DraftMetadata {
  publisher: string;
  name?: string | undefined;
  version?: string | undefined;
  title?: string | undefined;
  description?: string | undefined;
  license?: string | undefined;
  url?: string | undefined;
  dimensions?: readonly string[] | undefined;
  categories?: readonly string[] | undefined;
  maintenance?: 'internal' | 'contract' | 'community' | 'none' | undefined;
  contacts?: ReadonlyArray<{ name: string; email?: string }> | undefined;
  releaseDate?: string | undefined;
  /** `requires.ksad`, e.g. ">=0.1.0". */
  requiresKsad?: string | undefined;
}

export interface ComposeInput {
  /** The compose file's path as shown in diagnostics. */
  file: string;
  text: string;
  /** Env files named by `env_file`, by the path as written there; null when the file is missing. */
  envFiles?: Readonly<Record<string, string | null>>;
  /** Variables from the project's `.env`: defaults for `${VAR}`, as Compose reads them. */
  dotenv?: Readonly<Record<string, string>>;
  /** App name when neither --name nor the compose `name:` gives one (e.g. the folder name). */
  fallbackName?: string;
  meta: DraftMetadata;
}

/** An image still to be pinned, with where the compose file names it. */
export interface ImageToPin {
  service: string;
  image: string;
  line: number;
  col: number;
}

export interface ComposeDraft {
  /** The manifest draft, keys in the order a manifest is written. */
  manifest: Record<string, unknown>;
  /** Errors (the compose file cannot be read) and warnings (what did not carry over), by location. */
  diagnostics: Diagnostic[];
  /** Images named by tag, to resolve to digests. */
  images: ImageToPin[];
  /** What the publisher must still decide before `manifest lint` passes or the draft is publishable. */
  decisions: string[];
}

/** The env_file paths a compose file names, so the caller can read them before importing. */
export function composeEnvFiles(text: string): string[] {
  const value = resolveMerges(parseYaml('compose', text, { foreign: true }).value);
  const services = isRecord(value) && isRecord(value.services) ? value.services : {};
  const paths = new Set<string>();
  for (const s of Object.values(services)) {
    if (!isRecord(s)) continue;
    for (const { file } of envFileItems(s.env_file)) paths.add(file);
  }
  return [...paths];
}

/**
 * The files of a service's `env_file` (one entry, or a list of paths and `{path, required}`),
 * each with its place in the list (null when `env_file` is a single entry) and whether it must
 * exist; entries without a path are left out.
 */
function envFileItems(
  ef: unknown,
): Array<{ file: string; index: number | null; required: boolean }> {
  const items = Array.isArray(ef) ? ef : ef === undefined ? [] : [ef];
  return items.flatMap((item: unknown, i) => {
    const file =
      typeof item === 'string'
        ? item
        : isRecord(item) && typeof item.path === 'string'
          ? item.path
          : undefined;
    if (file === undefined) return [];
    const required = !(isRecord(item) && item.required === false);
    return [{ file, index: Array.isArray(ef) ? i : null, required }];
  });
}

interface ConfigEntry {
  type: 'string' | 'integer' | 'boolean' | 'port';
  description: string;
  default?: string | number | boolean;
  required?: boolean;
}

const SERVICE_KEYS_HANDLED = new Set([
  'image',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'ports',
  'volumes',
  'depends_on',
  'healthcheck',
  'restart',
  'deploy',
  'mem_limit',
  'cpus',
  'working_dir',
  'user',
  'init',
  'read_only',
  'stop_grace_period',
  'labels',
  'build',
]);

/** Settings that widen a container's hold on the host, with why they are left out. */
const UNSAFE: Record<string, string> = {
  privileged:
    "a privileged container has full control of the recipient's host; ksad manifests do not carry it, so it was left out",
  cap_add: 'added Linux capabilities widen what the container can do to the host; left out',
  devices: 'host devices are not given to containers by ksad; left out',
  pid: "sharing the host's process table is not supported; left out",
  ipc: "sharing the host's IPC namespace is not supported; left out",
  network_mode: "ksad runs every service on the release's own network; network_mode was left out",
  userns_mode: 'the host user namespace is not supported; left out',
  security_opt: 'security options (e.g. seccomp/apparmor unconfined) are not supported; left out',
};

const NOT_NEEDED: Record<string, string> = {
  links: 'links are not needed: services reach each other by name (${service.NAME.host}); left out',
  external_links: 'external links reach outside the release, which ksad does not support; left out',
  networks:
    'ksad puts every service of a release on one network of its own; networks were left out',
  container_name: 'ksad names containers after the release itself; left out',
  hostname:
    "a service's hostname is its name on the release network (${service.NAME.host}); left out",
  expose: 'expose is not needed: services of one release reach each other on every port; left out',
  extends:
    'extends is not supported: copy the settings of the extended service into this one; left out',
  profiles:
    'profiles are not supported: every service of a manifest is deployed; the service was kept, remove it from the draft if it is optional',
  secrets:
    'Compose secrets are not supported: declare the secret under "secrets" and pass it through environment as ${secret.NAME}; left out',
  configs:
    'Compose configs are not supported: put the setting in environment (${config.KEY}) or in the image; left out',
  extra_hosts: 'extra host entries are not supported; left out',
  tmpfs: 'tmpfs mounts are not supported; left out',
  cap_drop: 'cap_drop is not supported by the manifest; left out',
};

/** Pure: a compose file → a manifest draft, with every setting that did not carry over reported. */
export function importCompose(input: ComposeInput): ComposeDraft {
  const yaml = parseYaml(input.file, input.text, { foreign: true });
  const diagnostics: Diagnostic[] = [...yaml.diagnostics];
  const empty = (): ComposeDraft => ({ manifest: {}, diagnostics, images: [], decisions: [] });
  if (diagnostics.some((d) => d.severity === 'error')) return empty();
  const root = resolveMerges(yaml.value);
  if (!isRecord(root) || !isRecord(root.services) || Object.keys(root.services).length === 0) {
    diagnostics.push(
      diagnosticAt(
        yaml,
        ['services'],
        'error',
        'compose',
        'a compose file needs a "services" map with at least one service',
      ),
    );
    return empty();
  }
  return new ComposeImporter(yaml, root, input, diagnostics).run();
}

class ComposeImporter {
  private readonly config = new Map<string, ConfigEntry>();
  private readonly secrets = new Map<string, { description: string; value: string | undefined }>();
  private readonly services: Record<string, Record<string, unknown>> = {};
  private readonly images: ImageToPin[] = [];
  private readonly decisions: string[] = [];
  /** Compose service name → manifest service name (a slug). */
  private readonly names = new Map<string, string>();
  private readonly env: Readonly<Record<string, string>>;
  private licenseLabel: string | undefined;
  private urlLabel: string | undefined;
  private titleLabel: string | undefined;
  private descriptionLabel: string | undefined;

  constructor(
    private readonly yaml: YamlDoc,
    private readonly root: Record<string, unknown>,
    private readonly input: ComposeInput,
    private readonly diagnostics: Diagnostic[],
  ) {
    this.env = input.dotenv ?? {};
  }

  private warn(path: YamlPath, rule: string, message: string): void {
    this.diagnostics.push(diagnosticAt(this.yaml, path, 'warning', rule, message, { at: 'key' }));
  }

  private warnValue(path: YamlPath, rule: string, message: string): void {
    this.diagnostics.push(diagnosticAt(this.yaml, path, 'warning', rule, message));
  }

  run(): ComposeDraft {
    const services = this.root.services as Record<string, unknown>;
    this.topLevel();
    // Names first: environment values may point at any service by its hostname.
    for (const [name, s] of Object.entries(services)) {
      if (!isRecord(s)) {
        this.warn(['services', name], 'compose-unsupported', 'is not a map of settings; left out');
        continue;
      }
      if (s.image === undefined) {
        this.warn(
          ['services', name],
          'compose-unsupported',
          s.build === undefined
            ? 'has no image; left out'
            : 'has only "build" and no image: ksad deploys published images only; build and push it, then add the service with its image; left out',
        );
        continue;
      }
      const slug = toSlug(name);
      if (!SLUG_PATTERN.test(slug) || [...this.names.values()].includes(slug)) {
        this.warn(
          ['services', name],
          'compose-unsupported',
          `cannot be named as a ksad service (lower-case letters, digits, dashes); left out`,
        );
        continue;
      }
      if (slug !== name)
        this.warn(
          ['services', name],
          'compose-changed',
          `renamed to "${slug}": ksad service names are lower-case letters, digits and dashes`,
        );
      this.names.set(name, slug);
    }
    for (const [name, slug] of this.names)
      this.services[slug] = this.service(name, services[name] as Record<string, unknown>);
    return this.finish();
  }

  private topLevel(): void {
    for (const [key, value] of Object.entries(this.root)) {
      if (key === 'services' || key === 'name' || key.startsWith('x-')) continue;
      if (key === 'version') continue; // obsolete in compose-spec; it changes nothing
      if (key === 'volumes') {
        if (!isRecord(value)) continue;
        for (const [vol, spec] of Object.entries(value)) {
          if (!isRecord(spec)) continue;
          for (const k of Object.keys(spec)) {
            const what =
              k === 'external'
                ? 'an external volume is not created by the release: the release makes and owns its own volume, so data already in it is not carried over'
                : `volume ${k} is not supported: the release's volumes use the engine's default local driver`;
            this.warn(['volumes', vol, k], 'compose-unsupported', `${what}; left out`);
          }
        }
        continue;
      }
      const message =
        key === 'networks'
          ? 'ksad puts every service of a release on one network of its own; networks were left out'
          : key === 'secrets' || key === 'configs'
            ? `top-level ${key} are not supported: declare secrets under "secrets" and settings under "config" of the manifest; left out`
            : key === 'include'
              ? 'include is not supported: merge the included files into this one first (docker compose config); left out'
              : `"${key}" is not supported by ksad; left out`;
      this.warn([key], 'compose-unsupported', message);
    }
  }

  // -- one service ------------------------------------------------------------------------------

  private service(name: string, s: Record<string, unknown>): Record<string, unknown> {
    const at = (...rest: Array<string | number>): YamlPath => ['services', name, ...rest];
    const out: Record<string, unknown> = {};
    out.image = this.image(name, s.image);
    const command = this.commandLike(name, 'command', s.command);
    if (command) out.command = command;
    const entrypoint = this.commandLike(name, 'entrypoint', s.entrypoint);
    if (entrypoint) out.entrypoint = entrypoint;
    if (s.working_dir !== undefined) out.workingDir = this.plain(at('working_dir'), s.working_dir);
    if (s.user !== undefined) out.user = this.plain(at('user'), s.user);
    const environment = this.environment(name, s);
    if (Object.keys(environment).length > 0) out.environment = environment;
    const ports = this.ports(name, s.ports);
    if (ports.length > 0) out.ports = ports;
    const volumes = this.volumes(name, s.volumes);
    if (volumes.length > 0) out.volumes = volumes;
    const healthcheck = this.healthcheck(name, s.healthcheck);
    if (healthcheck) out.healthcheck = healthcheck;
    const dependsOn = this.dependsOn(name, s.depends_on);
    if (Object.keys(dependsOn).length > 0) out.dependsOn = dependsOn;
    const resources = this.resources(name, s);
    if (Object.keys(resources).length > 0) out.resources = resources;
    const restart = this.restart(name, s);
    if (restart !== undefined) out.restart = restart;
    if (s.init === true) out.init = true;
    if (s.read_only === true) out.readOnlyRootFilesystem = true;
    if (s.stop_grace_period !== undefined) {
      const raw = scalarString(s.stop_grace_period) ?? '';
      const d = convertDuration(literalOf(raw, this.env));
      if (d === undefined)
        this.warnValue(
          at('stop_grace_period'),
          'compose-unsupported',
          `${JSON.stringify(s.stop_grace_period)} is not a duration; left out`,
        );
      else out.stopGracePeriod = d;
    }
    this.labels(name, s.labels);
    if (s.build !== undefined)
      this.warn(
        at('build'),
        'compose-unsupported',
        'build is ignored: the draft deploys the published image',
      );
    for (const key of Object.keys(s)) {
      if (SERVICE_KEYS_HANDLED.has(key) || key.startsWith('x-')) continue;
      if (key === 'init' || key === 'read_only') continue;
      const message =
        UNSAFE[key] ?? NOT_NEEDED[key] ?? `"${key}" is not supported by ksad; left out`;
      this.warn(at(key), 'compose-unsupported', message);
    }
    return out;
  }

  private image(name: string, raw: unknown): string {
    const path: YamlPath = ['services', name, 'image'];
    let image = scalarString(raw) ?? '';
    if (image.includes('$')) {
      const resolved = literalOf(image, this.env);
      this.warnValue(
        path,
        'compose-interpolation',
        `"${image}" uses variables; a manifest names one image, so it became "${resolved}"`,
      );
      image = resolved;
    }
    if (!/@sha256:[a-f0-9]{64}$/.test(image)) {
      const { line, col } = diagnosticAt(this.yaml, path, 'warning', '', '');
      this.images.push({ service: this.names.get(name) ?? name, image, line, col });
    }
    return image;
  }

  /** A value where a manifest takes no references: variables become their defaults. */
  private plain(path: YamlPath, raw: unknown): string {
    const s = scalarString(raw) ?? '';
    if (!s.includes('$')) return s;
    const resolved = literalOf(s, this.env);
    this.warnValue(
      path,
      'compose-interpolation',
      `"${s}" uses variables, which this field cannot reference; it became "${resolved}"`,
    );
    return resolved;
  }

  private commandLike(
    name: string,
    key: 'command' | 'entrypoint',
    raw: unknown,
  ): string[] | undefined {
    if (raw === undefined || raw === null) return undefined;
    const path: YamlPath = ['services', name, key];
    let args: string[];
    if (typeof raw === 'string') {
      const split = shellSplit(raw);
      if ('error' in split) {
        this.warnValue(path, 'compose-unsupported', `${split.error}; left out`);
        return undefined;
      }
      args = split.args;
    } else if (Array.isArray(raw)) {
      args = raw.map((a) => scalarString(a) ?? '');
    } else {
      this.warnValue(path, 'compose-unsupported', 'must be a string or a list; left out');
      return undefined;
    }
    return args.map((a, i) =>
      this.referenceValue(
        name,
        [...path, ...(typeof raw === 'string' ? [] : [i])],
        key.toUpperCase(),
        a,
        { hostnames: false },
      ),
    );
  }

  // -- environment ------------------------------------------------------------------------------

  private environment(name: string, s: Record<string, unknown>): Record<string, string> {
    const entries: Array<{ key: string; value: string | null; path: YamlPath }> = [];
    for (const { file, index, required } of envFileItems(s.env_file)) {
      const path: YamlPath =
        index === null ? ['services', name, 'env_file'] : ['services', name, 'env_file', index];
      const text = this.input.envFiles?.[file];
      if (text === undefined || text === null) {
        if (required)
          this.warnValue(
            path,
            'compose-env-file',
            `env file ${file} cannot be read: its variables are missing from the draft`,
          );
        continue;
      }
      for (const e of parseEnvFile(text)) entries.push({ key: e.key, value: e.value, path });
    }
    const env = s.environment;
    if (Array.isArray(env)) {
      env.forEach((item, i) => {
        const str = scalarString(item) ?? '';
        const eq = str.indexOf('=');
        entries.push({
          key: eq === -1 ? str : str.slice(0, eq),
          value: eq === -1 ? null : str.slice(eq + 1),
          path: ['services', name, 'environment', i],
        });
      });
    } else if (isRecord(env)) {
      for (const [k, v] of Object.entries(env))
        entries.push({
          key: k,
          value: v === null ? null : (scalarString(v) ?? ''),
          path: ['services', name, 'environment', k],
        });
    }
    const out: Record<string, string> = {};
    for (const e of entries) {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(e.key)) {
        this.warnValue(
          e.path,
          'compose-unsupported',
          `"${e.key}" is not a variable name; left out`,
        );
        continue;
      }
      // `KEY` alone takes the value from the shell that runs compose: a setting the region gives.
      const value = e.value ?? `\${${e.key}}`;
      out[e.key] = this.referenceValue(name, e.path, e.key, value, { hostnames: true });
    }
    return out;
  }

  /**
   * A compose string → a manifest string: variables become `${config.VAR}` / `${secret.VAR}`,
   * literal credentials become generated secrets, service hostnames `${service.NAME.host}`, and a
   * literal `${` is escaped as `$${`.
   */
  private referenceValue(
    service: string,
    path: YamlPath,
    key: string,
    value: string,
    opts: { hostnames: boolean },
  ): string {
    const parsed = parseInterpolation(value);
    if (parsed.error !== undefined) {
      this.warnValue(path, 'compose-interpolation', `${parsed.error}; kept as literal text`);
      return escapeRefs(value);
    }
    const where = path.map(String).join('.');
    const hasVars = parsed.parts.some((p) => p.kind === 'var');
    if (!hasVars && looksSecret(key) && value !== '') {
      const secret = this.secret(
        key,
        value,
        `Credential ${key} (from ${where} in the Compose file), generated at first install.`,
      );
      this.warnValue(
        path,
        'compose-secret',
        `the literal value of ${key} looks like a credential: it became \${secret.${secret}}, generated at install (check that every service sharing it uses the same secret)`,
      );
      return `\${secret.${secret}}`;
    }
    let out = '';
    for (const part of parsed.parts) {
      if (part.kind === 'text') {
        out += opts.hostnames
          ? this.hostnames(escapeRefs(part.text), key, path, parsed.parts.length === 1)
          : escapeRefs(part.text);
        continue;
      }
      if (part.modifier === ':+' || part.modifier === '+') {
        const alt = interpolationDefault(part, this.env) ?? '';
        this.warnValue(
          path,
          'compose-interpolation',
          `"\${${part.name}${part.modifier}${part.argument}}" (alternative value) has no manifest equivalent; it became "${alt}"`,
        );
        out += escapeRefs(alt);
        continue;
      }
      if (looksSecret(part.name) || (looksSecret(key) && parsed.parts.length === 1)) {
        const secretName = this.secret(
          part.name,
          undefined,
          `Secret ${part.name} (from ${where} in the Compose file), generated at first install.`,
        );
        if (interpolationDefault(part, this.env) !== undefined) {
          this.warnValue(
            path,
            'compose-secret',
            `\${${part.name}} is a credential: it became \${secret.${secretName}}, generated at install; its default value was dropped`,
          );
        }
        out += `\${secret.${secretName}}`;
        continue;
      }
      out += `\${config.${this.configFromVar(part, where, path)}}`;
    }
    return out;
  }

  private configFromVar(
    part: InterpolationPart & { kind: 'var' },
    where: string,
    path: YamlPath,
    type?: ConfigEntry['type'],
  ): string {
    const def = interpolationDefault(part, this.env);
    const why =
      (part.modifier === ':?' || part.modifier === '?') && part.argument !== ''
        ? ` Compose says when it is missing: "${part.argument}".`
        : '';
    const entry: ConfigEntry = {
      type: type ?? inferType(part.name, def),
      description: `From \${${part.name}} at ${where} in the Compose file.${why}`,
    };
    if (def !== undefined) entry.default = typed(entry.type, def);
    else entry.required = true;
    const existing = this.config.get(part.name);
    if (existing === undefined) this.config.set(part.name, entry);
    else if (existing.default !== entry.default && entry.default !== undefined) {
      this.warnValue(
        path,
        'compose-interpolation',
        `\${${part.name}} has another default elsewhere (${JSON.stringify(existing.default)}); the first one was kept`,
      );
    }
    return part.name;
  }

  private secret(name: string, value: string | undefined, description: string): string {
    let secretName = name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    const existing = this.secrets.get(secretName);
    if (existing !== undefined && existing.value !== value) {
      // Same name, other literal: two distinct credentials.
      let n = 2;
      while (this.secrets.has(`${secretName}_${n}`)) n++;
      secretName = `${secretName}_${n}`;
    }
    if (!this.secrets.has(secretName)) this.secrets.set(secretName, { description, value });
    return secretName;
  }

  /** Service hostnames in literal text → `${service.NAME.host}`. */
  private hostnames(text: string, key: string, path: YamlPath, whole: boolean): string {
    let out = text;
    const self = path[1];
    for (const [composeName, slug] of this.names) {
      if (composeName === self) continue;
      const ref = `\${service.${slug}.host}`;
      const esc = composeName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (whole && text === composeName) {
        if (/HOST|ADDR|SERVER|SERVICE|ENDPOINT|URL|URI|DSN|UPSTREAM|BACKEND/i.test(key)) return ref;
        this.warnValue(
          path,
          'compose-hostname',
          `"${text}" is also the name of service "${composeName}": if it is that service's hostname, write ${ref}; kept as literal text`,
        );
        return out;
      }
      out = out.replace(
        new RegExp(`(^|//|@)${esc}(?=[:/?#]|$)`, 'g'),
        (_m, lead: string) => `${lead}${ref}`,
      );
    }
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]+:[^/@\s]+@/i.test(text)) {
      this.warnValue(
        path,
        'compose-secret',
        'this URL carries a password: move the password to a secret (${secret.NAME}) before publishing',
      );
    }
    return out;
  }

  // -- ports ------------------------------------------------------------------------------------

  private ports(name: string, raw: unknown): Array<Record<string, unknown>> {
    if (!Array.isArray(raw)) return [];
    const out: Array<Record<string, unknown>> = [];
    let published = 0;
    raw.forEach((item, i) => {
      const path: YamlPath = ['services', name, 'ports', i];
      const parsed = isRecord(item)
        ? this.longPort(path, item)
        : this.shortPort(path, scalarString(item) ?? '');
      if (parsed === undefined) return;
      const port: Record<string, unknown> = {};
      if (parsed.name !== undefined) port.name = parsed.name;
      port.container = parsed.container;
      if (parsed.host !== undefined) {
        published++;
        const key =
          parsed.hostVar ??
          (published === 1
            ? `${envName(this.names.get(name) ?? name)}_PORT`
            : `${envName(this.names.get(name) ?? name)}_${parsed.container}_PORT`);
        if (!this.config.has(key)) {
          const entry: ConfigEntry = {
            type: 'port',
            description: `Host port for ${name} (container port ${parsed.container}/${parsed.protocol}).`,
          };
          if (parsed.host !== null) entry.default = parsed.host;
          else entry.required = true;
          this.config.set(key, entry);
        }
        port.host = `\${config.${key}}`;
      }
      if (parsed.protocol !== 'tcp') port.protocol = parsed.protocol;
      out.push(port);
    });
    return out;
  }

  private shortPort(path: YamlPath, spec: string): ParsedPort | undefined {
    // Variables are swapped for placeholders first: "${PORT:-8080}:80" holds colons of its own.
    const { parts, error } = parseInterpolation(spec);
    if (error !== undefined) {
      this.warnValue(path, 'compose-interpolation', `${error}; left out`);
      return undefined;
    }
    const vars: Array<InterpolationPart & { kind: 'var' }> = [];
    const masked = parts
      .map((p) => (p.kind === 'text' ? p.text : `\uE000${vars.push(p) - 1}\uE000`))
      .join('');
    const unmask = (s: string): string =>
      s.replace(
        /\uE000(\d+)\uE000/g,
        (_m, n: string) => interpolationDefault(vars[Number(n)]!, this.env) ?? '',
      );
    let body = masked;
    let protocol = 'tcp';
    const slash = body.lastIndexOf('/');
    if (slash !== -1) {
      protocol = unmask(body.slice(slash + 1));
      body = body.slice(0, slash);
    }
    let ip: string | undefined;
    if (body.startsWith('[')) {
      const end = body.indexOf(']');
      ip = body.slice(1, end);
      body = body.slice(end + 2);
    }
    const segs = body.split(':');
    if (ip === undefined && segs.length === 3) ip = segs.shift();
    const [hostSeg, containerSeg] = segs.length === 1 ? [undefined, segs[0]] : [segs[0], segs[1]];
    const hostVarMatch = hostSeg === undefined ? null : /^\uE000(\d+)\uE000$/.exec(hostSeg);
    const hostVar = hostVarMatch ? vars[Number(hostVarMatch[1])] : undefined;
    if (vars.length > (hostVar ? 1 : 0)) {
      this.warnValue(
        path,
        'compose-interpolation',
        `"${spec}" uses variables outside the host port; they became their defaults`,
      );
    }
    return this.portFrom(path, {
      ip: ip === undefined ? undefined : unmask(ip),
      host: hostSeg === undefined ? undefined : unmask(hostSeg),
      hostVar,
      container: unmask(containerSeg ?? ''),
      protocol,
      name: undefined,
      spec,
    });
  }

  private longPort(path: YamlPath, item: Record<string, unknown>): ParsedPort | undefined {
    for (const k of Object.keys(item)) {
      if (!['target', 'published', 'host_ip', 'protocol', 'name', 'mode'].includes(k))
        this.warn([...path, k], 'compose-unsupported', `port ${k} is not supported; left out`);
    }
    if (item.mode !== undefined && item.mode !== 'ingress' && item.mode !== 'host')
      this.warn([...path, 'mode'], 'compose-unsupported', 'port mode is not supported; left out');
    const publishedRaw = scalarString(item.published);
    let hostVar: (InterpolationPart & { kind: 'var' }) | undefined;
    let host = publishedRaw;
    if (publishedRaw !== undefined && publishedRaw.includes('$')) {
      const { parts } = parseInterpolation(publishedRaw);
      const only = parts.length === 1 ? parts[0] : undefined;
      if (only?.kind === 'var') hostVar = only;
      host = literalOf(publishedRaw, this.env);
    }
    const name = scalarString(item.name);
    return this.portFrom(path, {
      ip: scalarString(item.host_ip),
      host,
      hostVar,
      container: literalOf(scalarString(item.target) ?? '', this.env),
      protocol: scalarString(item.protocol) ?? 'tcp',
      name: name !== undefined && SLUG_PATTERN.test(name) ? name : undefined,
      spec: JSON.stringify(item),
    });
  }

  private portFrom(
    path: YamlPath,
    p: {
      ip: string | undefined;
      host: string | undefined;
      hostVar: (InterpolationPart & { kind: 'var' }) | undefined;
      container: string;
      protocol: string;
      name: string | undefined;
      spec: string;
    },
  ): ParsedPort | undefined {
    if (/-/.test(p.container) || (p.host !== undefined && /-/.test(p.host))) {
      this.warnValue(
        path,
        'compose-unsupported',
        `port ranges ("${p.spec}") are not supported: list each port; left out`,
      );
      return undefined;
    }
    const container = Number(p.container);
    if (!Number.isInteger(container) || container < 1 || container > 65535) {
      this.warnValue(
        path,
        'compose-unsupported',
        `"${p.spec}" has no valid container port; left out`,
      );
      return undefined;
    }
    if (p.protocol !== 'tcp' && p.protocol !== 'udp') {
      this.warnValue(
        path,
        'compose-unsupported',
        `protocol ${p.protocol} is not supported (tcp or udp); left out`,
      );
      return undefined;
    }
    if (p.ip !== undefined && p.ip !== '') {
      this.warnValue(
        path,
        'compose-changed',
        `the bind address ${p.ip} was dropped: the recipient's host profile decides which address ports are published on`,
      );
    }
    let host: number | null | undefined;
    if (p.host === undefined || p.host === '') {
      if (p.hostVar === undefined) {
        this.warnValue(
          path,
          'compose-changed',
          `Compose publishes container port ${container} on a random host port; ksad publishes fixed ports only, so it is left unpublished (other services still reach it)`,
        );
      }
      host = p.hostVar === undefined ? undefined : null;
    } else {
      host = Number(p.host);
      if (!Number.isInteger(host) || host < 1 || host > 65535) {
        this.warnValue(
          path,
          'compose-unsupported',
          `"${p.host}" is not a host port; left unpublished`,
        );
        host = undefined;
      }
    }
    const hostVar = p.hostVar?.name;
    return { container, host, hostVar, protocol: p.protocol, name: p.name };
  }

  // -- volumes ----------------------------------------------------------------------------------

  private volumes(name: string, raw: unknown): Array<Record<string, unknown>> {
    if (!Array.isArray(raw)) return [];
    const out: Array<Record<string, unknown>> = [];
    const topVolumes = isRecord(this.root.volumes) ? this.root.volumes : {};
    raw.forEach((item, i) => {
      const path: YamlPath = ['services', name, 'volumes', i];
      let type: string;
      let source: string | undefined;
      let target: string;
      let readOnly = false;
      if (isRecord(item)) {
        type = scalarString(item.type) ?? 'volume';
        source = scalarString(item.source);
        target = scalarString(item.target) ?? '';
        readOnly = item.read_only === true;
        for (const k of Object.keys(item)) {
          if (!['type', 'source', 'target', 'read_only'].includes(k))
            this.warn(
              [...path, k],
              'compose-unsupported',
              `volume ${k} is not supported; left out`,
            );
        }
      } else {
        const spec = scalarString(item) ?? '';
        const resolved = spec.includes('$') ? literalOf(spec, this.env) : spec;
        if (resolved !== spec)
          this.warnValue(
            path,
            'compose-interpolation',
            `"${spec}" uses variables; it became "${resolved}"`,
          );
        const segs = resolved.split(':');
        if (segs.length === 1) {
          target = segs[0] ?? '';
        } else {
          source = segs[0];
          target = segs[1] ?? '';
          for (const mode of (segs[2] ?? '').split(',').filter((m) => m !== '')) {
            if (mode === 'ro') readOnly = true;
            else if (mode !== 'rw')
              this.warnValue(
                path,
                'compose-unsupported',
                `volume option "${mode}" is not supported; left out`,
              );
          }
        }
        type = source !== undefined && /^(?:\/|\.\.?(?:\/|$)|~)/.test(source) ? 'bind' : 'volume';
      }
      if (type === 'bind') {
        const docker = source !== undefined && /(?:^|\/)docker\.sock$/.test(source);
        this.warnValue(
          path,
          'compose-unsupported',
          docker
            ? `mounts the Docker socket (${source ?? ''}): whoever controls the container would control the recipient's host; left out`
            : `bind mount of the host path ${source ?? ''} is not supported: a release owns its data in named volumes; put the files in the image, or use a named volume; left out`,
        );
        return;
      }
      if (type !== 'volume') {
        this.warnValue(path, 'compose-unsupported', `${type} mounts are not supported; left out`);
        return;
      }
      if (!target.startsWith('/')) {
        this.warnValue(
          path,
          'compose-unsupported',
          `"${target}" is not an absolute path in the container; left out`,
        );
        return;
      }
      let volName: string;
      if (source === undefined || source === '') {
        volName = toSlug(`${name}-${target}`);
        this.warnValue(
          path,
          'compose-changed',
          `the anonymous volume at ${target} became the named volume "${volName}", which the release keeps across upgrades`,
        );
      } else {
        volName = toSlug(source);
        if (volName !== source)
          this.warnValue(
            path,
            'compose-changed',
            `volume "${source}" was renamed "${volName}": ksad volume names are lower-case letters, digits and dashes`,
          );
        if (!Object.hasOwn(topVolumes, source))
          this.warnValue(
            path,
            'compose-changed',
            `volume "${source}" is not declared under the top-level "volumes"; it became a named volume of the release`,
          );
      }
      const v: Record<string, unknown> = { name: volName, path: target };
      if (readOnly) v.readOnly = true;
      out.push(v);
    });
    return out;
  }

  // -- healthcheck, depends_on, resources, restart, labels ---------------------------------------

  private healthcheck(name: string, raw: unknown): Record<string, unknown> | undefined {
    if (!isRecord(raw)) return undefined;
    const at = (k: string): YamlPath => ['services', name, 'healthcheck', k];
    if (raw.disable === true) return undefined;
    const test = raw.test;
    let cmd: string[] | undefined;
    if (typeof test === 'string') cmd = ['sh', '-c', test];
    else if (Array.isArray(test)) {
      const [kind, ...rest] = test.map((t) => scalarString(t) ?? '');
      if (kind === 'NONE') return undefined;
      if (kind === 'CMD') cmd = rest;
      else if (kind === 'CMD-SHELL') cmd = ['sh', '-c', rest.join(' ')];
      else
        this.warnValue(
          at('test'),
          'compose-unsupported',
          `a test list starts with CMD, CMD-SHELL or NONE, not "${kind ?? ''}"; the healthcheck was left out`,
        );
    }
    if (cmd === undefined || cmd.length === 0) {
      if (test === undefined)
        this.warn(
          ['services', name, 'healthcheck'],
          'compose-unsupported',
          'a healthcheck without "test" uses the image\'s own, which a manifest cannot name; left out',
        );
      return undefined;
    }
    const out: Record<string, unknown> = {
      test: cmd.map((c) => escapeRefs(literalOf(c, this.env))),
    };
    // Docker's defaults when Compose leaves a field out: kept so the app behaves the same.
    const durations: Array<[string, string, string]> = [
      ['interval', 'interval', '30s'],
      ['timeout', 'timeout', '30s'],
      ['start_period', 'startPeriod', '0s'],
    ];
    for (const [from, to, def] of durations) {
      const v = raw[from];
      const d =
        v === undefined ? def : convertDuration(literalOf(String(scalarString(v) ?? ''), this.env));
      if (d === undefined)
        this.warnValue(
          at(from),
          'compose-unsupported',
          `"${String(v)}" is not a duration; Docker's default ${def} was used`,
        );
      out[to] = d ?? def;
    }
    const retries = raw.retries === undefined ? 3 : Number(raw.retries);
    out.retries = Number.isInteger(retries) && retries >= 1 ? Math.min(retries, 100) : 3;
    for (const k of Object.keys(raw)) {
      if (!['test', 'interval', 'timeout', 'start_period', 'retries', 'disable'].includes(k))
        this.warn(at(k), 'compose-unsupported', `healthcheck ${k} is not supported; left out`);
    }
    return out;
  }

  private dependsOn(name: string, raw: unknown): Record<string, { condition: string }> {
    const out: Record<string, { condition: string }> = {};
    const services = this.root.services as Record<string, unknown>;
    const add = (dep: string, condition: string, path: YamlPath): void => {
      const target = this.names.get(dep);
      if (target === undefined) {
        this.warn(
          path,
          'compose-unsupported',
          `depends on "${dep}", which is not part of the draft; left out`,
        );
        return;
      }
      let cond = condition;
      if (cond === 'service_completed_successfully') {
        this.warn(
          path,
          'compose-changed',
          `waits for "${dep}" to complete successfully, which ksad cannot express: it became service_started; make "${dep}" idempotent or run it as part of the app's own start-up`,
        );
        cond = 'service_started';
      } else if (cond === 'service_healthy') {
        const t = services[dep];
        const hc = isRecord(t) ? t.healthcheck : undefined;
        if (!isRecord(hc) || hc.disable === true || hc.test === undefined) {
          this.warn(
            path,
            'compose-changed',
            `waits for "${dep}" to be healthy, but "${dep}" has no healthcheck of its own in the draft: it became service_started`,
          );
          cond = 'service_started';
        }
      } else if (cond !== 'service_started') {
        this.warn(
          path,
          'compose-unsupported',
          `condition "${cond}" is not known; service_started was used`,
        );
        cond = 'service_started';
      }
      out[target] = { condition: cond };
    };
    if (Array.isArray(raw))
      raw.forEach((d, i) =>
        add(scalarString(d) ?? '', 'service_started', ['services', name, 'depends_on', i]),
      );
    else if (isRecord(raw)) {
      for (const [dep, spec] of Object.entries(raw)) {
        const path: YamlPath = ['services', name, 'depends_on', dep];
        const condition = isRecord(spec)
          ? (scalarString(spec.condition) ?? 'service_started')
          : 'service_started';
        if (isRecord(spec)) {
          for (const k of Object.keys(spec))
            if (k !== 'condition')
              this.warn(
                [...path, k],
                'compose-unsupported',
                `depends_on ${k} is not supported; left out`,
              );
        }
        add(dep, condition, path);
      }
    }
    return out;
  }

  private resources(name: string, s: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const deploy = isRecord(s.deploy) ? s.deploy : {};
    const at = (...rest: string[]): YamlPath => ['services', name, ...rest];
    const limits =
      isRecord(deploy.resources) && isRecord(deploy.resources.limits)
        ? deploy.resources.limits
        : {};
    const cpuSources: Array<[unknown, YamlPath]> = [
      [limits.cpus, at('deploy', 'resources', 'limits', 'cpus')],
      [s.cpus, at('cpus')],
    ];
    for (const [v, path] of cpuSources) {
      if (v === undefined || out.cpus !== undefined) continue;
      const n = Number(literalOf(String(scalarString(v) ?? ''), this.env));
      if (Number.isFinite(n) && n > 0 && n <= 256) out.cpus = n;
      else
        this.warnValue(
          path,
          'compose-unsupported',
          `${JSON.stringify(v)} is not a CPU count; left out`,
        );
    }
    const memSources: Array<[unknown, YamlPath]> = [
      [limits.memory, at('deploy', 'resources', 'limits', 'memory')],
      [s.mem_limit, at('mem_limit')],
    ];
    for (const [v, path] of memSources) {
      if (v === undefined || out.memory !== undefined) continue;
      const m =
        typeof v === 'number'
          ? convertMemory(v)
          : convertMemory(literalOf(String(scalarString(v) ?? ''), this.env));
      if (m !== undefined) out.memory = m;
      else
        this.warnValue(
          path,
          'compose-unsupported',
          `${JSON.stringify(v)} is not a memory size; left out`,
        );
    }
    for (const k of Object.keys(deploy)) {
      if (k === 'resources' && isRecord(deploy.resources)) {
        for (const r of Object.keys(deploy.resources)) {
          if (r === 'limits') {
            for (const l of Object.keys(limits))
              if (l !== 'cpus' && l !== 'memory')
                this.warn(
                  at('deploy', 'resources', 'limits', l),
                  'compose-unsupported',
                  `limit ${l} is not supported; left out`,
                );
          } else
            this.warn(
              at('deploy', 'resources', r),
              'compose-unsupported',
              `resources ${r} are not supported: only limits (cpus, memory) are; left out`,
            );
        }
      } else if (k !== 'restart_policy') {
        this.warn(
          at('deploy', k),
          'compose-unsupported',
          `deploy ${k} is not supported: ksad runs one container per service; left out`,
        );
      }
    }
    return out;
  }

  private restart(name: string, s: Record<string, unknown>): string | undefined {
    const deploy = isRecord(s.deploy) ? s.deploy : {};
    const policy = isRecord(deploy.restart_policy) ? deploy.restart_policy : undefined;
    const raw = scalarString(s.restart);
    if (raw !== undefined) {
      const m = /^on-failure(?::(\d+))?$/.exec(raw);
      if (m) {
        if (m[1] !== undefined)
          this.warnValue(
            ['services', name, 'restart'],
            'compose-changed',
            `the retry limit ${m[1]} was dropped: ksad's on-failure retries without a limit`,
          );
        return 'on-failure';
      }
      if (['no', 'always', 'unless-stopped'].includes(raw)) return raw;
      this.warnValue(
        ['services', name, 'restart'],
        'compose-unsupported',
        `restart "${raw}" is not known; left out`,
      );
      return undefined;
    }
    if (policy !== undefined) {
      const cond = scalarString(policy.condition) ?? 'any';
      for (const k of Object.keys(policy)) {
        if (k !== 'condition')
          this.warn(
            ['services', name, 'deploy', 'restart_policy', k],
            'compose-unsupported',
            `restart_policy ${k} is not supported; left out`,
          );
      }
      return cond === 'none' ? 'no' : cond === 'on-failure' ? 'on-failure' : 'always';
    }
    return undefined;
  }

  private labels(name: string, raw: unknown): void {
    const labels: Record<string, string> = {};
    if (Array.isArray(raw)) {
      for (const item of raw) {
        const s = scalarString(item) ?? '';
        const eq = s.indexOf('=');
        labels[eq === -1 ? s : s.slice(0, eq)] = eq === -1 ? '' : s.slice(eq + 1);
      }
    } else if (isRecord(raw))
      for (const [k, v] of Object.entries(raw)) labels[k] = scalarString(v) ?? '';
    const others: string[] = [];
    for (const [k, v] of Object.entries(labels)) {
      if (k === 'org.opencontainers.image.licenses') this.licenseLabel ??= v;
      else if (k === 'org.opencontainers.image.source' || k === 'org.opencontainers.image.url')
        this.urlLabel ??= v;
      else if (k === 'org.opencontainers.image.title') this.titleLabel ??= v;
      else if (k === 'org.opencontainers.image.description') this.descriptionLabel ??= v;
      else others.push(k);
    }
    if (others.length > 0) {
      this.warn(
        ['services', name, 'labels'],
        'compose-unsupported',
        `labels (${others.join(', ')}) are not carried: ksad labels containers itself; left out`,
      );
    }
  }

  // -- the manifest -----------------------------------------------------------------------------

  private finish(): ComposeDraft {
    const meta = this.input.meta;
    const composeName = typeof this.root.name === 'string' ? toSlug(this.root.name) : undefined;
    const name = meta.name ?? composeName ?? (toSlug(this.input.fallbackName ?? '') || 'app');
    const title = meta.title ?? this.titleLabel ?? titleOf(name);
    const serviceNames = Object.keys(this.services);
    const short =
      meta.description ??
      this.descriptionLabel ??
      `${title}: aplikasi ${serviceNames.length} layanan (${serviceNames.join(', ')}) yang dipasang dengan ksad.`.slice(
        0,
        150,
      );
    if (meta.description === undefined && this.descriptionLabel === undefined) {
      this.decisions.push(
        'description.id.shortDescription was drafted from the title and services: say what the app does for a region (--description)',
      );
    }
    const license = meta.license ?? this.licenseLabel;
    const url = meta.url ?? this.urlLabel;
    const dimensions = meta.dimensions ?? [];
    if (license === undefined)
      this.decisions.push(
        'license: no --license and no org.opencontainers.image.licenses label; choose the SPDX license the app is granted under',
      );
    if (url === undefined)
      this.decisions.push(
        'url: no --url and no org.opencontainers.image.source label; give the source repository recipients can read',
      );
    if (dimensions.length === 0)
      this.decisions.push(
        `dimensions: choose the Smart City dimensions the app serves (--dimension ${SMART_CITY_DIMENSIONS.join('|')})`,
      );
    for (const [key, c] of this.config) {
      if (c.required === true)
        this.decisions.push(
          `config.${key} has no default: each region must set it (add a default if one fits every region)`,
        );
    }

    const manifest: Record<string, unknown> = {
      schemaVersion: 1,
      name,
      version: meta.version ?? '0.1.0',
      publisher: meta.publisher,
      title,
      description: { id: { shortDescription: short } },
    };
    if (dimensions.length > 0) manifest.dimensions = [...dimensions];
    if (meta.categories !== undefined && meta.categories.length > 0)
      manifest.categories = [...meta.categories];
    if (license !== undefined) manifest.license = license;
    if (url !== undefined) manifest.url = url;
    if (meta.releaseDate !== undefined) manifest.releaseDate = meta.releaseDate;
    manifest.maintenance = {
      type: meta.maintenance ?? 'internal',
      ...(meta.contacts && meta.contacts.length > 0
        ? { contacts: meta.contacts.map((c) => ({ ...c })) }
        : {}),
    };
    if (meta.requiresKsad !== undefined) manifest.requires = { ksad: meta.requiresKsad };
    if (this.config.size > 0) manifest.config = Object.fromEntries(this.config);
    if (this.secrets.size > 0) {
      manifest.secrets = Object.fromEntries(
        [...this.secrets].map(([k, v]) => [k, { description: v.description, source: 'generate' }]),
      );
    }
    manifest.services = this.services;
    return {
      manifest,
      diagnostics: sortDiagnostics(this.diagnostics),
      images: this.images,
      decisions: this.decisions,
    };
  }
}

interface ParsedPort {
  container: number;
  /** Host port; null when it comes from a variable without a default; undefined: unpublished. */
  host: number | null | undefined;
  hostVar: string | undefined;
  protocol: string;
  name: string | undefined;
}

function escapeRefs(text: string): string {
  return text.replace(/\$\{/g, () => '$${');
}

function inferType(name: string, def: string | undefined): ConfigEntry['type'] {
  if (def === undefined) return /PORT$/i.test(name) ? 'port' : 'string';
  if (/^\d+$/.test(def)) {
    const n = Number(def);
    return /PORT$/i.test(name) && n >= 1 && n <= 65535 ? 'port' : 'integer';
  }
  if (/^-\d+$/.test(def)) return 'integer';
  if (/^(?:true|false)$/i.test(def)) return 'boolean';
  return 'string';
}

function typed(type: ConfigEntry['type'], def: string): string | number | boolean {
  if (type === 'port' || type === 'integer') return Number(def);
  if (type === 'boolean') return def.toLowerCase() === 'true';
  return def;
}

/**
 * Pins the draft's images with the digests found (`service → repository@sha256:…`); every image
 * left on a tag is reported as a warning at its place in the compose file, and listed.
 */
export function pinImages(
  draft: ComposeDraft,
  file: string,
  resolved: Readonly<Record<string, string>>,
  failures: Readonly<Record<string, string>>,
): { draft: ComposeDraft; unpinned: Array<{ service: string; image: string; reason: string }> } {
  const services = draft.manifest.services as Record<string, Record<string, unknown>>;
  const unpinned: Array<{ service: string; image: string; reason: string }> = [];
  const diagnostics = [...draft.diagnostics];
  const decisions = [...draft.decisions];
  for (const img of draft.images) {
    const service = services[img.service];
    if (!service) continue;
    const pinned = resolved[img.service];
    if (pinned !== undefined) {
      service.image = pinned;
      continue;
    }
    const reason = failures[img.service] ?? 'not resolved';
    unpinned.push({ service: img.service, image: img.image, reason });
    diagnostics.push({
      file,
      line: img.line,
      col: img.col,
      severity: 'warning',
      path: `services.${img.service}.image`,
      message: `"${img.image}" is still to pin (${reason}): the draft keeps the tag, which manifest lint rejects; pin it as repository@sha256:<digest>`,
      rule: 'image-not-pinned',
    });
    decisions.push(`services.${img.service}.image: pin "${img.image}" by digest`);
  }
  return { draft: { ...draft, diagnostics, decisions }, unpinned };
}
