import {
  blobPath,
  BUNDLE_FORMAT,
  FILES_PREFIX,
  OCI_INDEX_PATH,
  OCI_LAYOUT_PATH,
  type BundleApp,
  type BundleImage,
  type BundleIndex,
  type IndexEntry,
} from '../core/bundle/format.js';
import { signBundleIndex } from '../core/bundle/check.js';
import {
  chainIds,
  describeImage,
  parseImageConfig,
  parseImageManifest,
} from '../core/bundle/image.js';
import { catalogSourceText } from '../core/catalog-build.js';
import type { Catalog, LoadedManifest, LoadedMou } from '../core/catalog-model.js';
import { KsadError } from '../core/errors.js';
import { pinnedDigest } from '../core/image-check.js';
import { coverage } from '../core/mou-rules.js';
import { officialRegion } from '../core/regions.js';
import { parseAppRef, resolveVersion } from '../core/resolve.js';
import { parsePrivateKeyFile, signatureFileOf } from '../core/signing.js';
import type { BundleFiles, BundleWriter } from '../ports/bundle-files.js';
import type { Clock } from '../ports/clock.js';
import type { Operator } from '../ports/identity.js';
import { RegistryError, type ImageContentRegistry } from '../ports/image-registry.js';
import type { KeyStore } from '../ports/key-store.js';
import type { Progress } from '../ports/progress.js';
import { calendarOf } from './calendar.js';
import { verifyManifest } from './verify.js';

export interface BundleCreateContext {
  bundles: BundleFiles;
  registry: ImageContentRegistry;
  keys: KeyStore;
  clock: Clock;
  operator: Operator;
  progress: Progress;
}

/** What a differential bundle may leave out: layers (by chain id) and blobs (by digest) the target has. */
export interface DifferentialBase {
  kind: 'for-host' | 'since';
  base: string;
  chains: ReadonlySet<string>;
  blobs: ReadonlySet<string>;
}

export interface BundleCreateRequest {
  refs: readonly string[];
  out: string;
  /** The region it is prepared for: every app must be granted to it now. */
  region?: string | undefined;
  /** The packaging key file. */
  key: string;
  splitBytes: number | null;
  /** Days until the bundle counts as expired (a warning on install). */
  validDays: number;
  differential?: DifferentialBase | undefined;
}

export interface BundleCreated {
  files: string[];
  bytes: number;
  apps: Array<{ publisher: string; name: string; version: string }>;
  images: Array<{ ref: string; layers: number; included: number; bytes: number }>;
  mous: string[];
  region: BundleIndex['region'];
  signer: BundleIndex['signer'];
  createdAt: string;
  expiresAt: string;
  differential: BundleIndex['differential'];
  catalog: BundleIndex['catalog'];
}

/** A manifest's images, each pinned reference once. */
function imagesOf(loaded: LoadedManifest): string[] {
  return [...new Set(Object.values(loaded.manifest.services).map((s) => s.image))].sort();
}

/** The MoUs that grant `loaded`: to `region` now, or (with no region) any that names the app. */
function grantingMous(
  catalog: Catalog,
  loaded: LoadedManifest,
  region: string | undefined,
  day: string,
): LoadedMou[] {
  if (region !== undefined) {
    const { covering, inactive } = coverage(catalog, loaded, region, day);
    if (covering.length > 0) return covering;
    const { name, version } = loaded.manifest;
    throw new KsadError(
      'NOT_COVERED',
      `no active MoU grants ${name}@${version} to region ${region}`,
      {
        details: inactive.map(({ mou, reason }) => `${mou.file}: ${mou.mou.number}: ${reason}`),
        suggestions: [`see: ksad mou list --region ${region}`],
      },
    );
  }
  return catalog.mous.filter((m) => m.mou.apps.some((a) => a.name === loaded.manifest.name));
}

/** The catalog files a bundle carries, as catalog-relative path → text. */
function catalogFiles(
  catalog: Catalog,
  apps: readonly LoadedManifest[],
  mous: readonly LoadedMou[],
): Map<string, string> {
  const out = new Map<string, string>();
  const add = (file: string): void => {
    const text = catalogSourceText(catalog, file);
    if (text === undefined) throw new Error(`catalog text of ${file} is not kept`);
    out.set(file, text);
  };
  add('catalog/catalog.yaml');
  for (const m of catalog.members) add(m.file);
  for (const m of mous) add(m.file);
  for (const a of apps) {
    add(a.file);
    if (a.signature !== undefined) out.set(signatureFileOf(a.file), a.signature);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The image's description, from its manifest and config as the registry serves them. */
async function readImage(
  ctx: BundleCreateContext,
  ref: string,
  differential: DifferentialBase | undefined,
): Promise<{ image: BundleImage; manifest: Uint8Array; config: Uint8Array }> {
  const pinned = pinnedDigest(ref);
  if (pinned === null) throw new KsadError('INVALID', `image ${ref} is not pinned by digest`);
  const { bytes } = await ctx.registry.manifestBytes(ref);
  const manifest = parseImageManifest(ref, bytes, pinned);
  const chunks: Uint8Array[] = [];
  for await (const c of ctx.registry.blob(ref, manifest.config.digest)) chunks.push(c);
  const config = concat(chunks);
  const diffIds = parseImageConfig(ref, config, manifest.config.digest);
  const image = describeImage(ref, pinned, manifest, diffIds, (layer) =>
    differential === undefined
      ? false
      : differential.chains.has(layer.chainId) || differential.blobs.has(layer.digest),
  );
  return { image, manifest: bytes, config };
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The signer: the member of the catalog that lists the key file's public key. */
async function packagingKey(ctx: BundleCreateContext, catalog: Catalog, keyFile: string) {
  const key = parsePrivateKeyFile(keyFile, await ctx.keys.readPrivateKey(keyFile));
  for (const m of catalog.members) {
    const listed = m.member.keys.find((k) => k.publicKey === key.publicKey);
    if (listed) return { member: m.slug, keyId: listed.id, key: key.key };
  }
  throw new KsadError(
    'INTEGRITY',
    `the key in ${keyFile} is not listed for any member of catalog "${catalog.name}"`,
    {
      suggestions: [
        'a packaging key must be one a member file lists: ksad keys generate --publisher <member> --catalog <catalog folder>, then publish the member file',
      ],
    },
  );
}

/**
 * Writes a signed bundle of `refs` from `catalog`: the catalog files that cover them, every
 * image's manifest, config and layers from its registry (each checked against its digest as it
 * streams to the file), and the signed index. Nothing is visible at `out` until it is complete.
 */
export async function createBundle(
  ctx: BundleCreateContext,
  catalog: Catalog,
  req: BundleCreateRequest,
): Promise<BundleCreated> {
  const now = ctx.clock.now();
  const region = req.region === undefined ? null : officialRegion(req.region);
  if (req.region !== undefined && region === undefined)
    throw new KsadError('USAGE', `--region ${req.region} is not an official region code`);
  const day = calendarOf(
    ctx.clock,
    region ? { region: region.code } : { catalog: catalog.info?.timeZone },
  ).date;
  const apps = req.refs.map((r) => resolveVersion(catalog, parseAppRef(r)));
  for (const a of apps) verifyManifest(catalog, a, { allowUnsigned: true });
  const mous = [
    ...new Map(
      apps.flatMap((a) => grantingMous(catalog, a, region?.code, day)).map((m) => [m.file, m]),
    ).values(),
  ];
  const signer = await packagingKey(ctx, catalog, req.key);
  const files = catalogFiles(catalog, apps, mous);
  const refs = [...new Set(apps.flatMap(imagesOf))].sort();
  const read = await ctx.progress.step(
    `Read ${refs.length} image manifest(s) from their registries`,
    () =>
      Promise.all(
        refs.map((ref) => readImage(ctx, ref, req.differential).catch(registryFailure(ref))),
      ),
  );

  const writer = await ctx.bundles.create(req.out, req.splitBytes);
  try {
    const entries = await writeEntries(ctx, writer, files, read);
    const parts = await writer.closeData();
    const index: BundleIndex = {
      format: BUNDLE_FORMAT,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + req.validDays * 86_400_000).toISOString(),
      createdBy: `${ctx.operator.user}@${ctx.operator.hostname}`,
      region: region ? { code: region.code, name: region.name } : null,
      catalog: {
        id: catalog.info?.id ?? catalog.name,
        name: catalog.name,
        commit: catalog.commit ?? null,
      },
      signer: { member: signer.member, keyId: signer.keyId },
      differential: req.differential
        ? { kind: req.differential.kind, base: req.differential.base }
        : null,
      apps: apps.map((a): BundleApp => ({
        publisher: a.manifest.publisher,
        name: a.manifest.name,
        version: a.manifest.version,
        file: a.file,
        digest: a.digest,
        images: imagesOf(a),
      })),
      images: read.map((r) => r.image),
      entries,
      parts,
    };
    const indexBytes = utf8(`${JSON.stringify(index, null, 1)}\n`);
    const written = await writer.finish(
      indexBytes,
      signBundleIndex(indexBytes, signer.keyId, signer.key),
    );
    return {
      files: written,
      bytes: entries.reduce((n, e) => n + e.size, 0),
      apps: index.apps.map(({ publisher, name, version }) => ({ publisher, name, version })),
      images: index.images.map((i) => ({
        ref: i.ref,
        layers: i.layers.length,
        included: i.layers.filter((l) => l.included).length,
        bytes: i.layers.filter((l) => l.included).reduce((n, l) => n + l.size, 0),
      })),
      mous: mous.map((m) => m.mou.number),
      region: index.region,
      signer: index.signer,
      createdAt: index.createdAt,
      expiresAt: index.expiresAt,
      differential: index.differential,
      catalog: index.catalog,
    };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

async function writeEntries(
  ctx: BundleCreateContext,
  writer: BundleWriter,
  files: ReadonlyMap<string, string>,
  read: ReadonlyArray<{ image: BundleImage; manifest: Uint8Array; config: Uint8Array }>,
): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  for (const [path, text] of files)
    entries.push(await writer.file(`${FILES_PREFIX}${path}`, utf8(text)));
  entries.push(await writer.file(OCI_LAYOUT_PATH, utf8('{"imageLayoutVersion":"1.0.0"}\n')));
  const ociIndex = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: read.map(({ image, manifest }) => ({
      mediaType: image.mediaType,
      digest: image.manifest,
      size: manifest.length,
      annotations: { 'org.opencontainers.image.ref.name': image.ref },
    })),
  };
  entries.push(await writer.file(OCI_INDEX_PATH, utf8(`${JSON.stringify(ociIndex, null, 1)}\n`)));
  const written = new Set<string>();
  const once = async (digest: string, add: () => Promise<IndexEntry>): Promise<void> => {
    if (written.has(digest)) return;
    written.add(digest);
    entries.push(await add());
  };
  for (const { image, manifest, config } of read) {
    await once(image.manifest, () => writer.file(blobPath(image.manifest), manifest));
    await once(image.config, () => writer.file(blobPath(image.config), config));
  }
  const layers = read.flatMap(({ image }) =>
    image.layers.filter((l) => l.included).map((l) => ({ image, l })),
  );
  const unique = new Set(layers.map((x) => x.l.digest)).size;
  await ctx.progress.step(`Copy ${unique} layer(s) into the bundle`, async (detail) => {
    for (const { image, l } of layers) {
      await once(l.digest, () => {
        detail(`${l.digest.slice(0, 19)}… (${Math.round(l.size / 1024)} KiB)`);
        const what = `layer ${l.digest} of ${image.ref}`;
        return writer
          .stream(
            blobPath(l.digest),
            l.size,
            l.digest.slice(7),
            ctx.registry.blob(image.ref, l.digest),
            what,
          )
          .catch(registryFailure(image.ref));
      });
    }
  });
  return entries;
}

/** What a differential bundle made for a host may leave out: every layer chain its images have. */
export function baseFromInventory(inventory: HostInventory): DifferentialBase {
  return {
    kind: 'for-host',
    base: inventory.host.endpoint,
    chains: new Set(inventory.images.flatMap((i) => chainIds(i.layers))),
    blobs: new Set(),
  };
}

/** `ksad host inventory`: what a host already has, for a differential bundle made elsewhere. */
export interface HostInventory {
  format: 'ksad-host-inventory-v1';
  createdAt: string;
  host: { endpoint: string; region: { code: string; name: string } | null };
  images: Array<{ id: string; repoDigests: string[]; layers: string[] }>;
}

/** A registry that cannot serve an image is named, with what to do; other errors pass. */
function registryFailure(ref: string): (error: unknown) => never {
  return (error) => {
    if (!(error instanceof RegistryError)) throw error;
    throw new KsadError(
      error.kind === 'not-found' ? 'NOT_FOUND' : 'CATALOG_UNAVAILABLE',
      `cannot read image ${ref} from its registry: ${error.message}`,
      {
        cause: error,
        suggestions: [
          'a bundle is made where the registry is reachable (the provincial office), then carried',
          error.kind === 'unauthorized'
            ? "log in to the registry with `docker login` (ksad uses the docker CLI's logins)"
            : 'check the registry address and that the image was pushed',
        ],
      },
    );
  };
}
