/**
 * The one reference syntax in manifest values. No code runs: a reference is a lookup.
 *
 *   ${config.KEY}          a config value (after overlays)
 *   ${secret.NAME}         a secret value (never printed)
 *   ${service.NAME.host}   the DNS name of another service on the release network
 *   ${release.name}        the release (app) name
 *   ${region.code}         the host's region code; ${region.name} its name
 *   $${                    a literal "${"
 */
export type Reference =
  | { kind: 'config'; key: string }
  | { kind: 'secret'; name: string }
  | { kind: 'service'; service: string; field: 'host' }
  | { kind: 'release'; field: 'name' }
  | { kind: 'region'; field: 'code' | 'name' };

export interface ReferenceToken {
  raw: string;
  /** Offset of `${` in the string. */
  offset: number;
  ref: Reference | null;
  /** Why `ref` is null. */
  error?: string;
}

const TOKEN = /\$?\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SLUG = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export function parseReference(body: string): { ref: Reference } | { error: string } {
  const parts = body.split('.');
  const [kind, a, b] = parts;
  if (kind === 'config' && parts.length === 2 && a !== undefined && NAME.test(a))
    return { ref: { kind, key: a } };
  if (kind === 'secret' && parts.length === 2 && a !== undefined && NAME.test(a))
    return { ref: { kind, name: a } };
  if (kind === 'service' && parts.length === 3 && a !== undefined && SLUG.test(a) && b === 'host')
    return { ref: { kind, service: a, field: 'host' } };
  if (kind === 'release' && parts.length === 2 && a === 'name')
    return { ref: { kind, field: 'name' } };
  if (kind === 'region' && parts.length === 2 && (a === 'code' || a === 'name'))
    return { ref: { kind, field: a } };
  return {
    error: `unknown reference "\${${body}}": use \${config.KEY}, \${secret.NAME}, \${service.NAME.host}, \${release.name}, \${region.code} or \${region.name}`,
  };
}

/** Every `${…}` in a value, escapes (`$${`) skipped. */
export function scanReferences(value: string): ReferenceToken[] {
  const tokens: ReferenceToken[] = [];
  for (const m of value.matchAll(TOKEN)) {
    if (m[0].startsWith('$$')) continue;
    const parsed = parseReference(m[1] ?? '');
    tokens.push(
      'ref' in parsed
        ? { raw: m[0], offset: m.index, ref: parsed.ref }
        : { raw: m[0], offset: m.index, ref: null, error: parsed.error },
    );
  }
  return tokens;
}

/**
 * Replaces every reference using `lookup`; `$${` becomes `${`. `lookup` returns undefined for a
 * value that is not available, which is reported through `onMissing` and leaves '' in place.
 */
export function interpolate(
  value: string,
  lookup: (ref: Reference) => string | undefined,
  onMissing: (raw: string, reason: string) => void,
): string {
  return value.replace(TOKEN, (raw: string, body: string) => {
    if (raw.startsWith('$$')) return raw.slice(1);
    const parsed = parseReference(body);
    if ('error' in parsed) {
      onMissing(raw, parsed.error);
      return '';
    }
    const v = lookup(parsed.ref);
    if (v === undefined) {
      onMissing(raw, `no value for ${raw}`);
      return '';
    }
    return v;
  });
}
