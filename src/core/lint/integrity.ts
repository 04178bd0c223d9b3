import { indexCatalog, isCatalogManifest } from '../catalog-build.js';
import type { LoadedMember, SourceFile } from '../catalog-model.js';
import {
  canonicalManifest,
  canonicalOfValid,
  checkManifestSignature,
  signatureFileOf,
  type SignatureCheck,
} from '../signing.js';
import type { ManifestEntry, Reporter, Signers } from './context.js';

/** A manifest file with the text of its `.sig`, checked on its own (see `checkCatalogManifest`). */
export interface ManifestSource extends SourceFile {
  signature?: string;
}

/** A signature checked with a manifest on its own, and the member keys it was checked against. */
export interface SignatureVerdict {
  /** `keysOf` the member's keys: the verdict holds only while the catalog lists the same keys. */
  keys: string;
  check: SignatureCheck;
}

const keysOf = (member: Signers[string]): string => JSON.stringify(member.member.keys);

/**
 * The members' signing keys of a catalog's files, as `lintSignatures` will read them (the same
 * index, without the manifests): what `checkCatalogManifest` needs to check a signature on a
 * thread of its own.
 */
export function signersOf(files: readonly SourceFile[]): Signers {
  const { members } = indexCatalog(
    files.filter((f) => !isCatalogManifest(f.path)),
    () => ({ diagnostics: [], entry: null }),
  );
  return Object.fromEntries(
    members.map((m) => [
      m.slug,
      { file: m.file, member: { keys: m.member.keys, publisher: m.member.publisher } },
    ]),
  );
}

/**
 * The signature check of one schema-valid manifest (`value` as read, before defaults), when it
 * has a signature and its publisher is a member; the canonical form comes from the value already
 * read instead of a second reading of the text.
 */
export function signatureVerdict(
  file: ManifestSource,
  publisher: string,
  value: unknown,
  signers: Signers | undefined,
): SignatureVerdict | undefined {
  const member = signers?.[publisher];
  if (file.signature === undefined || member === undefined) return undefined;
  const check = checkManifestSignature({
    file: file.path,
    canonical: () => canonicalOfValid(file.path, value),
    signature: file.signature,
    publisher,
    member,
  });
  return { keys: keysOf(member), check };
}

/** `duplicate-key-id`: a signature names its key by id, so one member lists an id once. */
export function lintMemberKeys(members: readonly LoadedMember[], r: Reporter): void {
  for (const m of members) {
    const seen = new Map<string, number>();
    m.member.keys.forEach((key, i) => {
      const first = seen.get(key.id);
      if (first === undefined) seen.set(key.id, i);
      else
        r.error(
          m.file,
          ['keys', i, 'id'],
          'duplicate-key-id',
          `key id "${key.id}" is already used by keys.${first}: a signature could not say which key made it; give this key another id`,
        );
    });
  }
}

/**
 * `signature`: the `.sig` beside a schema-valid manifest must be a ksad signature, by a key its
 * publisher lists, over this manifest's content: a corrupt, truncated or foreign signature fails
 * lint as it would fail a deploy. `textOf` gives a manifest file's text; a manifest whose text is
 * not at hand is left to `manifest verify`. A manifest checked with its signature on its own
 * (`verdict`, see `signatureVerdict`) is not checked again.
 */
export function lintSignatures(
  manifests: readonly (ManifestEntry & { signature?: string; verdict?: SignatureVerdict })[],
  members: readonly LoadedMember[],
  textOf: (file: string) => string | undefined,
  r: Reporter,
): void {
  const bySlug = new Map(members.map((m) => [m.slug, m]));
  for (const m of manifests) {
    const text = textOf(m.file);
    if (m.signature === undefined || text === undefined) continue;
    const member = bySlug.get(m.manifest.publisher);
    // An unknown publisher is already `unknown-publisher`; its signature cannot be judged.
    if (member === undefined) continue;
    // A verdict reached with the manifest's own check stands if the keys are still the same.
    const check =
      m.verdict !== undefined && m.verdict.keys === keysOf(member)
        ? m.verdict.check
        : checkManifestSignature({
            file: m.file,
            canonical: () => canonicalManifest(m.file, text),
            signature: m.signature,
            publisher: m.manifest.publisher,
            member,
          });
    if (check.status === 'invalid') r.error(signatureFileOf(m.file), [], 'signature', check.reason);
  }
}
