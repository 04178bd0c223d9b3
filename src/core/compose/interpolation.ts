// Interpolation (compose-spec): $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err},
// ${VAR?err}, ${VAR:+alt}, ${VAR+alt}, and $$ for a literal $.

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

/**
 * The value Compose gives one variable with `env` (the project's `.env`), by the compose-spec's
 * rules; `undefined` when Compose has none: unset without a default, or `:?`/`?` unmet.
 *
 * | form          | unset    | set, empty | set        |
 * | ------------- | -------- | ---------- | ---------- |
 * | `${V}`        | none     | ''         | value      |
 * | `${V:-d}`     | d        | d          | value      |
 * | `${V-d}`      | d        | ''         | value      |
 * | `${V:?e}`     | error    | error      | value      |
 * | `${V?e}`      | error    | ''         | value      |
 * | `${V:+a}`     | ''       | ''         | a          |
 * | `${V+a}`      | ''       | a          | a          |
 *
 * Defaults, alternatives and messages are templates themselves (`${A:-${B}}`).
 */
export function interpolationDefault(
  part: InterpolationPart & { kind: 'var' },
  env: Readonly<Record<string, string>> = {},
): string | undefined {
  const set = env[part.name];
  const nonEmpty = set !== undefined && set !== '';
  switch (part.modifier) {
    case null:
      return set;
    case ':-':
      return nonEmpty ? set : literalOf(part.argument, env);
    case '-':
      return set ?? literalOf(part.argument, env);
    case ':?':
      return nonEmpty ? set : undefined;
    case '?':
      return set;
    case ':+':
      return nonEmpty ? literalOf(part.argument, env) : '';
    case '+':
      return set !== undefined ? literalOf(part.argument, env) : '';
  }
}

/** A compose string with every variable replaced by its value (none: ''). */
export function literalOf(value: string, env: Readonly<Record<string, string>> = {}): string {
  const { parts } = parseInterpolation(value);
  return parts
    .map((p) => (p.kind === 'text' ? p.text : (interpolationDefault(p, env) ?? '')))
    .join('');
}

/**
 * A compose string interpolated as `docker compose config` would: the value, or the error Compose
 * stops with (a malformed template, or a required variable without a value).
 */
export function substitute(
  value: string,
  env: Readonly<Record<string, string>> = {},
): { value: string } | { error: string } {
  const { parts, error } = parseInterpolation(value);
  if (error !== undefined) return { error: `invalid template: ${error}` };
  let out = '';
  for (const p of parts) {
    if (p.kind === 'text') {
      out += p.text;
      continue;
    }
    if (p.argument.includes('$')) {
      const nested = substitute(p.argument, env);
      if ('error' in nested) return nested;
    }
    const v = interpolationDefault(p, env);
    if (v === undefined && (p.modifier === ':?' || p.modifier === '?')) {
      const why = literalOf(p.argument, env);
      return {
        error: `required variable ${p.name} is missing a value${why === '' ? '' : `: ${why}`}`,
      };
    }
    out += v ?? '';
  }
  return { value: out };
}
