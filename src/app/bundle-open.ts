import semver from 'semver';
import {
  checkBundleFacts,
  checkBundleSignature,
  type CheckedBundle,
} from '../core/bundle/check.js';
import { blobPath, type BundleIndex } from '../core/bundle/format.js';
import {
  chainIds,
  parseImageConfig,
  parseImageManifest,
  sha256Digest,
} from '../core/bundle/image.js';
import { buildCatalog } from '../core/catalog-build.js';
import type { Catalog } from '../core/catalog-model.js';
import { KsadError } from '../core/errors.js';
import { pinnedDigest } from '../core/image-check.js';
import { coverage } from '../core/mou-rules.js';
import type { HostProfile, ReleaseRecord } from '../core/release.js';
import type { BundleFiles, ScannedBundle } from '../ports/bundle-files.js';
import type { Clock } from '../ports/clock.js';
import type { Progress } from '../ports/progress.js';
import type { ReleaseStore } from '../ports/release-store.js';
import { parseAppRef, resolveVersion } from '../core/resolve.js';
import { calendarOf } from './calendar.js';
import { verifyManifest } from './verify.js';

export interface BundleOpenContext {
  bundles: BundleFiles;
  clock: Clock;
  progress: Progress;
}

/** A bundle whose bytes, index, signature and image content all checked out. */
export interface OpenedBundle {
  file: string;
  scan: ScannedBundle;
  checked: CheckedBundle;
  index: BundleIndex;
  /** The catalog at the bundle's commit, as the bundle carries it. */
  catalog: Catalog;
  signer: { member: string; keyId: string };
  expired: boolean;
  warnings: string[];
}

const hex = (bytes: Uint8Array): string => sha256Digest(bytes).slice('sha256:'.length);

/**
 * Reads a bundle and checks everything that needs neither a network nor an engine: every byte
 * against the index, every part against its checksum, the index's signature by a packaging key
 * the trusted catalog (`anchor`) lists, and each image's manifest and config against the digests
 * the manifests pin. Throws INTEGRITY naming the entry, the part or the key.
 */
export async function openBundle(
  ctx: BundleOpenContext,
  file: string,
  anchor: Catalog,
): Promise<OpenedBundle> {
  const scan = await ctx.progress.step(`Check every byte of ${file}`, (detail) =>
    ctx.bundles.scan(file, detail),
  );
  const checked = checkBundleFacts(scan, hex);
  const { index } = checked;
  const anchorId = anchor.info?.id ?? anchor.name;
  if (index.catalog.id !== anchorId) {
    throw new KsadError(
      'INTEGRITY',
      `${file} was made from catalog "${index.catalog.id}", but this machine trusts catalog "${anchorId}" (${anchor.name})`,
      { suggestions: ['name the catalog the bundle belongs to: --catalog NAME|PATH'] },
    );
  }
  const catalog = buildCatalog({
    name: `bundle:${index.catalog.id}`,
    root: file,
    ...(index.catalog.commit === null ? {} : { commit: index.catalog.commit }),
    files: checked.files,
  });
  catalog.origin = {
    createdAt: index.createdAt,
    index: checked.indexDigest,
    images: Object.fromEntries(index.images.map((i) => [i.ref, i.config])),
  };
  const signer = checkBundleSignature(file, checked, anchor, catalog.members);
  await checkImages(ctx.bundles, scan, index);
  checkApps(file, index, catalog);
  const expired = ctx.clock.now().toISOString() > index.expiresAt;
  const warnings = expired
    ? [
        `${file} expired on ${index.expiresAt.slice(0, 10)}; it is still installed, as a region offline for long must be able to`,
      ]
    : [];
  for (const w of warnings) ctx.progress.note(`warning: ${w}`);
  return { file, scan, checked, index, catalog, signer, expired, warnings };
}

/** Each image's manifest is the pinned one; its config and layers are the ones the index lists. */
async function checkImages(
  bundles: BundleFiles,
  scan: ScannedBundle,
  index: BundleIndex,
): Promise<void> {
  for (const image of index.images) {
    const pinned = pinnedDigest(image.ref);
    if (pinned !== image.manifest)
      throw new KsadError(
        'INTEGRITY',
        `${scan.file}: image ${image.ref} is listed with manifest ${image.manifest}`,
      );
    const manifest = parseImageManifest(
      image.ref,
      await bundles.read(scan, blobPath(image.manifest)),
      pinned,
    );
    const diffIds = parseImageConfig(
      image.ref,
      await bundles.read(scan, blobPath(manifest.config.digest)),
      image.config,
    );
    const chains = chainIds(diffIds);
    const same =
      manifest.config.digest === image.config &&
      manifest.layers.length === image.layers.length &&
      image.layers.every(
        (l, i) =>
          l.digest === manifest.layers[i]?.digest &&
          l.size === manifest.layers[i]?.size &&
          l.diffId === diffIds[i] &&
          l.chainId === chains[i],
      );
    if (!same)
      throw new KsadError(
        'INTEGRITY',
        `${scan.file}: the index describes image ${image.ref} otherwise than its signed manifest and config do`,
      );
  }
}

/** Every app the index names is the manifest the bundle's catalog holds, with the same images. */
function checkApps(file: string, index: BundleIndex, catalog: Catalog): void {
  for (const app of index.apps) {
    const loaded = catalog.manifests.find((m) => m.file === app.file);
    if (!loaded || loaded.digest !== app.digest)
      throw new KsadError(
        'INTEGRITY',
        `${file}: ${app.file} is not a valid manifest in the bundle's catalog`,
      );
    const images = [...new Set(Object.values(loaded.manifest.services).map((s) => s.image))].sort();
    if (images.join() !== [...app.images].sort().join())
      throw new KsadError(
        'INTEGRITY',
        `${file}: the index lists other images for ${app.name}@${app.version} than its manifest pins`,
      );
  }
}

export interface BundleReport {
  file: string;
  files: string[];
  format: string;
  createdAt: string;
  expiresAt: string;
  expired: boolean;
  createdBy: string;
  region: BundleIndex['region'];
  catalog: BundleIndex['catalog'];
  signer: BundleIndex['signer'];
  differential: BundleIndex['differential'];
  apps: Array<{
    publisher: string;
    name: string;
    version: string;
    signature: 'verified' | 'unsigned' | 'invalid';
    signatureMessage: string | null;
    mous: Array<{ number: string; status: string }>;
  }>;
  images: Array<{ ref: string; config: string; layers: number; included: number; bytes: number }>;
  mous: Array<{ number: string; grantor: string; grantees: string[]; validUntil: string }>;
  parts: BundleIndex['parts'];
  entries: number;
  bytes: number;
  /** What is proved about images loaded from it: there is no registry digest after a load. */
  imageEvidence: string;
  warnings: string[];
}

export const IMAGE_EVIDENCE =
  'content: each image manifest hashes to its pinned digest; after the load the engine must hold the config digest it names as image id, with its layer diff ids (the engine checks each layer against them); a load keeps no registry digest';

/** `bundle verify` and `bundle inspect`: everything checked, then what the bundle holds. */
export function bundleReport(
  ctx: Pick<BundleOpenContext, 'clock'>,
  opened: OpenedBundle,
): BundleReport {
  const { index, catalog } = opened;
  const region = index.region?.code;
  const day = calendarOf(ctx.clock, region ? { region } : {}).date;
  return {
    file: opened.file,
    files: opened.scan.files,
    format: index.format,
    createdAt: index.createdAt,
    expiresAt: index.expiresAt,
    expired: opened.expired,
    createdBy: index.createdBy,
    region: index.region,
    catalog: index.catalog,
    signer: index.signer,
    differential: index.differential,
    apps: index.apps.map((app) => {
      const loaded = catalog.manifests.find((m) => m.file === app.file)!;
      let signature: 'verified' | 'unsigned' | 'invalid';
      let message: string | null = null;
      try {
        const trusted = verifyManifest(catalog, loaded, { allowUnsigned: true });
        signature = trusted.status === 'verified' ? 'verified' : 'unsigned';
      } catch (error) {
        signature = 'invalid';
        message = (error as Error).message;
      }
      const cover = region === undefined ? null : coverage(catalog, loaded, region, day);
      return {
        publisher: app.publisher,
        name: app.name,
        version: app.version,
        signature,
        signatureMessage: message,
        mous: cover
          ? [
              ...cover.covering.map((m) => ({ number: m.mou.number, status: 'active' })),
              ...cover.inactive.map((m) => ({ number: m.mou.mou.number, status: m.reason })),
            ]
          : [],
      };
    }),
    images: index.images.map((i) => ({
      ref: i.ref,
      config: i.config,
      layers: i.layers.length,
      included: i.layers.filter((l) => l.included).length,
      bytes: i.layers.filter((l) => l.included).reduce((n, l) => n + l.size, 0),
    })),
    mous: catalog.mous.map((m) => ({
      number: m.mou.number,
      grantor: m.mou.grantor,
      grantees: m.mou.grantees,
      validUntil: m.mou.validUntil,
    })),
    parts: index.parts,
    entries: index.entries.length,
    bytes: opened.scan.entries.reduce((n, e) => n + e.size, 0),
    imageEvidence: IMAGE_EVIDENCE,
    warnings: opened.warnings,
  };
}

/**
 * Before a deploy from a bundle touches the host: the bundle is for this host's region, and it is
 * not older than what the host already installed from the same catalog (a replayed old bundle),
 * nor does it carry an older version than the one running, unless a downgrade is asked for.
 */
export function guardBundleForHost(
  opened: OpenedBundle,
  profile: HostProfile,
  app: string,
  history: readonly ReleaseRecord[],
  allowDowngrade: boolean,
): void {
  const { index, file } = opened;
  if (index.region !== null && index.region.code !== profile.region.code) {
    throw new KsadError(
      'NOT_COVERED',
      `${file} was prepared for ${index.region.name} (${index.region.code}), not for this host's region ${profile.region.name} (${profile.region.code})`,
      {
        suggestions: [
          'ask for a bundle made with --region ' + profile.region.code,
          'nothing was loaded',
        ],
      },
    );
  }
  if (allowDowngrade) return;
  const newer = history
    .filter((r) => r.catalog.name === opened.catalog.name && r.catalog.bundle !== undefined)
    .filter((r) => r.catalog.bundle!.createdAt > index.createdAt)
    .at(-1);
  const running = [...history].reverse().find((r) => r.status === 'deployed');
  const carried = index.apps.find((a) => a.name === app);
  const older = running && carried && semver.lt(carried.version, running.version);
  if (newer || older) {
    const why = newer
      ? `this host installed revision ${newer.revision} from a newer bundle (made ${newer.catalog.bundle!.createdAt})`
      : `this host runs ${app} ${running!.version}, newer than ${carried!.version}`;
    throw new KsadError('INTEGRITY', `refusing ${file}, made ${index.createdAt}: ${why}`, {
      suggestions: [
        'an older bundle may be a replay; to install it on purpose: --allow-downgrade',
        'nothing was loaded',
      ],
    });
  }
}

/** `guardBundleForHost` for the app `ref` names, read from the host through its release store. */
export async function checkBundleDeploy(
  store: ReleaseStore,
  opened: OpenedBundle,
  ref: string,
  allowDowngrade: boolean,
): Promise<void> {
  const app = resolveVersion(opened.catalog, parseAppRef(ref)).manifest.name;
  const [profile, history] = await Promise.all([store.requireProfile(), store.releases(app)]);
  guardBundleForHost(opened, profile, app, history, allowDowngrade);
}
