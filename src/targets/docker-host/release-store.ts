import { KsadError } from '../../core/errors.js';
import { Label, managedLabels, names } from '../../core/labels.js';
import type { HostProfile, ReleaseRecord, RemovalRecord } from '../../core/release.js';
import type { DockerEngine, Labels, VolumeInfo } from '../../ports/docker-engine.js';
import type {
  LockHolder,
  ReleaseStore,
  StoreSnapshot,
  StoredRecord,
  StoredSecrets,
} from '../../ports/release-store.js';
import {
  appKey,
  decodeLockHolder,
  decodeProfile,
  decodeRelease,
  decodeRemoval,
  decodeSecrets,
  generationName,
  generationOf,
  newestByKey,
  recordLabels,
  releaseKey,
} from './record-labels.js';
import { SecretsVault } from './secrets-vault.js';

const managed = { [Label.managed]: 'true' };

/**
 * The release store of a Docker host: the profile, release records and secrets are empty volumes
 * whose labels carry the data (see record-labels.ts), and the per-app lock is a never-started
 * marker container, because creating a container with a taken name fails (409) where creating a
 * volume would return the existing one, and unlike a network it takes no address pool.
 */
export class DockerHostReleaseStore implements ReleaseStore {
  private readonly vault: SecretsVault;

  constructor(private readonly engine: DockerEngine) {
    this.vault = new SecretsVault(engine);
  }

  async profile(): Promise<HostProfile | null> {
    const volumes = await this.engine.listVolumes({ ...managed, [Label.kind]: 'host' });
    const [newest] = newestByKey(volumes, () => 'host');
    if (!newest) return null;
    const profile = decodeProfile(newest);
    if (profile) return profile;
    throw new KsadError(
      'INTEGRITY',
      `the ksad record on volume "${newest.name}" is damaged or was edited by hand`,
      {
        suggestions: [
          `inspect it: docker volume inspect ${newest.name}`,
          'remove it if it is not needed; ksad does not guess its content',
        ],
      },
    );
  }

  async requireProfile(): Promise<HostProfile> {
    const profile = await this.profile();
    if (profile) return profile;
    throw new KsadError('NOT_FOUND', 'this Docker host has no ksad profile yet', {
      suggestions: ['run: ksad host init --region <CODE> (for example --region 52.04)'],
    });
  }

  async saveProfile(profile: HostProfile): Promise<void> {
    await this.replace(
      names.hostProfile,
      'host',
      { [Label.region]: profile.region.code },
      profile,
      {
        [Label.kind]: 'host',
      },
    );
  }

  async releases(app?: string): Promise<ReleaseRecord[]> {
    return (await this.releaseEntries(app))
      .flatMap((e) => ('record' in e ? [e.record] : []))
      .sort((a, b) => a.app.localeCompare(b.app) || a.revision - b.revision);
  }

  async saveRelease(record: ReleaseRecord): Promise<void> {
    const key = { [Label.app]: record.app, [Label.revision]: String(record.revision) };
    await this.replace(names.releaseRecord(record.app, record.revision), 'release', key, record, {
      [Label.kind]: 'release',
      ...key,
    });
  }

  async pruneHistory(app: string, limit: number): Promise<number> {
    const records = await this.releases(app);
    const excess = records.length - limit;
    if (excess <= 0) return 0;
    const droppable = records.filter((r) => r.status !== 'deployed').slice(0, excess);
    await Promise.all(droppable.map((r) => this.removeAll(releaseFilter(app, r.revision))));
    return droppable.length;
  }

  async deleteReleases(app: string): Promise<void> {
    await this.removeAll({ [Label.kind]: 'release', [Label.app]: app });
  }

  async removals(app?: string): Promise<RemovalRecord[]> {
    const volumes = await this.engine.listVolumes(removalFilter(app));
    return newestByKey(volumes, appKey)
      .flatMap((v) => decodeRemoval(v) ?? [])
      .sort((a, b) => a.app.localeCompare(b.app));
  }

  async saveRemoval(record: RemovalRecord): Promise<void> {
    const key = { [Label.app]: record.app };
    await this.replace(
      names.removal(record.app),
      'removal',
      key,
      record,
      removalFilter(record.app),
    );
  }

  async deleteRemoval(app: string): Promise<void> {
    await this.removeAll(removalFilter(app));
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
          'ksad does not guess secret values: restore the volume, or supply each secret again with --secret NAME=@FILE',
        ],
      },
    );
  }

  /**
   * Writes the next generation into the app's vault, then retires secrets an older ksad kept in
   * volume labels: the vault is read first, so at every instant one or the other holds them.
   */
  async saveSecrets(app: string, values: Record<string, string>): Promise<void> {
    const current = await this.vault.read(app);
    await this.vault.write(app, values, current.state === 'present' ? current.generation : 0);
    await this.removeAll(secretsFilter(app));
  }

  async deleteSecrets(app: string): Promise<void> {
    await this.vault.remove(app);
    await this.removeAll(secretsFilter(app));
  }

  /** The app's secrets: its vault, else what an older ksad kept in labels; null when neither. */
  private async storedSecrets(app: string): Promise<StoredSecrets | null> {
    const vault = await this.vault.read(app);
    const where = `vault ${names.vault(app)}`;
    if (vault.state === 'present') return { app, where, values: vault.values };
    if (vault.state === 'damaged') return { app, where, values: null };
    const [legacy] = newestByKey(await this.engine.listVolumes(secretsFilter(app)), appKey);
    return legacy ? decodeSecrets(legacy) : null;
  }

  async lock(app: string, holder: LockHolder): Promise<() => Promise<void>> {
    const name = names.lock(app);
    await this.engine.createMarker(
      name,
      managedLabels('lock', { [Label.app]: app, [Label.record]: JSON.stringify(holder) }),
    );
    return async () => {
      await this.engine.removeContainer(name, { force: true });
    };
  }

  async lockHolder(app: string): Promise<LockHolder | null> {
    const marker = await this.engine.inspectContainer(names.lock(app));
    return marker ? decodeLockHolder(marker.labels) : null;
  }

  async unlock(app: string): Promise<LockHolder | null> {
    const holder = await this.lockHolder(app);
    if (holder) await this.engine.removeContainer(names.lock(app), { force: true });
    return holder;
  }

  async snapshot(): Promise<StoreSnapshot> {
    const [volumes, locks, vaults] = await Promise.all([
      this.engine.listVolumes(managed),
      this.engine.listContainers({ ...managed, [Label.kind]: 'lock' }),
      this.engine.listContainers({ ...managed, [Label.kind]: 'vault' }),
    ]);
    const apps = new Set([
      ...vaults.map((c) => c.labels[Label.app] ?? ''),
      ...volumes.filter((v) => v.labels[Label.kind] === 'secrets').map(appKey),
    ]);
    const secrets = await Promise.all([...apps].sort().map((app) => this.storedSecrets(app)));
    const ofKind = (kind: string): VolumeInfo[] =>
      volumes.filter((v) => v.labels[Label.kind] === kind);
    const [profileVolume] = newestByKey(ofKind('host'), () => 'host');
    return {
      profile: profileVolume ? decodeProfile(profileVolume) : null,
      records: newestByKey(ofKind('release'), releaseKey).map(decodeRelease),
      secrets: secrets.filter((s): s is StoredSecrets => s !== null),
      locks: locks.map((c) => ({
        app: c.labels[Label.app] ?? '',
        where: `container ${c.name}`,
        holder: decodeLockHolder(c.labels),
      })),
    };
  }

  private async releaseEntries(app?: string): Promise<StoredRecord[]> {
    const filter: Labels = { ...managed, [Label.kind]: 'release' };
    if (app !== undefined) filter[Label.app] = app;
    return newestByKey(await this.engine.listVolumes(filter), releaseKey).map(decodeRelease);
  }

  /**
   * Writes `payload` as the next generation of the record `base`, then retires the older ones:
   * a kill at any point leaves the old value, the new one, or both (the newest wins), never none.
   */
  private async replace(
    base: string,
    kind: 'release' | 'host' | 'secrets' | 'removal',
    key: Labels,
    payload: unknown,
    filter: Labels,
  ): Promise<void> {
    const existing = await this.engine.listVolumes({ ...managed, ...filter });
    const generation = Math.max(-1, ...existing.map((v) => generationOf(v.labels))) + 1;
    const name = generationName(base, generation);
    const labels = recordLabels(kind, key, payload, generation);
    const created = await this.engine.createVolume(name, labels);
    // Creating a name that exists returns the existing volume: its labels tell.
    if (created.labels[Label.record] !== labels[Label.record]) {
      throw new KsadError(
        'INTEGRITY',
        `volume "${name}" exists on the host but does not hold what ksad wrote`,
        {
          suggestions: [`inspect it: docker volume inspect ${name}; remove it if it is not needed`],
        },
      );
    }
    await Promise.all(existing.map((v) => this.engine.removeVolume(v.name)));
  }

  private async removeAll(filter: Labels): Promise<void> {
    const volumes = await this.engine.listVolumes({ ...managed, ...filter });
    await Promise.all(volumes.map((v) => this.engine.removeVolume(v.name)));
  }
}

function releaseFilter(app: string, revision: number): Labels {
  return { [Label.kind]: 'release', [Label.app]: app, [Label.revision]: String(revision) };
}

function removalFilter(app?: string): Labels {
  const filter: Labels = { ...managed, [Label.kind]: 'removal' };
  if (app !== undefined) filter[Label.app] = app;
  return filter;
}

function secretsFilter(app: string): Labels {
  return { [Label.kind]: 'secrets', [Label.app]: app };
}
