import type { YamlPath } from '../yaml-doc.js';
import { looksSecret } from './credentials.js';
import {
  interpolationDefault,
  parseInterpolation,
  type InterpolationPart,
} from './interpolation.js';
import {
  envFileItems,
  escapeRefs,
  inferType,
  isRecord,
  parseEnvFile,
  scalarString,
  shellSplit,
  typed,
} from './parsers.js';
import type { ConfigEntry, ImportContext } from './types.js';

// -- environment ------------------------------------------------------------------------------

export function environment(
  ctx: ImportContext,
  name: string,
  s: Record<string, unknown>,
): Record<string, string> {
  const entries: Array<{ key: string; value: string | null; path: YamlPath }> = [];
  for (const { file, index, required } of envFileItems(s.env_file)) {
    const path: YamlPath =
      index === null ? ['services', name, 'env_file'] : ['services', name, 'env_file', index];
    const text = ctx.input.envFiles?.[file];
    if (text === undefined || text === null) {
      if (required)
        ctx.warnValue(
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
      ctx.warnValue(e.path, 'compose-unsupported', `"${e.key}" is not a variable name; left out`);
      continue;
    }
    // `KEY` alone takes the value from the shell that runs compose: a setting the region gives.
    const value = e.value ?? `\${${e.key}}`;
    out[e.key] = referenceValue(ctx, name, e.path, e.key, value, { hostnames: true });
  }
  return out;
}

/**
 * A compose string → a manifest string: variables become `${config.VAR}` / `${secret.VAR}`,
 * literal credentials become generated secrets, service hostnames `${service.NAME.host}`, and a
 * literal `${` is escaped as `$${`.
 */
export function referenceValue(
  ctx: ImportContext,
  service: string,
  path: YamlPath,
  key: string,
  value: string,
  opts: { hostnames: boolean },
): string {
  const parsed = parseInterpolation(value);
  if (parsed.error !== undefined) {
    ctx.warnValue(path, 'compose-interpolation', `${parsed.error}; kept as literal text`);
    return escapeRefs(value);
  }
  const where = path.map(String).join('.');
  const hasVars = parsed.parts.some((p) => p.kind === 'var');
  if (!hasVars && looksSecret(key) && value !== '') {
    const secret = draftSecret(
      ctx,
      key,
      value,
      `Credential ${key} (from ${where} in the Compose file), generated at first install.`,
    );
    ctx.warnValue(
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
        ? hostnames(ctx, escapeRefs(part.text), key, path, parsed.parts.length === 1)
        : escapeRefs(part.text);
      continue;
    }
    if (part.modifier === ':+' || part.modifier === '+') {
      const alt = interpolationDefault(part, ctx.env) ?? '';
      ctx.warnValue(
        path,
        'compose-interpolation',
        `"\${${part.name}${part.modifier}${part.argument}}" (alternative value) has no manifest equivalent; it became "${alt}"`,
      );
      out += escapeRefs(alt);
      continue;
    }
    if (looksSecret(part.name) || (looksSecret(key) && parsed.parts.length === 1)) {
      const secretName = draftSecret(
        ctx,
        part.name,
        undefined,
        `Secret ${part.name} (from ${where} in the Compose file), generated at first install.`,
      );
      if (interpolationDefault(part, ctx.env) !== undefined) {
        ctx.warnValue(
          path,
          'compose-secret',
          `\${${part.name}} is a credential: it became \${secret.${secretName}}, generated at install; its default value was dropped`,
        );
      }
      out += `\${secret.${secretName}}`;
      continue;
    }
    out += `\${config.${configFromVar(ctx, part, where, path)}}`;
  }
  return out;
}

export function configFromVar(
  ctx: ImportContext,
  part: InterpolationPart & { kind: 'var' },
  where: string,
  path: YamlPath,
  type?: ConfigEntry['type'],
): string {
  const def = interpolationDefault(part, ctx.env);
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
  const existing = ctx.config.get(part.name);
  if (existing === undefined) ctx.config.set(part.name, entry);
  else if (existing.default !== entry.default && entry.default !== undefined) {
    ctx.warnValue(
      path,
      'compose-interpolation',
      `\${${part.name}} has another default elsewhere (${JSON.stringify(existing.default)}); the first one was kept`,
    );
  }
  return part.name;
}

export function draftSecret(
  ctx: ImportContext,
  name: string,
  value: string | undefined,
  description: string,
): string {
  let secretName = name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  const existing = ctx.secrets.get(secretName);
  if (existing !== undefined && existing.value !== value) {
    // Same name, other literal: two distinct credentials.
    let n = 2;
    while (ctx.secrets.has(`${secretName}_${n}`)) n++;
    secretName = `${secretName}_${n}`;
  }
  if (!ctx.secrets.has(secretName)) ctx.secrets.set(secretName, { description, value });
  return secretName;
}

/** Service hostnames in literal text → `${service.NAME.host}`. */
export function hostnames(
  ctx: ImportContext,
  text: string,
  key: string,
  path: YamlPath,
  whole: boolean,
): string {
  let out = text;
  const self = path[1];
  for (const [composeName, slug] of ctx.names) {
    if (composeName === self) continue;
    const ref = `\${service.${slug}.host}`;
    const esc = composeName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (whole && text === composeName) {
      if (/HOST|ADDR|SERVER|SERVICE|ENDPOINT|URL|URI|DSN|UPSTREAM|BACKEND/i.test(key)) return ref;
      ctx.warnValue(
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
    ctx.warnValue(
      path,
      'compose-secret',
      'this URL carries a password: move the password to a secret (${secret.NAME}) before publishing',
    );
  }
  return out;
}

export function commandLike(
  ctx: ImportContext,
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
      ctx.warnValue(path, 'compose-unsupported', `${split.error}; left out`);
      return undefined;
    }
    args = split.args;
  } else if (Array.isArray(raw)) {
    args = raw.map((a) => scalarString(a) ?? '');
  } else {
    ctx.warnValue(path, 'compose-unsupported', 'must be a string or a list; left out');
    return undefined;
  }
  return args.map((a, i) =>
    referenceValue(
      ctx,
      name,
      [...path, ...(typeof raw === 'string' ? [] : [i])],
      key.toUpperCase(),
      a,
      { hostnames: false },
    ),
  );
}
