import { rememberByText } from '../memo.js';
import { scanReferences, type ReferenceToken } from '../references.js';
import type { ConfigKeySpec } from '../schema/index.js';
import { didYouMean } from '../suggest.js';
import type { YamlPath } from '../yaml-doc.js';
import type { ManifestUnit, Reporter } from './context.js';

// `${` not closed on the same value, and not escaped as `$${`.
const UNTERMINATED = /(?<!\$)\$\{[^}]*$/;

interface ValueReferences {
  unterminated: boolean;
  tokens: readonly ReferenceToken[];
}

const NO_REFERENCES: ValueReferences = { unterminated: false, tokens: [] };
/** Values recur across the manifests of a catalog (`${secret.DB_PASSWORD}` …): each is scanned once. */
const scan = rememberByText(
  (value): ValueReferences => ({
    unterminated: UNTERMINATED.test(value),
    tokens: scanReferences(value),
  }),
  4096,
);

function referencesIn(value: string): ValueReferences {
  // Both an unterminated reference and a token start with `${`.
  return value.includes('${') ? scan(value) : NO_REFERENCES;
}

/**
 * `dangling-reference`: every `${…}` names something the manifest declares. Checked in every
 * string that may hold one: per service its environment, command, entrypoint and host ports.
 */
export function lintReferences(unit: ManifestUnit, r: Reporter): void {
  const { manifest } = unit;
  for (const [service, s] of Object.entries(manifest.services)) {
    for (const [k, v] of Object.entries(s.environment))
      checkValue(unit, r, service, v, ['services', service, 'environment', k]);
    s.command?.forEach((v, i) =>
      checkValue(unit, r, service, v, ['services', service, 'command', i]),
    );
    s.entrypoint?.forEach((v, i) =>
      checkValue(unit, r, service, v, ['services', service, 'entrypoint', i]),
    );
    s.ports.forEach((p, i) => {
      if (typeof p.host === 'string')
        checkValue(unit, r, service, p.host, ['services', service, 'ports', i, 'host']);
    });
  }
}

function checkValue(
  unit: ManifestUnit,
  r: Reporter,
  service: string,
  value: string,
  path: YamlPath,
): void {
  const refs = referencesIn(value);
  if (refs === NO_REFERENCES) return;
  const { manifest, file } = unit;
  if (refs.unterminated) {
    r.error(
      file,
      path,
      'dangling-reference',
      `unterminated reference in "${value}": close it with "}" or write "$\${" for a literal "\${"`,
    );
  }
  for (const token of refs.tokens) {
    const ref = token.ref;
    if (ref === null) {
      r.error(file, path, 'dangling-reference', token.error ?? `invalid reference ${token.raw}`);
    } else if (ref.kind === 'config' && !Object.hasOwn(manifest.config, ref.key)) {
      r.error(
        file,
        path,
        'dangling-reference',
        `${token.raw} names no key under "config"${didYouMean(ref.key, Object.keys(manifest.config))}`,
      );
    } else if (ref.kind === 'secret' && !Object.hasOwn(manifest.secrets, ref.name)) {
      r.error(
        file,
        path,
        'dangling-reference',
        `${token.raw} names no entry under "secrets"${didYouMean(ref.name, Object.keys(manifest.secrets))}`,
      );
    } else if (ref.kind === 'service' && !Object.hasOwn(manifest.services, ref.service)) {
      r.error(
        file,
        path,
        'dangling-reference',
        `${token.raw} names no service of this app${didYouMean(ref.service, Object.keys(manifest.services))}`,
      );
    } else if (ref.kind === 'service' && ref.service === service) {
      r.error(
        file,
        path,
        'dangling-reference',
        `${token.raw} is the service itself: use "localhost"`,
      );
    } else if (ref.kind === 'config' && path.at(-1) === 'host') {
      const spec = manifest.config[ref.key];
      if (spec && spec.type !== 'port' && spec.type !== 'integer') {
        r.error(
          file,
          path,
          'host-port-type',
          `${token.raw} is of type ${spec.type}; a host port needs a config key of type port or integer`,
        );
      }
    }
  }
}

/** `dangling-reference` for dependsOn, `dependency-cycle` and `dependency-without-healthcheck`. */
export function lintDependencies(unit: ManifestUnit, r: Reporter): void {
  const { manifest, file } = unit;
  const names = Object.keys(manifest.services);
  for (const [name, s] of Object.entries(manifest.services)) {
    for (const [dep, spec] of Object.entries(s.dependsOn)) {
      const path = ['services', name, 'dependsOn', dep];
      const target = manifest.services[dep];
      if (dep === name) {
        r.error(
          file,
          path,
          'dangling-reference',
          `service "${name}" cannot depend on itself`,
          'key',
        );
      } else if (!target) {
        r.error(
          file,
          path,
          'dangling-reference',
          `depends on unknown service "${dep}"${didYouMean(dep, names)}`,
          'key',
        );
      } else if (spec.condition === 'service_healthy' && !target.healthcheck) {
        r.error(
          file,
          [...path, 'condition'],
          'dependency-without-healthcheck',
          `waits for "${dep}" to be healthy (the default condition) but "${dep}" has no healthcheck: add one to "${dep}" or use "condition: service_started"`,
        );
      }
    }
  }

  // Depth-first search; each cycle is reported once, at the edge that closes it.
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (n: string): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const dep of Object.keys(manifest.services[n]?.dependsOn ?? {}).sort()) {
      if (dep === n || !manifest.services[dep]) continue;
      const st = state.get(dep);
      if (st === 'open') {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep];
        const id = [...cycle.slice(0, -1)].sort().join(',');
        if (!reported.has(id)) {
          reported.add(id);
          r.error(
            file,
            ['services', n, 'dependsOn', dep],
            'dependency-cycle',
            `dependency cycle: ${cycle.join(' -> ')}`,
            'key',
          );
        }
      } else if (st === undefined) {
        visit(dep);
      }
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...names].sort()) if (!state.has(n)) visit(n);
}

/** `duplicate-host-port`: two ports of one app cannot be published on the same host port. */
export function lintHostPorts(unit: ManifestUnit, r: Reporter): void {
  const { manifest, file } = unit;
  const seen = new Map<string, string>();
  for (const [name, s] of Object.entries(manifest.services)) {
    s.ports.forEach((p, i) => {
      if (p.host === undefined) return;
      let port: string = String(p.host);
      if (typeof p.host === 'string') {
        // Compare by the default value when there is one, so a literal 8080 clashes with ${config.PORT} defaulting to 8080.
        const key = /^\$\{config\.(.+)\}$/.exec(p.host)?.[1];
        const def = key === undefined ? undefined : manifest.config[key]?.default;
        if (typeof def === 'number') port = String(def);
      }
      const id = `${port}/${p.protocol}`;
      const where = `services.${name}.ports.${i}`;
      const first = seen.get(id);
      if (first) {
        r.error(
          file,
          ['services', name, 'ports', i, 'host'],
          'duplicate-host-port',
          `host port ${id} is already published by ${first}`,
        );
      } else {
        seen.set(id, where);
      }
    });
  }
}

function defaultProblem(spec: ConfigKeySpec, value: string | number | boolean): string | undefined {
  const t = spec.type;
  switch (t) {
    case 'string':
    case 'url':
    case 'email':
      if (typeof value !== 'string')
        return `default ${JSON.stringify(value)} is not a string (type: ${t})`;
      if (t === 'url' && !URL.canParse(value)) return `default "${value}" is not a URL`;
      if (t === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value))
        return `default "${value}" is not an e-mail address`;
      break;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value))
        return `default ${JSON.stringify(value)} is not an integer`;
      break;
    case 'number':
      if (typeof value !== 'number') return `default ${JSON.stringify(value)} is not a number`;
      break;
    case 'boolean':
      if (typeof value !== 'boolean')
        return `default ${JSON.stringify(value)} is not true or false`;
      break;
    case 'port':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535)
        return `default ${JSON.stringify(value)} is not a port number (1-65535)`;
      break;
  }
  if (spec.enum && !spec.enum.some((e) => e === value))
    return `default ${JSON.stringify(value)} is not one of ${spec.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (typeof value === 'number') {
    if (spec.minimum !== undefined && value < spec.minimum)
      return `default ${value} is below the minimum ${spec.minimum}`;
    if (spec.maximum !== undefined && value > spec.maximum)
      return `default ${value} is above the maximum ${spec.maximum}`;
  }
  if (typeof value === 'string' && spec.pattern !== undefined) {
    try {
      if (!new RegExp(spec.pattern, 'u').test(value))
        return `default "${value}" does not match the pattern ${spec.pattern}`;
    } catch {
      // An invalid pattern is reported on `pattern` itself.
    }
  }
  return undefined;
}

/** `config-default` (a default must fit its key's declaration), `config-pattern`, `config-required-default`. */
export function lintConfig(unit: ManifestUnit, r: Reporter): void {
  const { manifest, file } = unit;
  for (const [key, spec] of Object.entries(manifest.config)) {
    if (spec.pattern !== undefined) {
      try {
        new RegExp(spec.pattern, 'u');
      } catch (e) {
        r.error(
          file,
          ['config', key, 'pattern'],
          'config-pattern',
          `is not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    if (spec.minimum !== undefined && spec.maximum !== undefined && spec.minimum > spec.maximum) {
      r.error(
        file,
        ['config', key, 'maximum'],
        'config-default',
        `maximum ${spec.maximum} is below minimum ${spec.minimum}`,
      );
    }
    if (spec.default === undefined) continue;
    const problem = defaultProblem(spec, spec.default);
    if (problem) r.error(file, ['config', key, 'default'], 'config-default', problem);
    if (spec.required) {
      r.warning(
        file,
        ['config', key, 'required'],
        'config-required-default',
        'required has no effect when a default is given: drop the default to make the region choose, or drop required',
      );
    }
  }
}
