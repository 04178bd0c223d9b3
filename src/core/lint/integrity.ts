import type { LoadedMember } from '../catalog-model.js';
import { canonicalManifest, checkManifestSignature, signatureFileOf } from '../signing.js';
import type { ManifestEntry, Reporter } from './context.js';

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
 * not at hand is left to `manifest verify`.
 */
export function lintSignatures(
  manifests: readonly (ManifestEntry & { signature?: string })[],
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
    const check = checkManifestSignature({
      file: m.file,
      canonical: () => canonicalManifest(m.file, text),
      signature: m.signature,
      publisher: m.manifest.publisher,
      member,
    });
    if (check.status === 'invalid') r.error(signatureFileOf(m.file), [], 'signature', check.reason);
  }
}
