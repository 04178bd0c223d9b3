import type { YamlPath } from '../yaml-doc.js';
import { literalOf } from './interpolation.js';
import { isRecord, scalarString, toSlug } from './parsers.js';
import type { ImportContext } from './types.js';

// -- volumes ----------------------------------------------------------------------------------

/** One entry of a service's `volumes`, short (`src:/target:ro`) or long form, as its parts. */
function parseMount(
  ctx: ImportContext,
  path: YamlPath,
  item: unknown,
): { type: string; source: string | undefined; target: string; readOnly: boolean } {
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
        ctx.warn([...path, k], 'compose-unsupported', `volume ${k} is not supported; left out`);
    }
  } else {
    const spec = scalarString(item) ?? '';
    const resolved = spec.includes('$') ? literalOf(spec, ctx.env) : spec;
    if (resolved !== spec)
      ctx.warnValue(
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
          ctx.warnValue(
            path,
            'compose-unsupported',
            `volume option "${mode}" is not supported; left out`,
          );
      }
    }
    type = source !== undefined && /^(?:\/|\.\.?(?:\/|$)|~)/.test(source) ? 'bind' : 'volume';
  }
  return { type, source, target, readOnly };
}

export function volumes(
  ctx: ImportContext,
  name: string,
  raw: unknown,
): Array<Record<string, unknown>> {
  if (!Array.isArray(raw)) return [];
  const out: Array<Record<string, unknown>> = [];
  const topVolumes = isRecord(ctx.root.volumes) ? ctx.root.volumes : {};
  raw.forEach((item, i) => {
    const path: YamlPath = ['services', name, 'volumes', i];
    const { type, source, target, readOnly } = parseMount(ctx, path, item);
    if (type === 'bind') {
      const docker = source !== undefined && /(?:^|\/)docker\.sock$/.test(source);
      ctx.warnValue(
        path,
        'compose-unsupported',
        docker
          ? `mounts the Docker socket (${source ?? ''}): whoever controls the container would control the recipient's host; left out`
          : `bind mount of the host path ${source ?? ''} is not supported: a release owns its data in named volumes; put the files in the image, or use a named volume; left out`,
      );
      return;
    }
    if (type !== 'volume') {
      ctx.warnValue(path, 'compose-unsupported', `${type} mounts are not supported; left out`);
      return;
    }
    if (!target.startsWith('/')) {
      ctx.warnValue(
        path,
        'compose-unsupported',
        `"${target}" is not an absolute path in the container; left out`,
      );
      return;
    }
    let volName: string;
    if (source === undefined || source === '') {
      volName = toSlug(`${name}-${target}`);
      ctx.warnValue(
        path,
        'compose-changed',
        `the anonymous volume at ${target} became the named volume "${volName}", which the release keeps across upgrades`,
      );
    } else {
      volName = toSlug(source);
      if (volName !== source)
        ctx.warnValue(
          path,
          'compose-changed',
          `volume "${source}" was renamed "${volName}": ksad volume names are lower-case letters, digits and dashes`,
        );
      if (!Object.hasOwn(topVolumes, source))
        ctx.warnValue(
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
