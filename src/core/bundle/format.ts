/**
 * The offline bundle: one tar file (or numbered parts of one) that carries app versions to a host
 * with no registry and no network. Pure definitions: entry paths, the signed index, sizes.
 *
 * Layout, in this order inside the tar:
 * - `files/catalog/…`, `files/manifests/…`: the catalog files (catalog.yaml, members, the MoUs
 *   that cover the apps, the manifests and their `.sig`), byte for byte as the catalog holds them;
 * - `oci-layout`, `index.json`, `blobs/sha256/<hex>`: every image in OCI image layout, by digest
 *   (image manifests, configs and layers exactly as the registry served them);
 * - `ksad-bundle/index.json`, then `ksad-bundle/index.json.sig`: the index (every other entry's
 *   path, size and sha256, the parts, the apps and images) and its ed25519 signature. With
 *   `--split`, the index and its signature are alone in the last part, so the index can list the
 *   checksum of every part before it.
 */
import { z } from 'zod';
import { regionCode } from '../schema/common.js';

export const BUNDLE_FORMAT = 'ksad-bundle-v1';
export const INDEX_PATH = 'ksad-bundle/index.json';
export const SIGNATURE_PATH = 'ksad-bundle/index.json.sig';
export const FILES_PREFIX = 'files/';
export const BLOB_PREFIX = 'blobs/sha256/';
export const OCI_LAYOUT_PATH = 'oci-layout';
export const OCI_INDEX_PATH = 'index.json';

/** Small entries (catalog files, the index, OCI metadata) are read into memory: never more than this. */
export const METADATA_ENTRY_LIMIT = 1024 * 1024;
/** Image manifests and configs are metadata too; a bigger one is refused before it is read. */
export const IMAGE_METADATA_LIMIT = 4 * 1024 * 1024;
/** A bundle lists at most this many entries. */
export const MAX_ENTRIES = 20_000;

const HEX64 = /^[a-f0-9]{64}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
export const digestSchema = z.string().regex(DIGEST, 'must be sha256:<64 hex>');

const entrySchema = z.strictObject({
  path: z.string().min(1),
  size: z.number().int().min(0),
  sha256: z.string().regex(HEX64, 'must be 64 hex'),
});
export type IndexEntry = z.infer<typeof entrySchema>;

const layerSchema = z.strictObject({
  digest: digestSchema,
  size: z.number().int().min(0),
  /** The uncompressed layer's digest, from the config's `rootfs.diff_ids`. */
  diffId: digestSchema,
  /** The engine's chain id of the image's layers up to this one: what a host can already have. */
  chainId: digestSchema,
  /** False in a differential bundle: the target already has it. */
  included: z.boolean(),
});
export type BundleLayer = z.infer<typeof layerSchema>;

const imageSchema = z.strictObject({
  /** `repo@sha256:…` as the manifests pin it. */
  ref: z.string().min(1),
  /** The image manifest's digest (the pinned one). */
  manifest: digestSchema,
  mediaType: z.string(),
  config: digestSchema,
  layers: z.array(layerSchema),
});
export type BundleImage = z.infer<typeof imageSchema>;

const appSchema = z.strictObject({
  publisher: z.string(),
  name: z.string(),
  version: z.string(),
  /** Catalog-relative manifest path (inside the bundle under `files/`). */
  file: z.string(),
  /** `sha256:` of the manifest file. */
  digest: digestSchema,
  images: z.array(z.string()),
});
export type BundleApp = z.infer<typeof appSchema>;

const partSchema = z.strictObject({
  name: z.string().min(1),
  size: z.number().int().min(1),
  sha256: z.string().regex(HEX64, 'must be 64 hex'),
});
export type BundlePart = z.infer<typeof partSchema>;

export const bundleIndexSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  createdBy: z.string(),
  /** The region the bundle was prepared for; a host of another region refuses it. */
  region: z.strictObject({ code: regionCode, name: z.string() }).nullable(),
  catalog: z.strictObject({
    id: z.string(),
    name: z.string(),
    commit: z.string().nullable(),
  }),
  signer: z.strictObject({ member: z.string(), keyId: z.string() }),
  /** What a differential bundle leaves out, and why. */
  differential: z
    .strictObject({
      kind: z.enum(['for-host', 'since']),
      /** The host inventory's host, or the sha256 of the older bundle's index. */
      base: z.string(),
    })
    .nullable(),
  apps: z.array(appSchema).min(1),
  images: z.array(imageSchema),
  /** Every entry of the tar except the index and its signature, in tar order. */
  entries: z.array(entrySchema).max(MAX_ENTRIES),
  /** With `--split`: every part before the last (which holds the index), in order. */
  parts: z.array(partSchema),
});
export type BundleIndex = z.infer<typeof bundleIndexSchema>;

/** The index's signature file: the manifest signature's shape, over the index's exact bytes. */
export const bundleSignatureSchema = z.strictObject({
  keyId: z.string().min(1),
  algorithm: z.literal('ed25519'),
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'must be a base64 ed25519 signature'),
  signed: z.literal(BUNDLE_FORMAT),
});
export type BundleSignature = z.infer<typeof bundleSignatureSchema>;

/** Domain separation: a bundle signature can never be replayed as a manifest's, or the reverse. */
export function bundleSignedBytes(indexBytes: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`ksad-bundle-signature\n${BUNDLE_FORMAT}\n`);
  const out = new Uint8Array(prefix.length + indexBytes.length);
  out.set(prefix, 0);
  out.set(indexBytes, prefix.length);
  return out;
}

/** The blob entry path of a digest. */
export function blobPath(digest: string): string {
  return `${BLOB_PREFIX}${digest.slice('sha256:'.length)}`;
}

/**
 * Why an entry name cannot be in a bundle, or null when it can: only relative paths of plain
 * segments under the known prefixes, so nothing can land outside a folder it is extracted into.
 */
export function entryPathProblem(path: string): string | null {
  if (path.startsWith('/')) return 'an absolute path';
  if (path.includes('\\')) return 'a backslash in the path';
  if (path.includes('\0')) return 'a NUL in the path';
  const segments = path.split('/');
  if (segments.some((s) => s === '..')) return 'a ".." segment';
  if (segments.some((s) => s === '' || s === '.')) return 'an empty or "." segment';
  if (path === INDEX_PATH || path === SIGNATURE_PATH) return null;
  if (path === OCI_LAYOUT_PATH || path === OCI_INDEX_PATH) return null;
  if (path.startsWith(BLOB_PREFIX))
    return HEX64.test(path.slice(BLOB_PREFIX.length)) ? null : 'a blob not named by its sha256';
  if (path.startsWith(`${FILES_PREFIX}catalog/`) || path.startsWith(`${FILES_PREFIX}manifests/`))
    return /^[A-Za-z0-9._/-]+$/.test(path) ? null : 'characters outside [A-Za-z0-9._/-]';
  return 'not a bundle entry (files/, blobs/sha256/, oci-layout, index.json, ksad-bundle/)';
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B?)?$/i;

/** `4G`, `700M`, `1.5GiB`, `4096` → bytes (powers of 1024). Null when unreadable. */
export function parseSize(text: string): number | null {
  const m = SIZE.exec(text.trim());
  if (!m) return null;
  const unit = { '': 0, K: 1, M: 2, G: 3, T: 4 }[(m[2] ?? '').toUpperCase() as 'K'];
  const bytes = Math.floor(Number(m[1]) * 1024 ** unit);
  return Number.isFinite(bytes) && bytes > 0 ? bytes : null;
}

/** Name of part `n` (1-based) of a bundle written to `out`: `out.001`, `out.002` … */
export function partName(out: string, n: number): string {
  return `${out}.${String(n).padStart(3, '0')}`;
}
