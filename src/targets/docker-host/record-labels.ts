/**
 * The one codec for the records a Docker host keeps in volume labels: how a record, the profile or
 * an app's secrets are written into labels, and how they are read back. Labels are written
 * atomically with the volume and cannot change afterwards, so a value is replaced by creating a
 * volume of the next generation (`<base>-g<N>`) and then removing the older ones; a reader takes
 * the newest generation of each key. Generation 0 is the bare `<base>` name older ksad wrote.
 */
import { Label, managedLabels, type ResourceKind } from '../../core/labels.js';
import {
  hostProfileSchema,
  releaseRecordSchema,
  removalRecordSchema,
  type HostProfile,
  type RemovalRecord,
} from '../../core/release.js';
import type { Labels, VolumeInfo } from '../../core/engine-model.js';
import type { LockHolder, StoredRecord, StoredSecrets } from '../../ports/release-store.js';

export const GENERATION_LABEL = 'id.ksad.generation';

export function generationOf(labels: Labels): number {
  const n = Number(labels[GENERATION_LABEL] ?? '0');
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** The volume name of generation `generation` of a record whose first name is `base`. */
export function generationName(base: string, generation: number): string {
  return generation === 0 ? base : `${base}-g${generation}`;
}

/** Labels of a record volume: kind, key labels, the JSON payload and its generation. */
export function recordLabels(
  kind: Extract<ResourceKind, 'release' | 'host' | 'secrets' | 'removal'>,
  key: Labels,
  payload: unknown,
  generation: number,
): Labels {
  return managedLabels(kind, {
    ...key,
    [Label.record]: JSON.stringify(payload),
    [GENERATION_LABEL]: String(generation),
  });
}

/** The newest generation of each key among `volumes` (key: the labels that name the record). */
export function newestByKey(
  volumes: readonly VolumeInfo[],
  keyOf: (v: VolumeInfo) => string,
): VolumeInfo[] {
  const newest = new Map<string, VolumeInfo>();
  for (const v of volumes) {
    const key = keyOf(v);
    const seen = newest.get(key);
    if (!seen || generationOf(seen.labels) < generationOf(v.labels)) newest.set(key, v);
  }
  return [...newest.values()];
}

export const releaseKey = (v: VolumeInfo): string =>
  `${v.labels[Label.app] ?? ''}\u0000${v.labels[Label.revision] ?? ''}`;
export const appKey = (v: VolumeInfo): string => v.labels[Label.app] ?? '';

function payloadOf(labels: Labels): unknown {
  try {
    return JSON.parse(labels[Label.record] ?? '');
  } catch {
    return undefined;
  }
}

export function decodeRelease(v: VolumeInfo): StoredRecord {
  const parsed = releaseRecordSchema.safeParse(payloadOf(v.labels));
  const where = `volume ${v.name}`;
  return parsed.success
    ? { where, record: parsed.data }
    : { where, damaged: true, app: v.labels[Label.app] ?? '' };
}

/** The removal evidence in `v`, or null when it does not parse. */
export function decodeRemoval(v: VolumeInfo): RemovalRecord | null {
  const parsed = removalRecordSchema.safeParse(payloadOf(v.labels));
  return parsed.success ? parsed.data : null;
}

/** The profile in `v`, or null when it does not parse. */
export function decodeProfile(v: VolumeInfo): HostProfile | null {
  const parsed = hostProfileSchema.safeParse(payloadOf(v.labels));
  return parsed.success ? parsed.data : null;
}

export function decodeSecrets(v: VolumeInfo): StoredSecrets {
  const value = payloadOf(v.labels);
  const ok =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((s) => typeof s === 'string');
  return {
    app: v.labels[Label.app] ?? '',
    where: `volume ${v.name}`,
    values: ok ? (value as Record<string, string>) : null,
  };
}

export function decodeLockHolder(labels: Labels): LockHolder | null {
  const value = payloadOf(labels);
  if (typeof value !== 'object' || value === null) return null;
  const h = value as Partial<LockHolder>;
  return typeof h.user === 'string' && typeof h.hostname === 'string'
    ? {
        user: h.user,
        hostname: h.hostname,
        pid: typeof h.pid === 'number' ? h.pid : 0,
        command: typeof h.command === 'string' ? h.command : '',
        since: typeof h.since === 'string' ? h.since : '',
      }
    : null;
}
