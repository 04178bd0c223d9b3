import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostProfile, ReleaseRecord, RemovalRecord } from '../../src/core/release.js';
import type { ReleaseStore } from '../../src/ports/release-store.js';
import { rejection } from '../support/rejection.js';

/** What the contract needs from a store under test. */
export interface StoreSubject {
  store: ReleaseStore;
  /** Puts back whatever the host held before (its profile), and removes what the run made. */
  cleanup(): Promise<void>;
}

const profile = (name: string): HostProfile => ({
  region: { code: '52.04', name: 'Kabupaten Sumbawa' },
  name,
  target: 'docker',
  timeZone: 'WITA',
  policy: { bindAddress: '127.0.0.1', allowUnsigned: false, historyLimit: 10 },
  initializedAt: '2026-12-01T00:00:00.000Z',
  initializedBy: 'contract@host',
});

const record = (app: string, revision: number, status: ReleaseRecord['status']): ReleaseRecord => ({
  app,
  publisher: 'kota-bandung',
  version: `1.${revision}.0`,
  revision,
  manifestDigest: `sha256:${'a'.repeat(64)}`,
  manifestFile: `manifests/kota-bandung/${app}/1.${revision}.0.yaml`,
  catalog: { name: 'contract' },
  configHash: `sha256:${String(revision).repeat(64).slice(0, 64)}`,
  services: {},
  levels: [],
  config: { REGION_NAME: 'Kabupaten Sumbawa' },
  secretNames: ['DB_PASSWORD'],
  mou: { kind: 'override', reason: 'contract' },
  deployedBy: 'contract@host',
  deployedAt: '2026-12-01T00:00:00.000Z',
  status,
  description: `revision ${revision}`,
});

const holder = {
  user: 'siti',
  hostname: 'laptop',
  pid: 777,
  command: 'ksad deploy x',
  since: 'now',
};

/**
 * The behaviour every ReleaseStore must show, run against the Docker host's store on the fake
 * engine (unit project) and on a real engine (integration project). Each run uses its own app
 * names; the profile cases restore the host's profile afterwards.
 */
export function releaseStoreContract(name: string, make: () => Promise<StoreSubject>): void {
  describe(`ReleaseStore contract: ${name}`, () => {
    const app = `contract-${randomBytes(4).toString('hex')}`;
    let subject: StoreSubject | undefined;
    const store = (): ReleaseStore => {
      if (!subject) throw new Error('make() failed; see the beforeAll error');
      return subject.store;
    };
    beforeAll(async () => {
      subject = await make();
    });
    afterAll(async () => {
      if (!subject) return;
      await subject.store.deleteReleases(app);
      await subject.store.deleteSecrets(app);
      await subject.store.unlock(app);
      await subject.store.deleteRemoval(app);
      await subject.cleanup();
    });

    it('keeps the profile last saved, and says how to create one when asked to require it', async () => {
      await store().saveProfile(profile('first'));
      await store().saveProfile(profile('second'));
      expect(await store().profile()).toEqual(profile('second'));
      expect(await store().requireProfile()).toEqual(profile('second'));
    });

    it('keeps one record per revision, oldest first, a re-save replacing it', async () => {
      await store().saveRelease(record(app, 1, 'deployed'));
      await store().saveRelease(record(app, 2, 'deployed'));
      await store().saveRelease(record(app, 1, 'superseded'));
      const got = await store().releases(app);
      expect(got.map((r) => [r.revision, r.status])).toEqual([
        [1, 'superseded'],
        [2, 'deployed'],
      ]);
      expect(got[1]).toEqual(record(app, 2, 'deployed'));
      expect((await store().releases()).filter((r) => r.app === app)).toHaveLength(2);
    });

    it('prunes the oldest past the limit, never a deployed one', async () => {
      await store().saveRelease(record(app, 3, 'failed'));
      expect(await store().pruneHistory(app, 2)).toBe(1);
      expect((await store().releases(app)).map((r) => r.revision)).toEqual([2, 3]);
      expect(await store().pruneHistory(app, 1)).toBe(1);
      expect((await store().releases(app)).map((r) => r.revision)).toEqual([2]);
    });

    it('keeps secrets until they are replaced or deleted', async () => {
      expect(await store().secrets(app)).toEqual({});
      await store().saveSecrets(app, { DB_PASSWORD: 'one' });
      await store().saveSecrets(app, { DB_PASSWORD: 'two', SMTP: 'x' });
      expect(await store().secrets(app)).toEqual({ DB_PASSWORD: 'two', SMTP: 'x' });
      await store().deleteSecrets(app);
      expect(await store().secrets(app)).toEqual({});
    });

    it('lets one holder take the lock, names it, and frees it', async () => {
      const release = await store().lock(app, holder);
      expect((await rejection(store().lock(app, { ...holder, pid: 1 }))).code).toBe('LOCKED');
      expect(await store().lockHolder(app)).toEqual(holder);
      await release();
      expect(await store().lockHolder(app)).toBeNull();
      await store().lock(app, holder);
      expect(await store().unlock(app)).toEqual(holder);
      expect(await store().unlock(app)).toBeNull();
    });

    it('shows everything at once in a snapshot', async () => {
      await store().saveSecrets(app, { DB_PASSWORD: 'three' });
      await store().lock(app, holder);
      const snap = await store().snapshot();
      expect(snap.profile).toEqual(profile('second'));
      expect(
        snap.records.flatMap((e) =>
          'record' in e && e.record.app === app ? [e.record.revision] : [],
        ),
      ).toEqual([2]);
      expect(snap.secrets.find((s) => s.app === app)?.values).toEqual({ DB_PASSWORD: 'three' });
      expect(snap.locks.find((l) => l.app === app)?.holder).toEqual(holder);
    });

    it('keeps the latest removal evidence of an app, past the deletion of its records', async () => {
      const removal = (purgedData: boolean): RemovalRecord => ({
        app,
        removedAt: '2026-12-02T00:00:00.000Z',
        removedBy: 'contract@host',
        command: `ksad uninstall ${app}${purgedData ? ' --purge-data --yes' : ''}`,
        purgedData,
        volumesRemoved: purgedData ? [`ksad-${app}-data`] : [],
        revisions: [
          {
            revision: 2,
            version: '1.2.0',
            status: 'uninstalled',
            deployedBy: 'contract@host',
            deployedAt: '2026-12-01T00:00:00.000Z',
          },
        ],
      });
      expect(await store().removals(app)).toEqual([]);
      await store().saveRemoval(removal(false));
      await store().saveRemoval(removal(true));
      await store().deleteReleases(app);
      await store().deleteSecrets(app);
      expect(await store().removals(app)).toEqual([removal(true)]);
      expect((await store().removals()).filter((r) => r.app === app)).toEqual([removal(true)]);
      // Evidence is not a release: the records and the snapshot do not count it as one.
      expect(await store().releases(app)).toEqual([]);
      const snap = await store().snapshot();
      expect(snap.records.filter((e) => ('record' in e ? e.record.app : e.app) === app)).toEqual(
        [],
      );
      await store().deleteRemoval(app);
      expect(await store().removals(app)).toEqual([]);
    });

    it('deletes every record of an app', async () => {
      await store().deleteReleases(app);
      expect(await store().releases(app)).toEqual([]);
    });
  });
}
