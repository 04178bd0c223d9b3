/**
 * Shared by the bundle tests: a catalog (the sample one plus a test app, its MoU and a packaging
 * key), an in-memory registry of generated images, the contexts the bundle use-cases take, and a
 * way to re-write a bundle's entries (re-signed or not) to make hostile bundles.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { FsBundleFiles } from '../../src/adapters/bundle-file.js';
import { FsCatalogFiles } from '../../src/adapters/fs-catalog-files.js';
import { BLOCK, encodeHeader, padding } from '../../src/adapters/ustar.js';
import type { BundleCreateContext } from '../../src/app/bundle-create.js';
import type { BundleOpenContext } from '../../src/app/bundle-open.js';
import { signBundleIndex } from '../../src/core/bundle/check.js';
import { INDEX_PATH, SIGNATURE_PATH, type BundleIndex } from '../../src/core/bundle/format.js';
import { buildCatalog } from '../../src/core/catalog-build.js';
import type { Catalog, SourceFile } from '../../src/core/catalog-model.js';
import {
  formatPrivateKeyFile,
  formatSignatureFile,
  generateSigningKeyPair,
  parsePrivateKeyFile,
  signManifest,
} from '../../src/core/signing.js';
import type { ImageContentRegistry } from '../../src/ports/image-registry.js';
import { silentProgress } from '../../src/ports/progress.js';
import { REPO_ROOT } from './cli.js';
import { appManifest, grantFile } from './deploy-fixture.js';

const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface GeneratedImage {
  ref: string;
  manifest: Buffer;
  blobs: Map<string, Buffer>;
  layers: Buffer[];
}

/** An image of uncompressed "layers" (any bytes serve a registry), pinned by its manifest's digest. */
export function generatedImage(repository: string, layers: readonly Buffer[]): GeneratedImage {
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map(sha) },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: config.length,
        digest: sha(config),
      },
      layers: layers.map((l) => ({
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
        size: l.length,
        digest: sha(l),
      })),
    }),
  );
  const blobs = new Map<string, Buffer>([
    [sha(config), config],
    ...layers.map((l) => [sha(l), l] as [string, Buffer]),
  ]);
  return { ref: `${repository}@${sha(manifest)}`, manifest, blobs, layers: [...layers] };
}

/** Serves generated images as a registry would; counts what it was asked for. */
export class MemoryImageRegistry implements ImageContentRegistry {
  readonly served: string[] = [];
  constructor(private readonly images: readonly GeneratedImage[]) {}

  manifestBytes(reference: string): Promise<{ bytes: Uint8Array; mediaType: string | null }> {
    const image = this.images.find((i) => i.ref === reference);
    if (!image) return Promise.reject(new Error(`no image ${reference}`));
    return Promise.resolve({ bytes: image.manifest, mediaType: null });
  }

  async *blob(reference: string, digest: string): AsyncGenerator<Uint8Array> {
    const blob = this.images.find((i) => i.ref === reference)?.blobs.get(digest);
    if (!blob) throw new Error(`no blob ${digest}`);
    this.served.push(digest);
    await Promise.resolve();
    yield blob;
  }
}

export interface PackagingKey {
  id: string;
  publicKey: string;
  file: string;
  text: string;
}

export function packagingKey(id = 'bandung-pack-1'): PackagingKey {
  const pair = generateSigningKeyPair();
  return {
    id,
    publicKey: pair.publicKey,
    file: `/keys/${id}.key`,
    text: formatPrivateKeyFile(id, 'kota-bandung', pair.privateKeyPem),
  };
}

/**
 * The sample catalog with `app` (one web service per image given), an MoU granting it to
 * Kabupaten Sumbawa, and `keys` listed for Kota Bandung; each manifest signed by the first key.
 */
export async function bundleCatalog(opts: {
  app: string;
  versions: Array<{ version: string; web: string }>;
  keys: readonly PackagingKey[];
  grantees?: string[];
  httpPort?: number;
}): Promise<{ catalog: Catalog; files: SourceFile[] }> {
  const base = await new FsCatalogFiles(REPO_ROOT).readCatalogFiles(REPO_ROOT);
  const files = base.map((f) =>
    f.path === 'catalog/members/kota-bandung.yaml'
      ? {
          ...f,
          text:
            f.text +
            opts.keys
              .map(
                (k) => `  - id: ${k.id}\n    algorithm: ed25519\n    publicKey: ${k.publicKey}\n`,
              )
              .join(''),
        }
      : f,
  );
  const signer = opts.keys[0] ? parsePrivateKeyFile('key', opts.keys[0].text) : undefined;
  for (const v of opts.versions) {
    const path = `manifests/kota-bandung/${opts.app}/${v.version}.yaml`;
    const text = appManifest({
      name: opts.app,
      version: v.version,
      services: ['web'],
      images: { web: v.web },
      regionName: 'Sumbawa',
      ...(opts.httpPort === undefined ? {} : { httpPort: opts.httpPort }),
    });
    files.push({ path, text });
    if (signer && opts.keys[0])
      files.push({
        path: `${path}.sig`,
        text: formatSignatureFile(signManifest(path, text, opts.keys[0].id, signer.key)),
      });
  }
  for (const [path, text] of Object.entries(
    grantFile(opts.app, {
      number: `MOU/UJI/${opts.app}`,
      grantees: opts.grantees ?? ['52.04'],
      apps: [opts.app],
    }),
  ))
    files.push({ path, text });
  return { catalog: buildCatalog({ name: 'uji', root: '/uji', files }), files };
}

export const bundleFiles = new FsBundleFiles();

export function createContext(
  registry: ImageContentRegistry,
  keys: readonly PackagingKey[],
  now = new Date(),
): BundleCreateContext {
  return {
    bundles: bundleFiles,
    registry,
    keys: {
      defaultDir: () => '/keys',
      resolvePath: (p) => p,
      workTreeOf: () => Promise.resolve(null),
      writePrivateKey: () => Promise.reject(new Error('not here')),
      readPrivateKey: (path) => {
        const key = keys.find((k) => k.file === path);
        return key ? Promise.resolve(key.text) : Promise.reject(new Error(`no key ${path}`));
      },
    },
    clock: { now: () => now },
    operator: { user: 'uji', hostname: 'provinsi', pid: 1 },
    progress: silentProgress,
  };
}

export function openContext(now = new Date()): BundleOpenContext {
  return { bundles: bundleFiles, clock: { now: () => now }, progress: silentProgress };
}

export interface Entry {
  path: string;
  bytes: Buffer;
  /** A ustar type flag other than a regular file ('2' a symbolic link …). */
  type?: string;
}

/** Every entry of a bundle file (one file, not split), in order. */
export async function readEntries(file: string): Promise<Entry[]> {
  const scan = await bundleFiles.scan(file);
  const out: Entry[] = [];
  for (const e of scan.entries)
    out.push({ path: e.path, bytes: Buffer.from(await bundleFiles.read(scan, e.path)) });
  return out;
}

/** Writes `entries` as a tar, byte for byte as given (no index rebuilt). */
export async function writeEntries(file: string, entries: readonly Entry[]): Promise<void> {
  const chunks: Buffer[] = [];
  for (const e of entries) {
    const header = rawHeader(e.path, e.bytes.length, e.type ?? '0');
    chunks.push(header, e.bytes, Buffer.alloc(padding(e.bytes.length)));
  }
  chunks.push(Buffer.alloc(BLOCK * 2));
  await writeFile(file, Buffer.concat(chunks));
}

/** A ustar header with any name and type flag (a hostile tar needs names ksad never writes). */
function rawHeader(name: string, size: number, type: string): Buffer {
  if (Buffer.byteLength(name) <= 100 && type === '0') return encodeHeader(name, size);
  const block = encodeHeader('x', size);
  block.fill(0, 0, 100);
  block.write(name.slice(0, 100), 0, 'utf8');
  block[156] = type.charCodeAt(0);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

/**
 * Re-writes a bundle after `mutate` changed its data entries, with an index rebuilt to match and
 * signed by `key` (as someone holding a key would), or with the old index left as it was.
 */
export async function rewriteBundle(
  file: string,
  out: string,
  mutate: (entries: Entry[], index: BundleIndex) => void,
  key: PackagingKey | null,
): Promise<void> {
  const all = await readEntries(file);
  const index = JSON.parse(
    all.find((e) => e.path === INDEX_PATH)!.bytes.toString('utf8'),
  ) as BundleIndex;
  const data = all.filter((e) => e.path !== INDEX_PATH && e.path !== SIGNATURE_PATH);
  mutate(data, index);
  let indexEntry = all.find((e) => e.path === INDEX_PATH)!;
  let sigEntry = all.find((e) => e.path === SIGNATURE_PATH)!;
  if (key) {
    index.entries = data.map((e) => ({
      path: e.path,
      size: e.bytes.length,
      sha256: sha(e.bytes).slice(7),
    }));
    const bytes = Buffer.from(`${JSON.stringify(index, null, 1)}\n`);
    indexEntry = { path: INDEX_PATH, bytes };
    sigEntry = {
      path: SIGNATURE_PATH,
      bytes: Buffer.from(signBundleIndex(bytes, key.id, parsePrivateKeyFile('k', key.text).key)),
    };
  }
  await writeEntries(out, [...data, indexEntry, sigEntry]);
}

export function randomLayer(bytes: number): Buffer {
  return randomBytes(bytes);
}
