import { describe, expect, it } from 'vitest';
import type { HostProfile, ReleaseRecord } from '../../../src/core/release.js';
import type { ReleaseStore } from '../../../src/ports/release-store.js';
import { DockerHostReleaseStore } from '../../../src/targets/docker-host/release-store.js';
import { FakeEngine } from '../../fakes/fake-engine.js';
import { dyingEngine, Killed } from '../../support/dying-engine.js';

/*
 * Every write to the host's state is crash-atomic: killed right after any engine call of a write,
 * the store still reads the old value or the new one, never nothing and never a mix.
 */

const APP = 'antrean-daring';
const profile = (name: string): HostProfile => ({
  region: { code: '52.04', name: 'Kabupaten Sumbawa' },
  name,
  target: 'docker',
  policy: { bindAddress: '127.0.0.1', allowUnsigned: false, historyLimit: 10 },
  initializedAt: '2026-12-01T00:00:00.000Z',
  initializedBy: 'budi@host',
});
const record = (status: ReleaseRecord['status']): ReleaseRecord => ({
  app: APP,
  publisher: 'kota-bandung',
  version: '2.0.0',
  revision: 2,
  manifestDigest: `sha256:${'a'.repeat(64)}`,
  manifestFile: 'manifests/kota-bandung/antrean-daring/2.0.0.yaml',
  catalog: { name: 'sample' },
  configHash: `sha256:${'b'.repeat(64)}`,
  services: {},
  levels: [],
  config: {},
  secretNames: ['DB_PASSWORD'],
  mou: { kind: 'override', reason: 'test' },
  deployedBy: 'budi@host',
  deployedAt: '2026-12-01T00:00:00.000Z',
  status,
  description: 'upgrade',
});

interface Case<T> {
  name: string;
  seed: (store: ReleaseStore) => Promise<void>;
  write: (store: ReleaseStore) => Promise<void>;
  read: (store: ReleaseStore) => Promise<T>;
  before: T;
  after: T;
}

const cases: Array<Case<unknown>> = [
  {
    name: 'secrets replaced (a secret added)',
    seed: (s) => s.saveSecrets(APP, { DB_PASSWORD: 'first' }),
    write: (s) => s.saveSecrets(APP, { DB_PASSWORD: 'first', SMTP_PASSWORD: 'second' }),
    read: (s) => s.secrets(APP),
    before: { DB_PASSWORD: 'first' },
    after: { DB_PASSWORD: 'first', SMTP_PASSWORD: 'second' },
  },
  {
    name: 'a revision record rewritten (deployed → superseded)',
    seed: (s) => s.saveRelease(record('deployed')),
    write: (s) => s.saveRelease(record('superseded')),
    read: async (s) => (await s.releases(APP)).map((r) => r.status),
    before: ['deployed'],
    after: ['superseded'],
  },
  {
    name: 'the host profile replaced by a second host init',
    seed: (s) => s.saveProfile(profile('first')),
    write: (s) => s.saveProfile(profile('second')),
    read: async (s) => (await s.profile())?.name,
    before: 'first',
    after: 'second',
  },
];

describe('the Docker host store killed after every engine call of a write', () => {
  for (const c of cases) {
    it(`${c.name}: the old value or the new one is always there`, async () => {
      const whole = dyingEngine(new FakeEngine(), Infinity);
      await c.seed(new DockerHostReleaseStore(whole));
      const seeded = whole.count();
      await c.write(new DockerHostReleaseStore(whole));
      const calls = whole.count() - seeded;
      expect(calls).toBeGreaterThan(1);

      const seen = new Set<string>();
      for (let n = 0; n <= calls; n++) {
        const engine = new FakeEngine();
        await c.seed(new DockerHostReleaseStore(engine));
        const dying = new DockerHostReleaseStore(dyingEngine(engine, n));
        const outcome = await c.write(dying).then(
          () => 'done',
          (e: unknown) => (e instanceof Killed ? 'killed' : e),
        );
        expect(outcome === 'done' || outcome === 'killed').toBe(true);
        const after = new DockerHostReleaseStore(engine);
        const value = await c.read(after);
        expect([c.before, c.after]).toContainEqual(value);
        seen.add(JSON.stringify(value));
        // The next write after a kill finishes the job and leaves one value.
        await c.write(after);
        expect(await c.read(after)).toEqual(c.after);
      }
      expect(seen).toEqual(new Set([JSON.stringify(c.before), JSON.stringify(c.after)]));
    });
  }
});
