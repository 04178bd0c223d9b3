import { SLUG_PATTERN } from '../schema/index.js';
import type { YamlPath } from '../yaml-doc.js';
import {
  interpolationDefault,
  literalOf,
  parseInterpolation,
  type InterpolationPart,
} from './interpolation.js';
import { envName, isRecord, scalarString } from './parsers.js';
import type { ConfigEntry, ImportContext, ParsedPort } from './types.js';

// -- ports ------------------------------------------------------------------------------------

export function ports(
  ctx: ImportContext,
  name: string,
  raw: unknown,
): Array<Record<string, unknown>> {
  if (!Array.isArray(raw)) return [];
  const out: Array<Record<string, unknown>> = [];
  let published = 0;
  raw.forEach((item, i) => {
    const path: YamlPath = ['services', name, 'ports', i];
    const parsed = isRecord(item)
      ? longPort(ctx, path, item)
      : shortPort(ctx, path, scalarString(item) ?? '');
    if (parsed === undefined) return;
    const port: Record<string, unknown> = {};
    if (parsed.name !== undefined) port.name = parsed.name;
    port.container = parsed.container;
    if (parsed.host !== undefined) {
      published++;
      const key =
        parsed.hostVar ??
        (published === 1
          ? `${envName(ctx.names.get(name) ?? name)}_PORT`
          : `${envName(ctx.names.get(name) ?? name)}_${parsed.container}_PORT`);
      if (!ctx.config.has(key)) {
        const entry: ConfigEntry = {
          type: 'port',
          description: `Host port for ${name} (container port ${parsed.container}/${parsed.protocol}).`,
        };
        if (parsed.host !== null) entry.default = parsed.host;
        else entry.required = true;
        ctx.config.set(key, entry);
      }
      port.host = `\${config.${key}}`;
    }
    if (parsed.protocol !== 'tcp') port.protocol = parsed.protocol;
    out.push(port);
  });
  return out;
}

export function shortPort(
  ctx: ImportContext,
  path: YamlPath,
  spec: string,
): ParsedPort | undefined {
  // Variables are swapped for placeholders first: "${PORT:-8080}:80" holds colons of its own.
  const { parts, error } = parseInterpolation(spec);
  if (error !== undefined) {
    ctx.warnValue(path, 'compose-interpolation', `${error}; left out`);
    return undefined;
  }
  const vars: Array<InterpolationPart & { kind: 'var' }> = [];
  const masked = parts
    .map((p) => (p.kind === 'text' ? p.text : `\uE000${vars.push(p) - 1}\uE000`))
    .join('');
  const unmask = (s: string): string =>
    s.replace(
      /\uE000(\d+)\uE000/g,
      (_m, n: string) => interpolationDefault(vars[Number(n)]!, ctx.env) ?? '',
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
    ctx.warnValue(
      path,
      'compose-interpolation',
      `"${spec}" uses variables outside the host port; they became their defaults`,
    );
  }
  return portFrom(ctx, path, {
    ip: ip === undefined ? undefined : unmask(ip),
    host: hostSeg === undefined ? undefined : unmask(hostSeg),
    hostVar,
    container: unmask(containerSeg ?? ''),
    protocol,
    name: undefined,
    spec,
  });
}

export function longPort(
  ctx: ImportContext,
  path: YamlPath,
  item: Record<string, unknown>,
): ParsedPort | undefined {
  for (const k of Object.keys(item)) {
    if (!['target', 'published', 'host_ip', 'protocol', 'name', 'mode'].includes(k))
      ctx.warn([...path, k], 'compose-unsupported', `port ${k} is not supported; left out`);
  }
  if (item.mode !== undefined && item.mode !== 'ingress' && item.mode !== 'host')
    ctx.warn([...path, 'mode'], 'compose-unsupported', 'port mode is not supported; left out');
  const publishedRaw = scalarString(item.published);
  let hostVar: (InterpolationPart & { kind: 'var' }) | undefined;
  let host = publishedRaw;
  if (publishedRaw !== undefined && publishedRaw.includes('$')) {
    const { parts } = parseInterpolation(publishedRaw);
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only?.kind === 'var') hostVar = only;
    host = literalOf(publishedRaw, ctx.env);
  }
  const name = scalarString(item.name);
  return portFrom(ctx, path, {
    ip: scalarString(item.host_ip),
    host,
    hostVar,
    container: literalOf(scalarString(item.target) ?? '', ctx.env),
    protocol: scalarString(item.protocol) ?? 'tcp',
    name: name !== undefined && SLUG_PATTERN.test(name) ? name : undefined,
    spec: JSON.stringify(item),
  });
}

export function portFrom(
  ctx: ImportContext,
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
    ctx.warnValue(
      path,
      'compose-unsupported',
      `port ranges ("${p.spec}") are not supported: list each port; left out`,
    );
    return undefined;
  }
  const container = Number(p.container);
  if (!Number.isInteger(container) || container < 1 || container > 65535) {
    ctx.warnValue(path, 'compose-unsupported', `"${p.spec}" has no valid container port; left out`);
    return undefined;
  }
  if (p.protocol !== 'tcp' && p.protocol !== 'udp') {
    ctx.warnValue(
      path,
      'compose-unsupported',
      `protocol ${p.protocol} is not supported (tcp or udp); left out`,
    );
    return undefined;
  }
  if (p.ip !== undefined && p.ip !== '') {
    ctx.warnValue(
      path,
      'compose-changed',
      `the bind address ${p.ip} was dropped: the recipient's host profile decides which address ports are published on`,
    );
  }
  let host: number | null | undefined;
  if (p.host === undefined || p.host === '') {
    if (p.hostVar === undefined) {
      ctx.warnValue(
        path,
        'compose-changed',
        `Compose publishes container port ${container} on a random host port; ksad publishes fixed ports only, so it is left unpublished (other services still reach it)`,
      );
    }
    host = p.hostVar === undefined ? undefined : null;
  } else {
    host = Number(p.host);
    if (!Number.isInteger(host) || host < 1 || host > 65535) {
      ctx.warnValue(
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
