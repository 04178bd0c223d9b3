/**
 * Where a target keeps what ksad knows about it: the host profile, every release revision, the
 * secrets each app uses and the per-app lock. It lives on the target itself (never in a local
 * file), so a second engineer or an auditor reads the same truth. Implemented for a Docker host by
 * `targets/docker-host/release-store.ts`; `test/contract/release-store.contract.ts` runs against it
 * on the fake engine and on a real one.
 *
 * Every write is crash-atomic: the new value is written under a new name before the old one is
 * retired, so at no instant is a record, a secret set or the profile absent or half-written.
 */
import type { HostProfile, ReleaseRecord, RemovalRecord } from '../core/release.js';
import type { LockHolder, StoreSnapshot } from '../core/host-records.js';

export type * from '../core/host-records.js';

export interface ReleaseStore {
  profile(): Promise<HostProfile | null>;
  /** The profile, or NOT_FOUND telling how to create one. */
  requireProfile(): Promise<HostProfile>;
  saveProfile(profile: HostProfile): Promise<void>;

  /** Every readable release record of `app` (or of every app), by app then oldest revision first. */
  releases(app?: string): Promise<ReleaseRecord[]>;
  saveRelease(record: ReleaseRecord): Promise<void>;
  /** Drops the oldest records past `limit`, never a `deployed` one; returns how many went. */
  pruneHistory(app: string, limit: number): Promise<number>;
  deleteReleases(app: string): Promise<void>;

  /** What the host keeps of each uninstalled app (or of `app`), by app; damaged ones are skipped. */
  removals(app?: string): Promise<RemovalRecord[]>;
  /** Keeps `record` as the app's removal evidence, replacing an earlier one. */
  saveRemoval(record: RemovalRecord): Promise<void>;
  /** Forgets the app's removal evidence (a test's cleanup; ksad itself keeps it). */
  deleteRemoval(app: string): Promise<void>;

  /** The app's stored secret values ({} when none); INTEGRITY when they cannot be read. */
  secrets(app: string): Promise<Record<string, string>>;
  saveSecrets(app: string, values: Record<string, string>): Promise<void>;
  deleteSecrets(app: string): Promise<void>;

  /**
   * Takes the app's lock, atomically, or fails with LOCKED naming the holder. Returns the release.
   */
  lock(app: string, holder: LockHolder): Promise<() => Promise<void>>;
  lockHolder(app: string): Promise<LockHolder | null>;
  /** Clears the lock; returns who held it (null: it was not held). */
  unlock(app: string): Promise<LockHolder | null>;

  /** Everything at once, damaged entries included. */
  snapshot(): Promise<StoreSnapshot>;
}
