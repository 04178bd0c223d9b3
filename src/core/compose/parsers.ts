import type { ConfigEntry } from './types.js';

// Small parsers and helpers of the compose import; pure, no state.

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

/** `web-api` → `WEB_API`. */
export function envName(service: string): string {
  return service.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

export function toSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

export function titleOf(slug: string): string {
  return slug
    .split('-')
    .filter((w) => w !== '')
    .map((w) => (w[0] ?? '').toUpperCase() + w.slice(1))
    .join(' ');
}

/** Resolves YAML merge keys (`<<: *defaults`), which the YAML 1.2 core schema leaves as plain keys. */
export function resolveMerges(value: unknown): unknown {
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

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function scalarString(v: unknown): string | undefined {
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

/**
 * The files of a service's `env_file` (one entry, or a list of paths and `{path, required}`),
 * each with its place in the list (null when `env_file` is a single entry) and whether it must
 * exist; entries without a path are left out.
 */
export function envFileItems(
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

export function escapeRefs(text: string): string {
  return text.replace(/\$\{/g, () => '$${');
}

export function inferType(name: string, def: string | undefined): ConfigEntry['type'] {
  if (def === undefined) return /PORT$/i.test(name) ? 'port' : 'string';
  if (/^\d+$/.test(def)) {
    const n = Number(def);
    return /PORT$/i.test(name) && n >= 1 && n <= 65535 ? 'port' : 'integer';
  }
  if (/^-\d+$/.test(def)) return 'integer';
  if (/^(?:true|false)$/i.test(def)) return 'boolean';
  return 'string';
}

export function typed(type: ConfigEntry['type'], def: string): string | number | boolean {
  if (type === 'port' || type === 'integer') return Number(def);
  if (type === 'boolean') return def.toLowerCase() === 'true';
  return def;
}
