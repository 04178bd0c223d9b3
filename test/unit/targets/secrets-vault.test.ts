import { describe, expect, it } from 'vitest';
import { Label, managedLabels, names } from '../../../src/core/labels.js';
import { DockerHostReleaseStore } from '../../../src/targets/docker-host/release-store.js';
import { FakeEngine } from '../../fakes/fake-engine.js';
import { rejection } from '../../support/rejection.js';

const APP = 'antrean-daring';
const VALUES = { DB_PASSWORD: 'kata-sandi-rahasia-0123456789' };

/** Every label on every container and volume the engine has, as one text. */
async function allLabels(engine: FakeEngine): Promise<string> {
  const [containers, volumes] = await Promise.all([
    engine.listContainers({}),
    engine.listVolumes({}),
  ]);
  return JSON.stringify([...containers, ...volumes].map((r) => r.labels));
}

describe("the Docker host's secrets vault", () => {
  it('keeps secrets only in files of its volume: no label holds a value', async () => {
    const engine = new FakeEngine();
    const store = new DockerHostReleaseStore(engine);
    await store.saveSecrets(APP, VALUES);
    expect(await store.secrets(APP)).toEqual(VALUES);
    expect(await allLabels(engine)).not.toContain(VALUES.DB_PASSWORD);
    const files = await engine.readFiles(names.vault(APP), '/vault');
    expect(Object.keys(files ?? {})).toEqual(['slot-1.json']);
  });

  it('reads the previous generation when the newest slot was half-written', async () => {
    const engine = new FakeEngine();
    const store = new DockerHostReleaseStore(engine);
    await store.saveSecrets(APP, VALUES); // generation 1, slot 1
    await store.saveSecrets(APP, { ...VALUES, SMTP_PASSWORD: 'dua' }); // generation 2, slot 0
    // A kill in the middle of writing generation 3 (slot 1) leaves a torn file there.
    const torn = Buffer.from('{"generation":3,"values":{"DB_PASSWORD":"kata-sa');
    await engine.putFiles(names.vault(APP), '/vault', [
      { name: 'slot-1.json', content: torn, mode: 0o600 },
    ]);
    expect(await store.secrets(APP)).toEqual({ ...VALUES, SMTP_PASSWORD: 'dua' });
    await store.saveSecrets(APP, { DB_PASSWORD: 'tiga' });
    expect(await store.secrets(APP)).toEqual({ DB_PASSWORD: 'tiga' });
  });

  it('refuses to guess when no slot is intact', async () => {
    const engine = new FakeEngine();
    const store = new DockerHostReleaseStore(engine);
    await store.saveSecrets(APP, VALUES);
    await engine.putFiles(names.vault(APP), '/vault', [
      {
        name: 'slot-1.json',
        content: Buffer.from('{"generation":1,"values":{},"sha256":"x"}'),
        mode: 0o600,
      },
    ]);
    const error = await rejection(store.secrets(APP));
    expect(error.code).toBe('INTEGRITY');
    expect(error.message).toContain(`vault ${names.vault(APP)}`);
    const snapshot = await store.snapshot();
    expect(snapshot.secrets).toEqual([
      { app: APP, where: `vault ${names.vault(APP)}`, values: null },
    ]);
  });

  it('reads secrets an older ksad kept in labels, and moves them into the vault on the next write', async () => {
    const engine = new FakeEngine();
    await engine.createVolume(
      names.secrets(APP),
      managedLabels('secrets', { [Label.app]: APP, [Label.record]: JSON.stringify(VALUES) }),
    );
    const store = new DockerHostReleaseStore(engine);
    expect(await store.secrets(APP)).toEqual(VALUES);
    await store.saveSecrets(APP, VALUES);
    expect(await engine.inspectVolume(names.secrets(APP))).toBeNull();
    expect(await store.secrets(APP)).toEqual(VALUES);
    expect(await allLabels(engine)).not.toContain(VALUES.DB_PASSWORD);
  });

  it('removes the vault, its marker and any label-kept secrets on delete', async () => {
    const engine = new FakeEngine();
    const store = new DockerHostReleaseStore(engine);
    await store.saveSecrets(APP, VALUES);
    await store.deleteSecrets(APP);
    expect(await store.secrets(APP)).toEqual({});
    expect(await engine.inspectContainer(names.vault(APP))).toBeNull();
    expect(await engine.inspectVolume(names.vault(APP))).toBeNull();
  });
});
