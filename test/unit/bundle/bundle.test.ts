import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScannedBundleImages } from '../../../src/adapters/bundle-archive.js';
import { createBundle, type BundleCreateRequest } from '../../../src/app/bundle-create.js';
import { bundleReport, guardBundleForHost, openBundle } from '../../../src/app/bundle-open.js';
import { entryPathProblem, parseSize } from '../../../src/core/bundle/format.js';
import { chainIds } from '../../../src/core/bundle/image.js';
import type { Catalog } from '../../../src/core/catalog-model.js';
import type { HostProfile, ReleaseRecord } from '../../../src/core/release.js';
import { BundleImageSource } from '../../../src/targets/images/bundle-source.js';
import { checkImageIdentity } from '../../../src/core/image-check.js';
import {
  bundleCatalog,
  bundleFiles,
  createContext,
  generatedImage,
  MemoryImageRegistry,
  openContext,
  packagingKey,
  randomLayer,
  readEntries,
  rewriteBundle,
  writeEntries,
  type GeneratedImage,
} from '../../support/bundle-fixture.js';
import { FakeEngine } from '../../fakes/fake-engine.js';
import { rejection } from '../../support/rejection.js';

const key = packagingKey();
const base = randomLayer(300_000);
let v1: GeneratedImage;
let v2: GeneratedImage;
let catalog: Catalog;
let dir: string;
let full: string;

function request(out: string, over: Partial<BundleCreateRequest> = {}): BundleCreateRequest {
  return {
    refs: ['uji-bundle@1.0.0'],
    out,
    region: '52.04',
    key: key.file,
    splitBytes: null,
    validDays: 30,
    ...over,
  };
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = (await rejection(promise)) as { code: string; message: string };
  return error;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ksad-bundle-unit-'));
  v1 = generatedImage('registry.example.go.id/uji/web', [base, randomLayer(50_000)]);
  v2 = generatedImage('registry.example.go.id/uji/web', [base, randomLayer(60_000)]);
  ({ catalog } = await bundleCatalog({
    app: 'uji-bundle',
    versions: [
      { version: '1.0.0', web: v1.ref },
      { version: '1.1.0', web: v2.ref },
    ],
    keys: [key],
  }));
  full = join(dir, 'full.ksadb');
  await createBundle(
    createContext(new MemoryImageRegistry([v1, v2]), [key]),
    catalog,
    request(full),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('bundle format', () => {
  it('reads sizes and refuses entry paths that could leave their folder', () => {
    expect(parseSize('4G')).toBe(4 * 1024 ** 3);
    expect(parseSize('700M')).toBe(700 * 1024 ** 2);
    expect(parseSize('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('lots')).toBeNull();
    expect(entryPathProblem('../etc/passwd')).toMatch(/"\.\."/);
    expect(entryPathProblem('/etc/passwd')).toMatch(/absolute/);
    expect(entryPathProblem('files/catalog/../x')).toMatch(/"\.\."/);
    expect(entryPathProblem('blobs/sha256/abc')).toMatch(/sha256/);
    expect(entryPathProblem('files/catalog/members/kota-bandung.yaml')).toBeNull();
  });

  it('computes chain ids as the engine does', () => {
    const a = `sha256:${'a'.repeat(64)}`;
    const b = `sha256:${'b'.repeat(64)}`;
    const [first, second] = chainIds([a, b]);
    expect(first).toBe(a);
    expect(second).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(second).not.toBe(b);
  });
});

describe('a bundle made and opened', () => {
  it('verifies with no network and no engine, and says what it proves', async () => {
    const opened = await openBundle(openContext(), full, catalog);
    const report = bundleReport({ clock: { now: () => new Date() } }, opened);
    expect(report.signer).toEqual({ member: 'kota-bandung', keyId: key.id });
    expect(report.apps).toMatchObject([
      { name: 'uji-bundle', version: '1.0.0', signature: 'verified' },
    ]);
    expect(report.apps[0]!.mous).toEqual([{ number: 'MOU/UJI/uji-bundle', status: 'active' }]);
    expect(report.images).toMatchObject([{ ref: v1.ref, layers: 2, included: 2 }]);
    expect(report.region).toEqual({ code: '52.04', name: 'Kabupaten Sumbawa' });
    expect(report.imageEvidence).toMatch(/config digest.*diff ids/);
    expect(report.expired).toBe(false);
  });

  it('loads through the image source into an engine, proven by config digest and diff ids', async () => {
    const opened = await openBundle(openContext(), full, catalog);
    const engine = new FakeEngine();
    const source = new BundleImageSource(
      engine,
      new ScannedBundleImages(bundleFiles, opened.scan, opened.index.images),
    );
    const evidence = await source.provide(v1.ref, () => undefined);
    expect(evidence).toMatchObject({
      kind: 'content',
      configDigest: opened.index.images[0]!.config,
    });
    const info = await source.inspect(v1.ref);
    expect(() => checkImageIdentity(v1.ref, info, evidence, source.name)).not.toThrow();
    expect(source.engineRef(v1.ref)).toBe(opened.index.images[0]!.config);
    // A forged config id is caught by the same check.
    expect(() =>
      checkImageIdentity(
        v1.ref,
        { ...info!, id: `sha256:${'0'.repeat(64)}` },
        evidence,
        source.name,
      ),
    ).toThrow(/not the config/);
  });

  it('is only an expiry warning once expired, since a region offline for months must still install', async () => {
    const later = new Date(Date.now() + 40 * 86_400_000);
    const opened = await openBundle(openContext(later), full, catalog);
    expect(opened.expired).toBe(true);
    expect(opened.warnings[0]).toMatch(/expired on/);
  });

  it('refuses a host of another region, a replayed older bundle and a downgrade unless allowed', async () => {
    const opened = await openBundle(openContext(), full, catalog);
    const profile = (code: string, name: string) => ({ region: { code, name } }) as HostProfile;
    expect(() =>
      guardBundleForHost(opened, profile('35.22', 'Kabupaten Bojonegoro'), 'uji-bundle', [], false),
    ).toThrow(
      /prepared for Kabupaten Sumbawa \(52\.04\), not for this host's region Kabupaten Bojonegoro/,
    );
    const newer = {
      revision: 3,
      version: '1.1.0',
      status: 'deployed',
      catalog: {
        name: opened.catalog.name,
        bundle: { createdAt: '2099-01-01T00:00:00.000Z', index: 'sha256:x' },
      },
    } as ReleaseRecord;
    const sumbawa = profile('52.04', 'Kabupaten Sumbawa');
    expect(() => guardBundleForHost(opened, sumbawa, 'uji-bundle', [newer], false)).toThrow(
      /newer bundle/,
    );
    const running = { ...newer, catalog: { name: 'uji' } } as ReleaseRecord;
    expect(() => guardBundleForHost(opened, sumbawa, 'uji-bundle', [running], false)).toThrow(
      /runs uji-bundle 1\.1\.0/,
    );
    expect(() => guardBundleForHost(opened, sumbawa, 'uji-bundle', [newer], true)).not.toThrow();
  });

  it('refuses to make a bundle for a region no MoU grants the app to', async () => {
    const error = await failure(
      createBundle(
        createContext(new MemoryImageRegistry([v1]), [key]),
        catalog,
        request(join(dir, 'x.ksadb'), { region: '35.22' }),
      ),
    );
    expect(error.code).toBe('NOT_COVERED');
    expect(await readdir(dir)).not.toContain('x.ksadb');
  });
});

describe('transport', () => {
  it('splits into numbered parts and names a missing, truncated or corrupted part', async () => {
    const out = join(dir, 'split.ksadb');
    const made = await createBundle(
      createContext(new MemoryImageRegistry([v1]), [key]),
      catalog,
      request(out, { splitBytes: 128 * 1024 }),
    );
    expect(made.files.map((f) => f.slice(dir.length + 1))).toEqual([
      'split.ksadb.001',
      'split.ksadb.002',
      'split.ksadb.003',
      'split.ksadb.004',
    ]);
    const opened = await openBundle(openContext(), out, catalog);
    expect(opened.index.parts.map((p) => p.name)).toEqual([
      'split.ksadb.001',
      'split.ksadb.002',
      'split.ksadb.003',
    ]);

    // Naming a part stands for the whole bundle.
    await expect(openBundle(openContext(), `${out}.001`, catalog)).resolves.toMatchObject({
      index: { parts: opened.index.parts },
    });

    const second = `${out}.002`;
    const saved = await readFile(second);
    await rm(second);
    expect((await failure(openBundle(openContext(), out, catalog))).message).toMatch(
      /part split\.ksadb\.002 is missing/,
    );
    await writeFile(second, saved.subarray(0, 1000));
    expect((await failure(openBundle(openContext(), out, catalog))).message).toMatch(
      /split\.ksadb\.002: part truncated: 1000 bytes/,
    );
    const flipped = Buffer.from(saved);
    flipped[5000] = (flipped[5000] ?? 0) ^ 1;
    await writeFile(second, flipped);
    const corrupt = await failure(openBundle(openContext(), out, catalog));
    expect(corrupt.code).toBe('INTEGRITY');
    expect(corrupt.message).toMatch(
      /split\.ksadb\.002: this part does not match its checksum|does not match its sha256/,
    );
  });

  it('leaves out the layers an older bundle already carried (--since), and refuses to load without them', async () => {
    const out = join(dir, 'upgrade.ksadb');
    const old = await openBundle(openContext(), full, catalog);
    const chains = new Set(old.index.images.flatMap((i) => i.layers.map((l) => l.chainId)));
    const blobs = new Set(old.index.images.flatMap((i) => i.layers.map((l) => l.digest)));
    const made = await createBundle(createContext(new MemoryImageRegistry([v2]), [key]), catalog, {
      ...request(out, { refs: ['uji-bundle@1.1.0'] }),
      differential: { kind: 'since', base: old.checked.indexDigest, chains, blobs },
    });
    expect(made.images).toMatchObject([{ layers: 2, included: 1, bytes: 60_000 }]);
    const upgrade = await openBundle(openContext(), out, catalog);
    const engine = new FakeEngine();
    const source = new BundleImageSource(
      engine,
      new ScannedBundleImages(bundleFiles, upgrade.scan, upgrade.index.images),
    );
    const missing = await failure(source.provide(v2.ref, () => undefined));
    expect(missing.message).toMatch(/differential bundle and leaves out 1 layer/);
    expect(engine.calls.some((c) => c.method === 'loadImage')).toBe(false);
    // Once the older bundle's image is on the engine, the upgrade loads.
    const first = new BundleImageSource(
      engine,
      new ScannedBundleImages(bundleFiles, old.scan, old.index.images),
    );
    await first.provide(v1.ref, () => undefined);
    await expect(source.provide(v2.ref, () => undefined)).resolves.toMatchObject({
      kind: 'content',
    });
  });
});

describe('hostile bundles: refused, the entry named', () => {
  const layerPath = (image: GeneratedImage, i: number): string =>
    `blobs/sha256/${[...image.blobs.keys()][i + 1]!.slice(7)}`;

  async function refusal(
    name: string,
    write: (out: string) => Promise<void>,
    anchor = catalog,
  ): Promise<string> {
    const out = join(dir, `${name}.ksadb`);
    await write(out);
    const error = await failure(openBundle(openContext(), out, anchor));
    expect(error.code, error.message).toMatch(/INTEGRITY|NOT_FOUND/);
    return error.message;
  }

  it('a flipped byte in a blob', async () => {
    const message = await refusal('flipped', async (out) => {
      const bytes = Buffer.from(await readFile(full));
      const entries = await readEntries(full);
      let at = 0;
      for (const e of entries) {
        at += 512;
        if (e.path === layerPath(v1, 1)) break;
        at += Math.ceil(e.bytes.length / 512) * 512;
      }
      bytes[at + 10] = (bytes[at + 10] ?? 0) ^ 0xff;
      await writeFile(out, bytes);
    });
    expect(message).toContain(`entry "${layerPath(v1, 1)}" does not match its sha256`);
  });

  it('a truncated file', async () => {
    const message = await refusal('truncated', async (out) => {
      await writeFile(out, await readFile(full));
      await truncate(out, 100_000);
    });
    expect(message).toMatch(/truncated inside entry "blobs\/sha256\/[a-f0-9]{64}"/);
  });

  it('an extra entry', async () => {
    const message = await refusal('extra', (out) =>
      rewriteBundle(
        full,
        out,
        (entries) =>
          entries.splice(3, 0, { path: 'files/catalog/mous/extra.yaml', bytes: Buffer.from('x') }),
        null,
      ),
    );
    expect(message).toContain('entry "files/catalog/mous/extra.yaml" is not listed in the index');
  });

  it.each([
    ['dotdot', '../../etc/cron.d/evil', '".." segment'],
    ['absolute', '/etc/cron.d/evil', 'absolute path'],
    ['outside', 'evil.sh', 'not a bundle entry'],
  ])('an entry with a path that escapes (%s)', async (name, path, why) => {
    const message = await refusal(name, async (out) => {
      const entries = await readEntries(full);
      entries.splice(1, 0, { path, bytes: Buffer.from('boom') });
      await writeEntries(out, entries);
    });
    expect(message).toContain(`entry "${path}"`);
    expect(message).toContain(why);
  });

  it.each([
    ['symlink', '2', 'symbolic link'],
    ['hardlink', '1', 'hard link'],
    ['directory', '5', 'directory'],
    ['pax', 'x', 'pax extended header'],
  ])('a %s entry', async (name, type, kind) => {
    const message = await refusal(name, async (out) => {
      const entries = await readEntries(full);
      entries.splice(1, 0, {
        path: 'files/catalog/members/link.yaml',
        bytes: Buffer.alloc(0),
        type,
      });
      await writeEntries(out, entries);
    });
    expect(message).toContain(`entry "files/catalog/members/link.yaml" is a ${kind}`);
  });

  it('an oversized metadata entry is refused before it is read', async () => {
    const message = await refusal('oversized', async (out) => {
      const entries = await readEntries(full);
      entries.splice(1, 0, {
        path: 'files/catalog/mous/huge.yaml',
        bytes: Buffer.alloc(2 * 1024 * 1024, 0x61),
      });
      await writeEntries(out, entries);
    });
    expect(message).toContain('entry "files/catalog/mous/huge.yaml" is 2097152 bytes, over the');
  });

  it('a blob whose digest is not its name, even in a validly signed index', async () => {
    const message = await refusal('misnamed', (out) =>
      rewriteBundle(
        full,
        out,
        (entries) => {
          const layer = entries.find((e) => e.path === layerPath(v1, 1))!;
          layer.bytes = Buffer.concat([layer.bytes.subarray(0, 100), Buffer.from('tampered')]);
        },
        key,
      ),
    );
    expect(message).toContain(`blob "${layerPath(v1, 1)}" is not named by its sha256`);
  });

  it('an index that does not match its signature', async () => {
    const message = await refusal('tampered-index', async (out) => {
      const entries = await readEntries(full);
      const index = entries.find((e) => e.path === 'ksad-bundle/index.json')!;
      index.bytes = Buffer.from(
        index.bytes
          .toString('utf8')
          .replace(/"createdBy": "[^"]*"/, '"createdBy": "mallory@elsewhere"'),
      );
      await writeEntries(out, entries);
    });
    expect(message).toMatch(/does not match its signature by key "bandung-pack-1"/);
  });

  it('a bundle signed by an unknown key, or by a key the trusted catalog revoked', async () => {
    const stranger = packagingKey('stranger-1');
    const unknown = await refusal('unknown-key', (out) =>
      rewriteBundle(full, out, (_e, index) => void (index.signer.keyId = stranger.id), stranger),
    );
    expect(unknown).toMatch(
      /signed by key "stranger-1" of kota-bandung, which is not trusted: .*lists no key "stranger-1"/,
    );
    const { catalog: revoked } = await bundleCatalog({
      app: 'uji-bundle',
      versions: [{ version: '1.0.0', web: v1.ref }],
      keys: [],
    });
    const message = await refusal(
      'revoked',
      async (out) => writeFile(out, await readFile(full)),
      revoked,
    );
    expect(message).toMatch(
      /lists no key "bandung-pack-1" for kota-bandung \(unknown, or removed: revoked\)/,
    );
  });

  it('a manifest that does not verify inside a validly signed bundle', async () => {
    const out = join(dir, 'bad-manifest.ksadb');
    await rewriteBundle(
      full,
      out,
      (entries, index) => {
        const m = entries.find(
          (e) => e.path === 'files/manifests/kota-bandung/uji-bundle/1.0.0.yaml',
        )!;
        m.bytes = Buffer.from(m.bytes.toString('utf8').replace('Selamat datang.', 'Diretas.'));
        index.apps[0]!.digest = `sha256:${createHash('sha256').update(m.bytes).digest('hex')}`;
      },
      key,
    );
    const opened = await openBundle(openContext(), out, catalog);
    const report = bundleReport({ clock: { now: () => new Date() } }, opened);
    expect(report.apps[0]).toMatchObject({ signature: 'invalid' });
    expect(report.apps[0]!.signatureMessage).toMatch(/does not match its signature/);
  });
});
