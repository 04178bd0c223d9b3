import { KsadError } from '../core/errors.js';
import { Label, managedLabels, names } from '../core/labels.js';
import {
  hostProfileSchema,
  releaseRecordSchema,
  type HostProfile,
  type ReleaseRecord,
} from '../core/release.js';
import type { DockerEngine, Labels } from '../ports/docker-engine.js';
import type { Operator, ProcessProbe } from '../ports/identity.js';

/**
 * Everything ksad knows about a host lives on the host, so a second engineer or an auditor reads
 * the same truth: the profile, release records and secrets are empty Docker volumes whose labels
 * carry the data (labels are written atomically with the volume), and the per-app lock is a
 * never-started marker container, because creating a container with a taken name fails (409)
 * where a volume would not, and unlike a network it takes no address pool.
 */
export class HostState {
  constructor(private readonly engine: DockerEngine) {}

  async profile(): Promise<HostProfile | null> {
    const volume = await this.engine.inspectVolume(names.hostProfile);
    if (!volume) return null;
    return parseRecord(volume.labels, hostProfileSchema, names.hostProfile);
  }

  /** The profile, or a clear error telling how to create one. */
  async requireProfile(): Promise<HostProfile> {
    const profile = await this.profile();
    if (profile) return profile;
    throw new KsadError('NOT_FOUND', 'this Docker host has no ksad profile yet', {
      suggestions: ['run: ksad host init --region <CODE> (for example --region 52.04)'],
    });
  }

  async saveProfile(profile: HostProfile): Promise<void> {
    await this.replaceRecordVolume(
      names.hostProfile,
      managedLabels('host', {
        [Label.region]: profile.region.code,
        [Label.record]: JSON.stringify(profile),
      }),
    );
  }

  /** Every release record of `app` (or of every app), oldest revision first. */
  async releases(app?: string): Promise<ReleaseRecord[]> {
    const filter: Labels = { [Label.managed]: 'true', [Label.kind]: 'release' };
    if (app !== undefined) filter[Label.app] = app;
    const volumes = await this.engine.listVolumes(filter);
    const records: ReleaseRecord[] = [];
    for (const v of volumes) {
      // One damaged record must not hide every other release; the audit reports it as a finding.
      const parsed = tryParseRecord(v.labels, releaseRecordSchema);
      if (parsed === undefined) this.damaged.add(v.name);
      else records.push(parsed);
    }
    return records.sort((a, b) => a.app.localeCompare(b.app) || a.revision - b.revision);
  }

  /** Release record volumes seen by `releases()` whose labels do not parse. */
  readonly damaged = new Set<string>();

  async saveRelease(record: ReleaseRecord): Promise<void> {
    await this.replaceRecordVolume(
      names.releaseRecord(record.app, record.revision),
      managedLabels('release', {
        [Label.app]: record.app,
        [Label.revision]: String(record.revision),
        [Label.record]: JSON.stringify(record),
      }),
    );
  }

  /** Drops the oldest records past `limit`, never the one that runs. */
  async pruneHistory(app: string, limit: number): Promise<number> {
    const records = await this.releases(app);
    const excess = records.length - limit;
    if (excess <= 0) return 0;
    const droppable = records.filter((r) => r.status !== 'deployed').slice(0, excess);
    await Promise.all(
      droppable.map((r) => this.engine.removeVolume(names.releaseRecord(app, r.revision))),
    );
    return droppable.length;
  }

  async deleteReleases(app: string): Promise<void> {
    const records = await this.releases(app);
    await Promise.all(
      records.map((r) => this.engine.removeVolume(names.releaseRecord(app, r.revision))),
    );
  }

  async secrets(app: string): Promise<Record<string, string>> {
    const volume = await this.engine.inspectVolume(names.secrets(app));
    const raw = volume?.labels[Label.record];
    if (raw === undefined) return {};
    return JSON.parse(raw) as Record<string, string>;
  }

  async saveSecrets(app: string, values: Record<string, string>): Promise<void> {
    await this.replaceRecordVolume(
      names.secrets(app),
      managedLabels('secrets', { [Label.app]: app, [Label.record]: JSON.stringify(values) }),
    );
  }

  async deleteSecrets(app: string): Promise<void> {
    await this.engine.removeVolume(names.secrets(app));
  }

  /**
   * Takes the app's lock or fails with LOCKED naming the holder. A lock whose holder ran on this
   * machine and is gone is stale: it is reported as such so `ksad unlock` can clear it.
   */
  async lock(
    app: string,
    operator: Operator,
    command: string,
    probe: ProcessProbe,
    now: Date,
  ): Promise<() => Promise<void>> {
    const name = names.lock(app);
    const holder: LockHolder = { ...operator, command, since: now.toISOString() };
    try {
      await this.engine.createMarker(
        name,
        managedLabels('lock', { [Label.app]: app, [Label.record]: JSON.stringify(holder) }),
      );
    } catch (error) {
      if (!(error instanceof KsadError) || error.code !== 'LOCKED') throw error;
      const current = await this.lockHolder(app);
      if (!current) throw error;
      const stale = current.hostname === operator.hostname && !probe.isAlive(current.pid);
      throw new KsadError(
        'LOCKED',
        `${app} is locked by ${current.user}@${current.hostname} (pid ${current.pid}, "${current.command}") since ${current.since}${stale ? '; that process is gone, so the lock is stale' : ''}`,
        {
          suggestions: stale
            ? [
                `clear the stale lock: ksad unlock ${app}`,
                'then run the command again; ksad recovers the interrupted change',
              ]
            : [
                'wait for that operation to finish and try again',
                `if it was killed on another machine: ksad unlock ${app}`,
              ],
        },
      );
    }
    return async () => {
      await this.engine.removeContainer(name, { force: true });
    };
  }

  async lockHolder(app: string): Promise<LockHolder | null> {
    const marker = await this.engine.inspectContainer(names.lock(app));
    const raw = marker?.labels[Label.record];
    return raw === undefined ? null : (JSON.parse(raw) as LockHolder);
  }

  async unlock(app: string): Promise<LockHolder | null> {
    const holder = await this.lockHolder(app);
    if (holder) await this.engine.removeContainer(names.lock(app), { force: true });
    return holder;
  }

  private async replaceRecordVolume(name: string, labels: Labels): Promise<void> {
    // Volume labels cannot change; a record is replaced by removing and re-creating its volume.
    await this.engine.removeVolume(name);
    await this.engine.createVolume(name, labels);
  }
}

export interface LockHolder extends Operator {
  command: string;
  since: string;
}

type RecordSchema<T> = { safeParse(v: unknown): { success: true; data: T } | { success: false } };

function tryParseRecord<T>(labels: Labels, schema: RecordSchema<T>): T | undefined {
  const raw = labels[Label.record];
  let value: unknown;
  try {
    value = raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function parseRecord<T>(labels: Labels, schema: RecordSchema<T>, where: string): T {
  const parsed = tryParseRecord(labels, schema);
  if (parsed === undefined) {
    throw new KsadError(
      'INTEGRITY',
      `the ksad record on volume "${where}" is damaged or was edited by hand`,
      {
        suggestions: [
          `inspect it: docker volume inspect ${where}`,
          'remove it if it is not needed; ksad does not guess its content',
        ],
      },
    );
  }
  return parsed;
}
