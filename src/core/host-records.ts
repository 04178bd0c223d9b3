/**
 * What a release store reads back from a host, whatever it keeps it in: the one shape the audit
 * and the use-cases judge, so no reader parses a store's own format.
 */
import type { HostProfile, ReleaseRecord } from './release.js';

/** Who holds an app's lock, and since when. */
export interface LockHolder {
  user: string;
  hostname: string;
  pid: number;
  command: string;
  since: string;
}

/**
 * One stored release record as read: parsed, or damaged (it does not parse, or was edited by
 * hand). `where` names the stored object (`volume ksad-release-app-r3`) for findings and errors.
 */
export type StoredRecord =
  { where: string; record: ReleaseRecord } | { where: string; damaged: true; app: string };

/** An app's stored secrets as read; `values` is null when they cannot be read. */
export interface StoredSecrets {
  app: string;
  where: string;
  values: Record<string, string> | null;
}

/** A held lock as read; `holder` is null when its holder cannot be read. */
export interface StoredLock {
  app: string;
  where: string;
  holder: LockHolder | null;
}

/** Everything a store holds, read at once: what `ksad audit` judges. */
export interface StoreSnapshot {
  profile: HostProfile | null;
  records: StoredRecord[];
  secrets: StoredSecrets[];
  locks: StoredLock[];
}
