import type { YamlPath } from '../yaml-doc.js';
import { literalOf } from './interpolation.js';
import { convertDuration, convertMemory, isRecord, scalarString } from './parsers.js';
import { referenceValue } from './references.js';
import type { ImportContext } from './types.js';

// -- healthcheck, depends_on, resources, restart, labels ---------------------------------------

export function healthcheck(
  ctx: ImportContext,
  name: string,
  raw: unknown,
): Record<string, unknown> | undefined {
  if (!isRecord(raw)) return undefined;
  const at = (k: string): YamlPath => ['services', name, 'healthcheck', k];
  if (raw.disable === true || (Array.isArray(raw.test) && raw.test[0] === 'NONE')) {
    ctx.warn(
      ['services', name, 'healthcheck'],
      'compose-unsupported',
      "turns off the image's own healthcheck, which a manifest cannot do: if the image has a HEALTHCHECK, it will run; left out",
    );
    return undefined;
  }
  const test = raw.test;
  let cmd: string[] | undefined;
  if (typeof test === 'string') cmd = ['sh', '-c', test];
  else if (Array.isArray(test)) {
    const [kind, ...rest] = test.map((t) => scalarString(t) ?? '');
    if (kind === 'CMD') cmd = rest;
    else if (kind === 'CMD-SHELL') cmd = ['sh', '-c', rest.join(' ')];
    else
      ctx.warnValue(
        at('test'),
        'compose-unsupported',
        `a test list starts with CMD, CMD-SHELL or NONE, not "${kind ?? ''}"; the healthcheck was left out`,
      );
  }
  if (cmd === undefined || cmd.length === 0) {
    if (test === undefined)
      ctx.warn(
        ['services', name, 'healthcheck'],
        'compose-unsupported',
        'a healthcheck without "test" uses the image\'s own, which a manifest cannot name; left out',
      );
    return undefined;
  }
  const out: Record<string, unknown> = {
    // Variables follow the config as in the environment: ${VAR} → ${config.VAR}; $$ stays $ for the shell.
    test: cmd.map((c) =>
      referenceValue(ctx, name, at('test'), 'HEALTHCHECK', c, {
        hostnames: false,
        credential: false,
      }),
    ),
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
      v === undefined ? def : convertDuration(literalOf(String(scalarString(v) ?? ''), ctx.env));
    if (d === undefined)
      ctx.warnValue(
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
      ctx.warn(at(k), 'compose-unsupported', `healthcheck ${k} is not supported; left out`);
  }
  return out;
}

export function dependsOn(
  ctx: ImportContext,
  name: string,
  raw: unknown,
): Record<string, { condition: string }> {
  const out: Record<string, { condition: string }> = {};
  const services = ctx.root.services as Record<string, unknown>;
  const add = (dep: string, condition: string, path: YamlPath): void => {
    const target = ctx.names.get(dep);
    if (target === undefined) {
      ctx.warn(
        path,
        'compose-unsupported',
        `depends on "${dep}", which is not part of the draft; left out`,
      );
      return;
    }
    let cond = condition;
    if (cond === 'service_completed_successfully') {
      ctx.warn(
        path,
        'compose-changed',
        `waits for "${dep}" to complete successfully, which ksad cannot express: it became service_started; make "${dep}" idempotent or run it as part of the app's own start-up`,
      );
      cond = 'service_started';
    } else if (cond === 'service_healthy') {
      const t = services[dep];
      const hc = isRecord(t) ? t.healthcheck : undefined;
      if (!isRecord(hc) || hc.disable === true || hc.test === undefined) {
        ctx.warn(
          path,
          'compose-changed',
          `waits for "${dep}" to be healthy, but "${dep}" has no healthcheck of its own in the draft: it became service_started`,
        );
        cond = 'service_started';
      }
    } else if (cond !== 'service_started') {
      ctx.warn(
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
            ctx.warn(
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

export function resources(
  ctx: ImportContext,
  name: string,
  s: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const deploy = isRecord(s.deploy) ? s.deploy : {};
  const at = (...rest: string[]): YamlPath => ['services', name, ...rest];
  const limits =
    isRecord(deploy.resources) && isRecord(deploy.resources.limits) ? deploy.resources.limits : {};
  const cpuSources: Array<[unknown, YamlPath]> = [
    [limits.cpus, at('deploy', 'resources', 'limits', 'cpus')],
    [s.cpus, at('cpus')],
  ];
  for (const [v, path] of cpuSources) {
    if (v === undefined || out.cpus !== undefined) continue;
    const n = Number(literalOf(String(scalarString(v) ?? ''), ctx.env));
    if (Number.isFinite(n) && n > 0 && n <= 256) out.cpus = n;
    else
      ctx.warnValue(
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
        : convertMemory(literalOf(String(scalarString(v) ?? ''), ctx.env));
    if (m !== undefined) out.memory = m;
    else
      ctx.warnValue(
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
              ctx.warn(
                at('deploy', 'resources', 'limits', l),
                'compose-unsupported',
                `limit ${l} is not supported; left out`,
              );
        } else
          ctx.warn(
            at('deploy', 'resources', r),
            'compose-unsupported',
            `resources ${r} are not supported: only limits (cpus, memory) are; left out`,
          );
      }
    } else if (k !== 'restart_policy') {
      ctx.warn(
        at('deploy', k),
        'compose-unsupported',
        `deploy ${k} is not supported: ksad runs one container per service; left out`,
      );
    }
  }
  return out;
}

export function restart(
  ctx: ImportContext,
  name: string,
  s: Record<string, unknown>,
): string | undefined {
  const deploy = isRecord(s.deploy) ? s.deploy : {};
  const policy = isRecord(deploy.restart_policy) ? deploy.restart_policy : undefined;
  const raw = scalarString(s.restart);
  if (raw !== undefined) {
    const m = /^on-failure(?::(\d+))?$/.exec(raw);
    if (m) {
      if (m[1] !== undefined)
        ctx.warnValue(
          ['services', name, 'restart'],
          'compose-changed',
          `the retry limit ${m[1]} was dropped: ksad's on-failure retries without a limit`,
        );
      return 'on-failure';
    }
    if (['no', 'always', 'unless-stopped'].includes(raw)) return raw;
    ctx.warnValue(
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
        ctx.warn(
          ['services', name, 'deploy', 'restart_policy', k],
          'compose-unsupported',
          `restart_policy ${k} is not supported; left out`,
        );
    }
    return cond === 'none' ? 'no' : cond === 'on-failure' ? 'on-failure' : 'always';
  }
  return undefined;
}

export function labels(ctx: ImportContext, name: string, raw: unknown): void {
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
    if (k === 'org.opencontainers.image.licenses') ctx.labels.license ??= v;
    else if (k === 'org.opencontainers.image.source' || k === 'org.opencontainers.image.url')
      ctx.labels.url ??= v;
    else if (k === 'org.opencontainers.image.title') ctx.labels.title ??= v;
    else if (k === 'org.opencontainers.image.description') ctx.labels.description ??= v;
    else others.push(k);
  }
  if (others.length > 0) {
    ctx.warn(
      ['services', name, 'labels'],
      'compose-unsupported',
      `labels (${others.join(', ')}) are not carried: ksad labels containers itself; left out`,
    );
  }
}
