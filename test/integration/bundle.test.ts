/**
 * Offline bundles on the real engine, through the built CLI: a bundle is made from the local
 * registry, then installed through an engine proxy that refuses every pull (the registry is
 * switched off for the host), the app answers; an upgrade comes as a differential bundle made
 * from the host's inventory; a damaged bundle and a split one with a part missing are refused
 * with the engine untouched; an older bundle is refused as a downgrade.
 */
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTag } from '../../src/core/bundle/image.js';
import { ExitCode } from '../../src/core/errors.js';
import { bundleCatalog, packagingKey } from '../support/bundle-fixture.js';
import { writeFiles } from '../support/catalog-fixture.js';
import { guardHostProfile, httpGet, KsadCli, uniqueName } from '../support/deploy-fixture.js';
import { buildTestImage, cleanupByLabel, requireEngine, type Engine } from '../support/engine.js';
import { onRequests, startEngineProxy, type EngineProxy } from '../support/engine-proxy.js';

const APP = uniqueName('uji-bundle');
const PORT = 19317;
const key = packagingKey('bandung-pack-it');

let engine: Engine;
let proxy: EngineProxy;
let dir: string;
let catalogRoot: string;
let keyFile: string;
let provincial: KsadCli;
let regency: KsadCli;
let images: { v1: string; v2: string };
let restoreProfile: () => Promise<void> = () => Promise.resolve();

const webFiles = (page: string) => ({
  'ksad/entrypoint.sh': '#!/bin/sh\nexec /bin/busybox httpd -f -p 8080 -h /www\n',
  'www/healthz': 'ok\n',
  'www/index.html': `${page}\n`,
});

/** Requests that would bring an image in from a registry, or change anything on the engine. */
const pulls = () =>
  proxy.requests.filter((r) => r.method === 'POST' && r.path.includes('/images/create'));
const writes = () =>
  proxy.requests.filter(
    (r) => r.method !== 'GET' && r.method !== 'HEAD' && !r.path.includes('/images/create'),
  );

async function removeImage(ref: string): Promise<void> {
  try {
    await engine.docker.getImage(ref).remove({ force: true });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
}

beforeAll(async () => {
  engine = await requireEngine();
  const guard = await guardHostProfile(engine.docker);
  restoreProfile = () => guard.restore();
  images = {
    v1: await buildTestImage(`${APP}-web`, webFiles(`${APP} versi 1`), { exposedPorts: ['8080'] }),
    v2: await buildTestImage(`${APP}-web`, webFiles(`${APP} versi 2`), { exposedPorts: ['8080'] }),
  };
  dir = await mkdtemp(join(tmpdir(), 'ksad-bundle-it-'));
  catalogRoot = join(dir, 'catalog');
  const { files } = await bundleCatalog({
    app: APP,
    versions: [
      { version: '1.0.0', web: images.v1 },
      { version: '1.1.0', web: images.v2 },
    ],
    keys: [key],
    httpPort: PORT,
  });
  await writeFiles(catalogRoot, Object.fromEntries(files.map((f) => [f.path, f.text])));
  keyFile = join(dir, 'pack.key');
  await writeFile(keyFile, key.text, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  provincial = new KsadCli({ home: join(dir, 'home-prov'), dockerHost: engine.dockerHost });
  // The regency's host: every pull is refused, as when no registry can be reached.
  proxy = await startEngineProxy({
    upstream: engine.dockerHost,
    decide: onRequests((r) => r.path.includes('/images/create'), {
      status: 500,
      message: 'Get "http://registry/v2/": dial tcp: connect: network is unreachable',
    }),
  });
  regency = new KsadCli({ home: join(dir, 'home-regency'), dockerHost: proxy.dockerHost });
  const init = await regency.run([
    'host',
    'init',
    '--region',
    '52.04',
    '--catalog',
    catalogRoot,
    '--json',
  ]);
  expect(init.status, init.said).toBe(ExitCode.OK);
  guard.wrote(init.json.profile);
  // Nothing of the app's images is on the engine: only the bundle can bring them.
  await removeImage(images.v1);
  await removeImage(images.v2);
});

afterAll(async () => {
  try {
    if (regency) await regency.run(['uninstall', APP, '--purge-data', '--yes', '--json']);
    if (engine) await cleanupByLabel(`id.ksad.app=${APP}`);
    const list = engine ? await engine.docker.listImages() : [];
    for (const i of list)
      if ((i.RepoTags ?? []).some((t) => t.includes(`/ksad-test/${APP}-web`)))
        await removeImage(i.Id);
  } finally {
    await proxy?.close();
    await restoreProfile();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
});

const bundle = (name: string): string => join(dir, name);
const deployFrom = (file: string, ...extra: string[]) =>
  regency.run(['deploy', APP, '--bundle', file, '--catalog', catalogRoot, ...extra, '--json']);

describe(`offline bundles (${APP})`, () => {
  it('is made from the local registry and verifies with no engine', async () => {
    const made = await provincial.run([
      'bundle',
      'create',
      `${APP}@1.0.0`,
      '--region',
      '52.04',
      '--key',
      keyFile,
      '--out',
      bundle('full.ksadb'),
      '--catalog',
      catalogRoot,
      '--json',
    ]);
    expect(made.status, made.said).toBe(ExitCode.OK);
    expect(made.json).toMatchObject({
      apps: [{ name: APP, version: '1.0.0' }],
      images: [{ ref: images.v1, layers: 2, included: 2 }],
      signer: { member: 'kota-bandung', keyId: key.id },
      region: { code: '52.04' },
    });
    const verified = await provincial.run(
      ['bundle', 'verify', bundle('full.ksadb'), '--catalog', catalogRoot, '--json'],
      {
        env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
      },
    );
    expect(verified.status, verified.said).toBe(ExitCode.OK);
    expect(verified.json.apps).toMatchObject([{ name: APP, signature: 'verified' }]);
    expect(verified.json.imageEvidence).toMatch(/config digest/);
  });

  it('installs on a host that cannot reach any registry, and the app answers', async () => {
    const deployed = await deployFrom(bundle('full.ksadb'));
    expect(deployed.status, deployed.said).toBe(ExitCode.OK);
    expect(deployed.json).toMatchObject({ app: APP, version: '1.0.0', outcome: 'installed' });
    expect(pulls()).toEqual([]);
    const page = await httpGet(`http://127.0.0.1:${PORT}/`);
    expect(page.body).toContain(`${APP} versi 1`);
    // A loaded image carries no registry digest: the engine knows it by its config digest.
    const info = await engine.docker.getImage(loadTag(images.v1)).inspect();
    expect(info.RepoDigests ?? []).toEqual([]);
  });

  it('upgrades from a differential bundle made from the host inventory: one layer, not the image', async () => {
    const inventory = bundle('host-inventory.json');
    const inv = await regency.run(['host', 'inventory', '--out', inventory, '--json']);
    expect(inv.status, inv.said).toBe(ExitCode.OK);
    const made = await provincial.run([
      'bundle',
      'create',
      `${APP}@1.1.0`,
      '--region',
      '52.04',
      '--key',
      keyFile,
      '--for-host',
      inventory,
      '--out',
      bundle('upgrade.ksadb'),
      '--catalog',
      catalogRoot,
      '--json',
    ]);
    expect(made.status, made.said).toBe(ExitCode.OK);
    expect(made.json.images).toMatchObject([{ ref: images.v2, layers: 2, included: 1 }]);
    const [full, upgrade] = await Promise.all([
      stat(bundle('full.ksadb')),
      stat(bundle('upgrade.ksadb')),
    ]);
    expect(upgrade.size).toBeLessThan(full.size / 10);
    const deployed = await deployFrom(bundle('upgrade.ksadb'));
    expect(deployed.status, deployed.said).toBe(ExitCode.OK);
    expect(deployed.json).toMatchObject({ version: '1.1.0', outcome: 'upgraded' });
    expect((await httpGet(`http://127.0.0.1:${PORT}/`)).body).toContain(`${APP} versi 2`);
    expect(pulls()).toEqual([]);
    // The auditor sees the loaded image proved by its config digest: no drift, no integrity finding.
    const audit = await regency.run(['audit', APP, '--catalog', catalogRoot, '--json']);
    expect(audit.status, audit.said).toBe(ExitCode.OK);
    const findings = (
      audit.json.apps[0].findings as Array<{ category: string; message: string }>
    ).filter((f) => f.category === 'drift' || f.category === 'integrity');
    expect(findings).toEqual([]);
  });

  it('refuses an older bundle than the host installed from (a replay)', async () => {
    const refused = await deployFrom(bundle('full.ksadb'));
    expect(refused.status, refused.said).toBe(ExitCode.INTEGRITY);
    expect(refused.json.error.message).toMatch(/newer bundle|runs .* 1\.1\.0/);
  });

  it('refuses a damaged bundle and a split one with a part missing, the engine untouched', async () => {
    const bytes = Buffer.from(await readFile(bundle('full.ksadb')));
    const at = bytes.length - 300_000;
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    await writeFile(bundle('damaged.ksadb'), bytes);
    const before = writes().length;
    const damaged = await deployFrom(bundle('damaged.ksadb'), '--allow-downgrade');
    expect(damaged.status, damaged.said).toBe(ExitCode.INTEGRITY);
    expect(damaged.json.error.message).toMatch(
      /entry "blobs\/sha256\/[a-f0-9]{64}" does not match its sha256/,
    );

    const split = await provincial.run([
      'bundle',
      'create',
      `${APP}@1.0.0`,
      '--key',
      keyFile,
      '--split',
      '1M',
      '--out',
      bundle('split.ksadb'),
      '--catalog',
      catalogRoot,
      '--json',
    ]);
    expect(split.status, split.said).toBe(ExitCode.OK);
    expect((await readdir(dir)).filter((f) => f.startsWith('split.ksadb.')).length).toBeGreaterThan(
      2,
    );
    await rm(bundle('split.ksadb.002'));
    const missing = await deployFrom(bundle('split.ksadb'), '--allow-downgrade');
    expect(missing.status, missing.said).toBe(ExitCode.INTEGRITY);
    expect(missing.json.error.message).toContain('part split.ksadb.002 is missing');
    expect(writes().length).toBe(before);
  });
});
