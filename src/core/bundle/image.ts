/**
 * Image content in OCI terms: reading an image manifest and its config, the engine's chain ids,
 * and the `manifest.json` of the archive the Engine API's image load takes.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { KsadError } from '../errors.js';
import { digestSchema, type BundleImage, type BundleLayer } from './format.js';

export const IMAGE_MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
] as const;

const descriptor = z.object({
  mediaType: z.string().optional(),
  digest: digestSchema,
  size: z.number().int().min(0),
});

const imageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptor,
  layers: z.array(descriptor),
});

const imageConfigSchema = z.object({
  rootfs: z.object({ type: z.literal('layers'), diff_ids: z.array(digestSchema) }),
});

export interface ImageManifest {
  mediaType: string;
  config: { digest: string; size: number };
  layers: Array<{ digest: string; size: number }>;
}

/** `sha256:<hex>` of bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (error) {
    throw new KsadError('INTEGRITY', `${what} is not JSON: ${(error as Error).message}`);
  }
}

/**
 * An image manifest's bytes, checked against the digest that pins them. A manifest list (a
 * multi-platform image) is refused: a manifest pins the one image a host runs.
 */
export function parseImageManifest(ref: string, bytes: Uint8Array, pinned: string): ImageManifest {
  const actual = sha256Digest(bytes);
  if (actual !== pinned)
    throw new KsadError('INTEGRITY', `the image manifest of ${ref} is ${actual}, not ${pinned}`);
  const raw = parseJson(bytes, `the image manifest of ${ref}`);
  const parsed = imageManifestSchema.safeParse(raw);
  const isList = typeof raw === 'object' && raw !== null && 'manifests' in raw;
  if (!parsed.success || isList) {
    throw new KsadError(
      'INVALID',
      `${ref} is not a single-platform image manifest (a manifest list or an unknown schema)`,
      {
        suggestions: ['pin the digest of the platform image the hosts run (linux/amd64)'],
      },
    );
  }
  const m = parsed.data;
  return {
    mediaType: m.mediaType ?? IMAGE_MANIFEST_TYPES[1],
    config: { digest: m.config.digest, size: m.config.size },
    layers: m.layers.map((l) => ({ digest: l.digest, size: l.size })),
  };
}

/** The config blob's layer diff ids, checked against the config digest the manifest names. */
export function parseImageConfig(ref: string, bytes: Uint8Array, digest: string): string[] {
  const actual = sha256Digest(bytes);
  if (actual !== digest)
    throw new KsadError('INTEGRITY', `the config of ${ref} is ${actual}, not ${digest}`);
  const parsed = imageConfigSchema.safeParse(parseJson(bytes, `the config of ${ref}`));
  if (!parsed.success)
    throw new KsadError('INVALID', `the config of ${ref} has no rootfs.diff_ids`);
  return parsed.data.rootfs.diff_ids;
}

/** The engine's chain ids: the first layer's diff id, then sha256("<parent chain> <diff id>"). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const parent = out.at(-1);
    out.push(
      parent === undefined
        ? diffId
        : `sha256:${createHash('sha256').update(`${parent} ${diffId}`).digest('hex')}`,
    );
  }
  return out;
}

/** The bundle's description of one image, each layer marked included unless `omit` says so. */
export function describeImage(
  ref: string,
  manifestDigest: string,
  manifest: ImageManifest,
  diffIds: readonly string[],
  omit: (layer: Omit<BundleLayer, 'included'>) => boolean,
): BundleImage {
  if (diffIds.length !== manifest.layers.length) {
    throw new KsadError(
      'INVALID',
      `${ref}: its config lists ${diffIds.length} layer diff ids for ${manifest.layers.length} layers`,
    );
  }
  const chains = chainIds(diffIds);
  return {
    ref,
    manifest: manifestDigest,
    mediaType: manifest.mediaType,
    config: manifest.config.digest,
    layers: manifest.layers.map((l, i) => {
      const layer = { digest: l.digest, size: l.size, diffId: diffIds[i]!, chainId: chains[i]! };
      return { ...layer, included: !omit(layer) };
    }),
  };
}

/**
 * The tag a loaded image gets, so it is not a dangling image a prune removes: the repository of
 * its pinned reference and the digest as the tag (`repo:sha256-<hex>`).
 */
export function loadTag(ref: string): string {
  const at = ref.lastIndexOf('@');
  return `${ref.slice(0, at)}:${ref.slice(at + 1).replace(':', '-')}`;
}

/** `manifest.json` of a docker-archive holding `image`, its blobs under their OCI paths. */
export function loadManifestJson(image: BundleImage, paths: (digest: string) => string): string {
  return JSON.stringify([
    {
      Config: paths(image.config),
      RepoTags: [loadTag(image.ref)],
      Layers: image.layers.map((l) => paths(l.digest)),
    },
  ]);
}
