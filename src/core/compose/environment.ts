import type { YamlPath } from '../yaml-doc.js';
import { knownCredential, looksSecret, type CredentialPool } from './credentials.js';
import { interpolationDefault, parseInterpolation } from './interpolation.js';
import { envFileItems, isRecord, parseEnvFile, scalarString, shellSplit } from './parsers.js';
import { referenceValue, whereOf } from './references.js';
import type { ImportContext } from './types.js';

/** One environment variable of a service, from its env_file or its `environment`. */
export interface EnvEntry {
  key: string;
  /** null: `KEY` alone, the value comes from the shell that runs compose. */
  value: string | null;
  path: YamlPath;
  /** The place the credential pool knows it by (the env_file line's variable, or `environment`). */
  where: string;
}

/** A service's variables in Compose's order: env_file entries first, `environment` over them. */
export function collectEnv(
  ctx: Pick<ImportContext, 'input'>,
  name: string,
  s: Record<string, unknown>,
  warnValue: ImportContext['warnValue'],
): EnvEntry[] {
  const entries: EnvEntry[] = [];
  for (const { file, index, required } of envFileItems(s.env_file)) {
    const path: YamlPath =
      index === null ? ['services', name, 'env_file'] : ['services', name, 'env_file', index];
    const text = ctx.input.envFiles?.[file];
    if (text === undefined || text === null) {
      if (required)
        warnValue(
          path,
          'compose-env-file',
          `env file ${file} cannot be read: its variables are missing from the draft`,
        );
      continue;
    }
    for (const e of parseEnvFile(text))
      entries.push({
        key: e.key,
        value: e.value,
        path,
        where: `services.${name}.env_file(${file}).${e.key}`,
      });
  }
  const env = s.environment;
  if (Array.isArray(env)) {
    env.forEach((item, i) => {
      const str = scalarString(item) ?? '';
      const eq = str.indexOf('=');
      const path: YamlPath = ['services', name, 'environment', i];
      entries.push({
        key: eq === -1 ? str : str.slice(0, eq),
        value: eq === -1 ? null : str.slice(eq + 1),
        path,
        where: whereOf(path),
      });
    });
  } else if (isRecord(env)) {
    for (const [k, v] of Object.entries(env)) {
      const path: YamlPath = ['services', name, 'environment', k];
      entries.push({
        key: k,
        value: v === null ? null : (scalarString(v) ?? ''),
        path,
        where: whereOf(path),
      });
    }
  }
  return entries;
}

/**
 * Registers every credential a service's environment holds, before any is written, so that the
 * pool can join the ones that are the same credential across services.
 */
export function registerCredentials(
  pool: CredentialPool,
  env: Readonly<Record<string, string>>,
  image: string,
  entries: readonly EnvEntry[],
): void {
  for (const e of entries) {
    const value = e.value ?? `\${${e.key}}`;
    const { parts, error } = parseInterpolation(value);
    if (error !== undefined) continue;
    const credentialKey = looksSecret(e.key) || knownCredential(image, e.key);
    const vars = parts.filter((p) => p.kind === 'var');
    if (vars.length === 0) {
      if (credentialKey && value !== '') pool.add({ where: e.where, key: e.key, value });
      const url = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:([^/@\s]+)@/i.exec(value);
      if (url?.[1] !== undefined) pool.add({ where: e.where, key: 'url-password', value: url[1] });
      continue;
    }
    for (const p of vars) {
      if (!(looksSecret(p.name) || (credentialKey && parts.length === 1))) continue;
      pool.add({
        where: e.where,
        key: e.key,
        variable: p.name,
        value: interpolationDefault(p, env),
      });
    }
  }
}

export function environment(
  ctx: ImportContext,
  name: string,
  s: Record<string, unknown>,
  image: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of collectEnv(ctx, name, s, (...a) => ctx.warnValue(...a))) {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(e.key)) {
      ctx.warnValue(e.path, 'compose-unsupported', `"${e.key}" is not a variable name; left out`);
      continue;
    }
    // `KEY` alone takes the value from the shell that runs compose: a setting the region gives.
    const value = e.value ?? `\${${e.key}}`;
    out[e.key] = referenceValue(ctx, name, e.path, e.key, value, {
      hostnames: true,
      credential: looksSecret(e.key) || knownCredential(image, e.key),
      where: e.where,
    });
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
      { hostnames: false, credential: false },
    ),
  );
}
