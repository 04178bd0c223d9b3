/**
 * What a bundle's bytes must agree with before anything in it is used: its index (every entry,
 * every part, every image), and its signature by a packaging key the trusted catalog lists.
 * Pure: the scan (adapters/bundle-file.ts) gives the facts, these functions judge them.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import type { LoadedMember, SourceFile } from '../catalog-model.js';
import { KsadError } from '../errors.js';
import { publicKeyFromRaw } from '../signing.js';
import {
  blobPath,
  bundleIndexSchema,
  bundleSignatureSchema,
  bundleSignedBytes,
  FILES_PREFIX,
  INDEX_PATH,
  SIGNATURE_PATH,
  type BundleIndex,
  type BundlePart,
  type BundleSignature,
  type IndexEntry,
} from './format.js';

export interface BundleFacts {
  file: string;
  entries: readonly IndexEntry[];
  metadata: ReadonlyMap<string, Uint8Array>;
  parts: readonly BundlePart[];
}

export interface CheckedBundle {
  index: BundleIndex;
  indexBytes: Uint8Array;
  signature: BundleSignature;
  /** The catalog files it carries, paths relative to the catalog root. */
  files: SourceFile[];
  /** `sha256:` of the index bytes: what a later differential bundle names as its base. */
  indexDigest: string;
}

function refuse(file: string, message: string, details: string[] = []): KsadError {
  return new KsadError('INTEGRITY', `${file}: ${message}`, {
    details,
    suggestions: [
      'the bundle is damaged or was altered after it was signed: copy it again from the original',
      'nothing was loaded and the engine was not touched',
    ],
  });
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function text(file: string, path: string, bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw refuse(file, `entry "${path}" is not UTF-8 text`);
  }
}

/** Parses the index and its signature, and checks that the bytes found are the bytes it lists. */
export function checkBundleFacts(
  facts: BundleFacts,
  sha256: (b: Uint8Array) => string,
): CheckedBundle {
  const { file, entries } = facts;
  const last = entries.at(-1)?.path;
  const beforeLast = entries.at(-2)?.path;
  if (beforeLast !== INDEX_PATH || last !== SIGNATURE_PATH)
    throw refuse(
      file,
      `the bundle does not end with ${INDEX_PATH} and its signature: not a ksad bundle, or cut short`,
    );
  const indexBytes = facts.metadata.get(INDEX_PATH)!;
  let raw: unknown;
  try {
    raw = JSON.parse(text(file, INDEX_PATH, indexBytes));
  } catch (error) {
    throw refuse(file, `${INDEX_PATH} is not JSON: ${(error as Error).message}`);
  }
  const parsed = bundleIndexSchema.safeParse(raw);
  if (!parsed.success)
    throw refuse(
      file,
      `${INDEX_PATH} is not a ksad bundle index`,
      parsed.error.issues
        .slice(0, 10)
        .map((i) => `${INDEX_PATH}: ${i.path.join('.')}: ${i.message}`),
    );
  const index = parsed.data;
  let sigRaw: unknown;
  try {
    sigRaw = JSON.parse(text(file, SIGNATURE_PATH, facts.metadata.get(SIGNATURE_PATH)!));
  } catch {
    sigRaw = undefined;
  }
  const sig = bundleSignatureSchema.safeParse(sigRaw);
  if (!sig.success) throw refuse(file, `${SIGNATURE_PATH} is not a ksad bundle signature`);

  checkEntries(file, index, entries.slice(0, -2));
  checkParts(file, index, facts.parts);
  checkContents(file, index, entries);
  const files: SourceFile[] = [];
  for (const e of index.entries) {
    if (!e.path.startsWith(FILES_PREFIX)) continue;
    const path = e.path.slice(FILES_PREFIX.length);
    files.push({ path, text: text(file, e.path, facts.metadata.get(e.path)!) });
  }
  return {
    index,
    indexBytes,
    signature: sig.data,
    files,
    indexDigest: `sha256:${sha256(indexBytes)}`,
  };
}

/** Every entry found is listed, in order, with its size and sha256; nothing listed is missing. */
function checkEntries(file: string, index: BundleIndex, found: readonly IndexEntry[]): void {
  const listed = new Map(index.entries.map((e) => [e.path, e]));
  const problems: string[] = [];
  for (const e of found) {
    const want = listed.get(e.path);
    if (!want) problems.push(`entry "${e.path}" is not listed in the index (an extra entry)`);
    else if (want.size !== e.size)
      problems.push(`entry "${e.path}" is ${e.size} bytes, the index says ${want.size}`);
    else if (want.sha256 !== e.sha256)
      problems.push(
        `entry "${e.path}" does not match its sha256 in the index (corrupted or altered)`,
      );
  }
  const seen = new Set(found.map((e) => e.path));
  for (const e of index.entries)
    if (!seen.has(e.path)) problems.push(`entry "${e.path}" is listed in the index but missing`);
  if (problems.length === 0 && found.some((e, i) => index.entries[i]?.path !== e.path))
    problems.push('the entries are not in the order the index lists them');
  if (problems.length > 0)
    throw refuse(file, problems[0]!, problems.length > 1 ? problems.slice(0, 20) : []);
}

function checkParts(file: string, index: BundleIndex, found: readonly BundlePart[]): void {
  if (index.parts.length !== found.length)
    throw refuse(
      file,
      `the index lists ${index.parts.length} data parts, ${found.length} were read`,
    );
  for (const [i, want] of index.parts.entries()) {
    const got = found[i]!;
    if (got.name !== want.name)
      throw refuse(file, `part ${i + 1} is ${got.name}, the index says ${want.name}`);
    if (got.sha256 !== want.sha256)
      throw refuse(want.name, 'this part does not match its checksum in the index (corrupted)');
  }
}

/** Blobs are named by their sha256; every image and app the index names is there. */
function checkContents(file: string, index: BundleIndex, entries: readonly IndexEntry[]): void {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  for (const e of entries) {
    if (e.path.startsWith('blobs/sha256/') && e.path.slice('blobs/sha256/'.length) !== e.sha256)
      throw refuse(file, `blob "${e.path}" is not named by its sha256 (it is sha256:${e.sha256})`);
  }
  for (const image of index.images) {
    for (const [what, digest] of [
      ['image manifest', image.manifest],
      ['config', image.config],
    ] as const) {
      if (!byPath.has(blobPath(digest)))
        throw refuse(file, `the ${what} ${digest} of ${image.ref} is missing from the bundle`);
    }
    for (const layer of image.layers) {
      const entry = byPath.get(blobPath(layer.digest));
      if (layer.included && !entry)
        throw refuse(file, `layer ${layer.digest} of ${image.ref} is missing from the bundle`);
      if (entry && entry.size !== layer.size)
        throw refuse(
          file,
          `layer ${layer.digest} of ${image.ref} is ${entry.size} bytes, its manifest says ${layer.size}`,
        );
    }
  }
  for (const app of index.apps) {
    const entry = byPath.get(`${FILES_PREFIX}${app.file}`);
    if (!entry || `sha256:${entry.sha256}` !== app.digest)
      throw refuse(
        file,
        `the manifest ${app.file} of ${app.name}@${app.version} is missing or not the one the index names`,
      );
    for (const ref of app.images)
      if (!index.images.some((i) => i.ref === ref))
        throw refuse(file, `image ${ref} of ${app.name}@${app.version} is not in the bundle`);
  }
}

export interface SignerCheck {
  member: string;
  keyId: string;
}

/**
 * The bundle's signature, by the member and key its index names: the key must be listed for that
 * member in the catalog this machine trusts (`anchor`) and still in the member file the bundle
 * carries. A key that neither lists is unknown; one that only the older of the two lists was
 * removed there, which revokes it.
 */
export function checkBundleSignature(
  file: string,
  checked: CheckedBundle,
  anchor: { name: string; members: readonly LoadedMember[] },
  carried: readonly LoadedMember[],
): SignerCheck {
  const { index, signature } = checked;
  const { member, keyId } = index.signer;
  if (signature.keyId !== keyId)
    throw refuse(file, `the index names key "${keyId}" but is signed with "${signature.keyId}"`);
  const trusted = anchor.members.find((m) => m.slug === member);
  const key = trusted?.member.keys.find((k) => k.id === keyId);
  const stillListed = carried
    .find((m) => m.slug === member)
    ?.member.keys.some((k) => k.id === keyId);
  if (!key || stillListed !== true) {
    const why = !trusted
      ? `"${member}" is not a member of catalog "${anchor.name}"`
      : !key
        ? `catalog "${anchor.name}" lists no key "${keyId}" for ${member} (unknown, or removed: revoked)`
        : `the bundle's own catalog no longer lists key "${keyId}" for ${member} (revoked)`;
    throw new KsadError(
      'INTEGRITY',
      `${file} is signed by key "${keyId}" of ${member}, which is not trusted: ${why}`,
      {
        suggestions: [
          'ask for a bundle signed by a key the catalog lists (ksad keys generate --catalog, then publish the member file)',
          'nothing was loaded and the engine was not touched',
        ],
      },
    );
  }
  let ok = false;
  try {
    ok = verify(
      null,
      bundleSignedBytes(checked.indexBytes),
      publicKeyFromRaw(key.publicKey),
      Buffer.from(signature.signature, 'base64'),
    );
  } catch {
    ok = false;
  }
  if (!ok)
    throw refuse(
      file,
      `the index does not match its signature by key "${keyId}" of ${member}: it was changed after signing`,
    );
  return { member, keyId };
}

/** The signature file of an index, made with a packaging key. */
export function signBundleIndex(indexBytes: Uint8Array, keyId: string, key: KeyObject): Uint8Array {
  const signature = sign(null, bundleSignedBytes(indexBytes), key).toString('base64');
  const doc: BundleSignature = { keyId, algorithm: 'ed25519', signature, signed: 'ksad-bundle-v1' };
  return new TextEncoder().encode(`${JSON.stringify(doc, null, 2)}\n`);
}
