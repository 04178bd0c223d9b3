import { KsadError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';
import { Label, managedLabels, names } from '../../core/labels.js';
import type { HostProfile, ReleaseRecord, RemovalRecord } from '../../core/release.js';
import type { Labels, VolumeInfo } from '../../core/engine-model.js';
import type {
  LockHolder,
  ReleaseStore,
  StoreSnapshot,
  StoredRecord,
  StoredSecrets,
} from '../../ports/release-store.js';
import type { SwarmEngine, SwarmObject } from '../../ports/swarm-engine.js';
import {
  decodeLockHolder,
  decodeProfile,
  decodeRelease,
  decodeRemoval,
  GENERATION_LABEL,
  generationName,
  generationOf,
  newestByKey,
  releaseKey,
} from '../docker-host/record-labels.js';

const managed = { [Label.managed]: 'true' };
type RecordKind = 'release' | 'host' | 'vault' | 'removal';

/** One sealed generation of an app's secrets, as a vault config holds it. */
interface Sealed {
  generation: number;
  values: Record<string, string>;
  sha256: string;
}

/**
 * A config read as the record codec reads a Docker host's volume: the payload is the config's
 * content, which, unlike a label, may be large and is shown only on `docker config inspect`.
 */
function asRecord(c: SwarmObject): VolumeInfo {
  return {
    name: c.name,
    labels: { ...c.labels, [Label.record]: c.data?.toString('utf8') ?? '' },
    createdAt: c.createdAt,
  };
}

/**
 * The release store of a Docker Swarm: the profile, each release record, each app's secrets and
 * each app's lock are Swarm configs, which live in the managers' Raft store and so read the same
 * from every manager (a node's volume or container would not). A config cannot change: a value is
 * replaced by creating the next generation (`<base>-g<N>`) and then removing the older ones, and
 * a reader takes the newest generation, so a kill leaves the old value, the new one or both.
 * Creating a config whose name is taken fails (409), which makes the per-app lock atomic across
 * managers.
 *
 * An app's secrets are one config of sealed JSON (a checksum over generation and values), named
 * `ksad-vault-<app>-g<N>`: nothing of them is in a label, and reading them takes a deliberate
 * `docker config inspect` through a manager's API, which is root-equivalent on the swarm anyway.
 * (A Swarm secret cannot be read back through the API, so it serves the running services, not the
 * store.)
 */
export class SwarmReleaseStore implements ReleaseStore {
  constructor(private readonly swarm: SwarmEngine) {}

  async profile(): Promise<HostProfile | null> {
    const [newest] = await this.newest({ [Label.kind]: 'host' }, () => 'host');
    if (!newest) return null;
    const profile = decodeProfile(newest);
    if (profile) return profile;
    throw new KsadError(
      'INTEGRITY',
      `the ksad record in config "${newest.name}" is damaged or was edited by hand`,
      {
        suggestions: [
          `inspect it: docker config inspect ${newest.name}`,
          'remove it if it is not needed; ksad does not guess its content',
        ],
      },
    );
  }

  async requireProfile(): Promise<HostProfile> {
    const profile = await this.profile();
    if (profile) return profile;
    throw new KsadError('NOT_FOUND', 'this swarm has no ksad profile yet', {
      suggestions: ['run on a manager: ksad host init --region <CODE> --target swarm'],
    });
  }

  async saveProfile(profile: HostProfile): Promise<void> {
    await this.replace(
      names.hostProfile,
      'host',
      { [Label.region]: profile.region.code },
      {},
      JSON.stringify(profile),
    );
  }

  async releases(app?: string): Promise<ReleaseRecord[]> {
    return (await this.releaseEntries(app))
      .flatMap((e) => ('record' in e ? [e.record] : []))
      .sort((a, b) => a.app.localeCompare(b.app) || a.revision - b.revision);
  }

  async saveRelease(record: ReleaseRecord): Promise<void> {
    const key = { [Label.app]: record.app, [Label.revision]: String(record.revision) };
    await this.replace(
      names.releaseRecord(record.app, record.revision),
      'release',
      key,
      key,
      JSON.stringify(record),
    );
  }

  async pruneHistory(app: string, limit: number): Promise<number> {
    const records = await this.releases(app);
    const excess = records.length - limit;
    if (excess <= 0) return 0;
    const droppable = records.filter((r) => r.status !== 'deployed').slice(0, excess);
    await Promise.all(
      droppable.map((r) =>
        this.removeAll({
          [Label.kind]: 'release',
          [Label.app]: app,
          [Label.revision]: String(r.revision),
        }),
      ),
    );
    return droppable.length;
  }

  async deleteReleases(app: string): Promise<void> {
    await this.removeAll({ [Label.kind]: 'release', [Label.app]: app });
  }

  async removals(app?: string): Promise<RemovalRecord[]> {
    const filter: Labels = { [Label.kind]: 'removal' };
    if (app !== undefined) filter[Label.app] = app;
    return (await this.newest(filter, (v) => v.labels[Label.app] ?? ''))
      .flatMap((v) => decodeRemoval(v) ?? [])
      .sort((a, b) => a.app.localeCompare(b.app));
  }

  async saveRemoval(record: RemovalRecord): Promise<void> {
    const key = { [Label.app]: record.app };
    await this.replace(names.removal(record.app), 'removal', key, key, JSON.stringify(record));
  }

  async deleteRemoval(app: string): Promise<void> {
    await this.removeAll({ [Label.kind]: 'removal', [Label.app]: app });
  }

  async secrets(app: string): Promise<Record<string, string>> {
    const stored = await this.storedSecrets(app);
    if (stored === null) return {};
    if (stored.values) return stored.values;
    throw new KsadError(
      'INTEGRITY',
      `the secrets of ${app} (${stored.where}) are damaged or were edited by hand`,
      {
        suggestions: [
          'ksad does not guess secret values: supply each secret again with --secret NAME=@FILE',
        ],
      },
    );
  }

  async saveSecrets(app: string, values: Record<string, string>): Promise<void> {
    const current = await this.vaults(app);
    const generation = Math.max(0, ...current.map((c) => generationOf(c.labels))) + 1;
    const body = { generation, values };
    const sealed: Sealed = { ...body, sha256: sha256Hex(JSON.stringify(body)) };
    await this.swarm.createConfig(
      generationName(names.vault(app), generation),
      managedLabels('vault', { [Label.app]: app, [GENERATION_LABEL]: String(generation) }),
      Buffer.from(JSON.stringify(sealed)),
    );
    await Promise.all(current.map((c) => this.swarm.removeConfig(c.name)));
  }

  async deleteSecrets(app: string): Promise<void> {
    await Promise.all((await this.vaults(app)).map((c) => this.swarm.removeConfig(c.name)));
  }

  async lock(app: string, holder: LockHolder): Promise<() => Promise<void>> {
    const name = names.lock(app);
    const text = JSON.stringify(holder);
    await this.swarm.createConfig(
      name,
      managedLabels('lock', { [Label.app]: app, [Label.record]: text }),
      Buffer.from(text),
    );
    return () => this.swarm.removeConfig(name);
  }

  async lockHolder(app: string): Promise<LockHolder | null> {
    const config = await this.swarm.inspectConfig(names.lock(app));
    return config ? decodeLockHolder(config.labels) : null;
  }

  async unlock(app: string): Promise<LockHolder | null> {
    const holder = await this.lockHolder(app);
    if (holder) await this.swarm.removeConfig(names.lock(app));
    return holder;
  }

  async snapshot(): Promise<StoreSnapshot> {
    const configs = await this.swarm.listConfigs(managed);
    const ofKind = (kind: string): SwarmObject[] =>
      configs.filter((c) => c.labels[Label.kind] === kind);
    const [profile] = newestByKey(ofKind('host').map(asRecord), () => 'host');
    const vaults = newestByKey(ofKind('vault').map(asRecord), (v) => v.labels[Label.app] ?? '');
    return {
      profile: profile ? decodeProfile(profile) : null,
      records: newestByKey(ofKind('release').map(asRecord), releaseKey).map(inConfig),
      secrets: vaults.map(unseal).sort((a, b) => a.app.localeCompare(b.app)),
      locks: ofKind('lock').map((c) => ({
        app: c.labels[Label.app] ?? '',
        where: `config ${c.name}`,
        holder: decodeLockHolder(c.labels),
      })),
    };
  }

  private async storedSecrets(app: string): Promise<StoredSecrets | null> {
    const [newest] = newestByKey((await this.vaults(app)).map(asRecord), () => app);
    return newest ? unseal(newest) : null;
  }

  private vaults(app: string): Promise<SwarmObject[]> {
    return this.swarm.listConfigs({ ...managed, [Label.kind]: 'vault', [Label.app]: app });
  }

  private async releaseEntries(app?: string): Promise<StoredRecord[]> {
    const filter: Labels = { [Label.kind]: 'release' };
    if (app !== undefined) filter[Label.app] = app;
    return (await this.newest(filter, releaseKey)).map(inConfig);
  }

  private async newest(filter: Labels, keyOf: (v: VolumeInfo) => string): Promise<VolumeInfo[]> {
    const configs = await this.swarm.listConfigs({ ...managed, ...filter });
    return newestByKey(configs.map(asRecord), keyOf);
  }

  /**
   * Writes `payload` as the next generation of the record `base`, then retires the older ones.
   * A name left taken by a killed write of the same generation holds either this payload or an
   * older attempt's: the next generation after it is written instead.
   */
  private async replace(
    base: string,
    kind: RecordKind,
    key: Labels,
    filter: Labels,
    payload: string,
  ): Promise<void> {
    const existing = await this.swarm.listConfigs({ ...managed, [Label.kind]: kind, ...filter });
    const generation = Math.max(-1, ...existing.map((c) => generationOf(c.labels))) + 1;
    await this.swarm.createConfig(
      generationName(base, generation),
      managedLabels(kind, { ...key, [GENERATION_LABEL]: String(generation) }),
      Buffer.from(payload),
    );
    await Promise.all(existing.map((c) => this.swarm.removeConfig(c.name)));
  }

  private async removeAll(filter: Labels): Promise<void> {
    const configs = await this.swarm.listConfigs({ ...managed, ...filter });
    await Promise.all(configs.map((c) => this.swarm.removeConfig(c.name)));
  }
}

function inConfig(v: VolumeInfo): StoredRecord {
  return { ...decodeRelease(v), where: `config ${v.name}` };
}

function unseal(v: VolumeInfo): StoredSecrets {
  const app = v.labels[Label.app] ?? '';
  const where = `config ${v.name}`;
  try {
    const s = JSON.parse(v.labels[Label.record] ?? '') as Partial<Sealed>;
    const body = { generation: s.generation, values: s.values };
    const intact =
      typeof s.values === 'object' &&
      s.values !== null &&
      s.sha256 === sha256Hex(JSON.stringify(body)) &&
      Object.values(s.values).every((x) => typeof x === 'string');
    return { app, where, values: intact ? (s.values as Record<string, string>) : null };
  } catch {
    return { app, where, values: null };
  }
}
