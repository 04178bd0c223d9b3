import type { YamlPath } from '../yaml-doc.js';
import { looksSecret } from './credentials.js';
import {
  interpolationDefault,
  parseInterpolation,
  type InterpolationPart,
} from './interpolation.js';
import { escapeRefs, inferType, typed } from './parsers.js';
import type { ConfigEntry, ImportContext } from './types.js';

/** A placeholder for the n-th variable of a value while its literal text is rewritten. */
const mark = (n: number): string => `\uE000${n}\uE000`;
const MARK = /\uE000(\d+)\uE000/g;

/** Where a value sits, e.g. `services.web.environment.DB_PASSWORD`. */
export function whereOf(path: YamlPath): string {
  return path.map(String).join('.');
}

/**
 * A compose string → a manifest string: variables become `${config.VAR}` / `${secret.VAR}`,
 * credentials become the generated secret of their group (`ctx.credentials`), service hostnames
 * `${service.NAME.host}` where they stand as hosts, and a literal `${` is escaped as `$${`.
 * `credential` says the value sits where a credential goes (by its name or its image).
 */
export function referenceValue(
  ctx: ImportContext,
  service: string,
  path: YamlPath,
  key: string,
  value: string,
  opts: { hostnames: boolean; credential?: boolean; where?: string },
): string {
  const parsed = parseInterpolation(value);
  if (parsed.error !== undefined) return escapeRefs(value);
  const where = opts.where ?? whereOf(path);
  const credentialKey = opts.credential ?? looksSecret(key);
  const hasVars = parsed.parts.some((p) => p.kind === 'var');
  if (!hasVars && credentialKey && value !== '') {
    const secret = ctx.credentials.secretAt(where, key) ?? ctx.credentials.secretOfValue(value);
    if (secret !== undefined) return literalCredential(ctx, path, key, secret, where);
  }
  const refs: string[] = [];
  let masked = '';
  for (const part of parsed.parts) {
    if (part.kind === 'text') masked += escapeRefs(part.text);
    else {
      masked += mark(refs.length);
      refs.push(variableRef(ctx, part, { where, path, key, credentialKey, parsed }));
    }
  }
  let text = opts.hostnames
    ? hostnames(ctx, masked, key, path, service, parsed.parts.length === 1)
    : masked;
  text = urlPasswords(ctx, text, path, where);
  text = credentialArgument(ctx, text, path, opts.hostnames);
  return text.replace(MARK, (_m, n: string) => refs[Number(n)] ?? '');
}

function literalCredential(
  ctx: ImportContext,
  path: YamlPath,
  key: string,
  secret: string,
  where: string,
): string {
  if (!ctx.secrets.has(secret)) {
    ctx.secrets.set(secret, {
      description: `Credential ${key} (from ${where} in the Compose file), generated at first install.`,
      value: undefined,
    });
  }
  ctx.warnValue(
    path,
    'compose-secret',
    `the literal value of ${key} is a credential: it became \${secret.${secret}}, generated at install`,
  );
  return `\${secret.${secret}}`;
}

function variableRef(
  ctx: ImportContext,
  part: InterpolationPart & { kind: 'var' },
  at: {
    where: string;
    path: YamlPath;
    key: string;
    credentialKey: boolean;
    parsed: { parts: InterpolationPart[] };
  },
): string {
  const { where, path } = at;
  if (part.modifier === ':+' || part.modifier === '+') {
    const alt = interpolationDefault(part, ctx.env) ?? '';
    ctx.warnValue(
      path,
      'compose-interpolation',
      `"\${${part.name}${part.modifier}${part.argument}}" (alternative value) has no manifest equivalent; it became "${alt}", what Compose gives with the .env it was read with`,
    );
    return escapeRefs(alt);
  }
  const secret = ctx.credentials.secretAt(where, at.key, part.name);
  if (
    secret !== undefined &&
    (looksSecret(part.name) || (at.credentialKey && at.parsed.parts.length === 1))
  ) {
    if (!ctx.secrets.has(secret)) {
      ctx.secrets.set(secret, {
        description: `Secret ${part.name} (from ${where} in the Compose file), generated at first install.`,
        value: undefined,
      });
    }
    if (interpolationDefault(part, ctx.env) !== undefined) {
      ctx.warnValue(
        path,
        'compose-secret',
        `\${${part.name}} is a credential: it became \${secret.${secret}}, generated at install; its default value was dropped`,
      );
    }
    return `\${secret.${secret}}`;
  }
  return `\${config.${configFromVar(ctx, part, where, path)}}`;
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

/** `scheme://[user[:password]@]host[:port][,host[:port]…][/path…]`, variables masked. */
const URL_PATTERN = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is;

/** The host of `host`, `host:port` or `[v6]:port`, with what follows it. */
function splitHostPort(hostport: string): { host: string; rest: string } {
  const colon = hostport.indexOf(':');
  return colon === -1
    ? { host: hostport, rest: '' }
    : { host: hostport.slice(0, colon), rest: hostport.slice(colon) };
}

/**
 * Service names in host positions → `${service.NAME.host}`: the host part of a URL (never its
 * scheme, user, path or query: `redis://redis:6379/1` keeps its scheme), every host of a
 * comma-separated list (`mongodb://a:27017,b:27017`), or a whole value `db` / `db:5432`.
 */
export function hostnames(
  ctx: ImportContext,
  text: string,
  key: string,
  path: YamlPath,
  self: string,
  whole: boolean,
): string {
  const refOf = (host: string): string | undefined => {
    if (host === self) return undefined;
    const slug = ctx.names.get(host);
    return slug === undefined ? undefined : `\${service.${slug}.host}`;
  };
  const url = URL_PATTERN.exec(text);
  if (url) {
    const [, scheme = '', authority = '', tail = ''] = url;
    const at = authority.lastIndexOf('@');
    const userinfo = at === -1 ? '' : authority.slice(0, at + 1);
    const hosts = (at === -1 ? authority : authority.slice(at + 1)).split(',').map((hp) => {
      const { host, rest } = splitHostPort(hp);
      return (refOf(host) ?? host) + rest;
    });
    return `${scheme}${userinfo}${hosts.join(',')}${tail}`;
  }
  const { host, rest } = splitHostPort(text);
  const ref = refOf(host);
  if (ref === undefined) return text;
  if (rest !== '' && /^:\d+(?:\/.*)?$/.test(rest)) return ref + rest;
  if (whole && rest === '') {
    if (/HOST|ADDR|SERVER|SERVICE|ENDPOINT|URL|URI|DSN|UPSTREAM|BACKEND/i.test(key)) return ref;
    ctx.warnValue(
      path,
      'compose-hostname',
      `"${text}" is also the name of service "${host}": if it is that service's hostname, write ${ref}; kept as literal text`,
    );
  }
  return text;
}

/**
 * The password of a URL's userinfo (`postgres://app:s3cret@db/app`) → the secret of the same
 * credential elsewhere, or a secret of its own; a password from a variable is handled as one.
 */
function urlPasswords(ctx: ImportContext, text: string, path: YamlPath, where: string): string {
  const url = /^([a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:)([^/@\s]+)(@.*)$/is.exec(text);
  if (!url) return text;
  const [, head = '', password = '', tail = ''] = url;
  if (/^\uE000\d+\uE000$/.test(password)) return text;
  if (password.includes('\uE000')) return text;
  const secret =
    ctx.credentials.secretAt(where, 'url-password') ?? ctx.credentials.secretOfValue(password);
  if (secret === undefined) return text;
  if (!ctx.secrets.has(secret)) {
    ctx.secrets.set(secret, {
      description: `The password of the URL at ${where} in the Compose file, generated at first install.`,
      value: undefined,
    });
  }
  ctx.warnValue(
    path,
    'compose-secret',
    `the password in this URL became \${secret.${secret}}, generated at install`,
  );
  return `${head}\${secret.${secret}}${tail}`;
}

/**
 * A command argument that is a known credential's literal value (`--requirepass s3cret`,
 * `--password=s3cret`) → its secret; any other text still holding one is warned about, since the
 * generated secret will not match the literal left there.
 */
function credentialArgument(
  ctx: ImportContext,
  text: string,
  path: YamlPath,
  inEnvironment: boolean,
): string {
  for (const { value, secret } of ctx.credentials.literalValues()) {
    if (!text.includes(value)) continue;
    // A user name that equals the password (postgres/postgres) is not the password's place.
    if (inEnvironment && text === value) continue;
    if (!inEnvironment && text === value) return `\${secret.${secret}}`;
    if (!inEnvironment && text.endsWith(`=${value}`))
      return `${text.slice(0, -value.length)}\${secret.${secret}}`;
    ctx.warnValue(
      path,
      'compose-secret',
      `holds the literal value of the credential \${secret.${secret}}, which is generated at install: write \${secret.${secret}} in its place, or the two will not match`,
    );
  }
  return text;
}
