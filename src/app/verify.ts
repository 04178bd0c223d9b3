import { catalogYamlDoc, MANIFEST_PATH } from '../core/catalog-build.js';
import type { Catalog, LoadedManifest } from '../core/catalog-model.js';
import { KsadError } from '../core/errors.js';
import {
  canonicalManifest,
  canonicalManifestValue,
  checkManifestSignature,
  signatureFileOf,
  type SignatureCheck,
} from '../core/signing.js';
import type { CatalogFiles } from '../ports/catalog-files.js';
import { silentProgress } from '../ports/progress.js';
import { openCatalog, type CatalogContext } from './catalogs.js';

/** How a release's manifest was trusted; recorded with the release. */
export type SignatureRecord =
  { status: 'verified'; keyId: string } | { status: 'unsigned-allowed' };

/**
 * Checks a manifest read from a catalog before anything is deployed from it: it sits under its
 * own publisher's folder, no other publisher carries the same app version, and its detached
 * signature verifies with one of the publisher's keys listed in the catalog. A manifest without a
 * signature passes only when the host's policy allows unsigned manifests; a signature that is
 * present but does not verify (tampered file, unknown or removed key) never passes.
 * @throws KsadError('INTEGRITY') naming the file and the key.
 */
export function verifyManifest(
  catalog: Catalog,
  loaded: LoadedManifest,
  policy: { allowUnsigned: boolean },
): SignatureRecord {
  checkPlacement(catalog, loaded);
  const check = checkManifestSignature({
    file: loaded.file,
    canonical: () => canonicalOf(catalog, loaded),
    signature: loaded.signature,
    publisher: loaded.manifest.publisher,
    member: catalog.members.find((m) => m.slug === loaded.manifest.publisher),
  });
  const label = `${loaded.manifest.publisher}/${loaded.manifest.name}@${loaded.manifest.version}`;
  if (check.status === 'verified') return { status: 'verified', keyId: check.keyId };
  if (check.status === 'unsigned') {
    if (policy.allowUnsigned) return { status: 'unsigned-allowed' };
    throw new KsadError(
      'INTEGRITY',
      `${label} is not signed: ${signatureFileOf(loaded.file)} is missing in catalog "${catalog.name}"`,
      {
        suggestions: [
          `ask ${loaded.manifest.publisher} to sign and publish it (ksad manifest sign / ksad publish)`,
          'or allow unsigned manifests on this host, which is recorded with each release: ksad host init --region <CODE> --allow-unsigned',
        ],
      },
    );
  }
  throw new KsadError('INTEGRITY', `refusing ${label}: ${check.reason}`, {
    details: [
      `manifest: ${loaded.file}`,
      `signature: ${signatureFileOf(loaded.file)}`,
      `key: ${check.keyId ?? '(unreadable)'}`,
    ],
    suggestions: [
      'do not deploy it: sync the catalog again (ksad catalog sync) and tell the publisher if it persists',
      `check the catalog yourself with: ksad manifest verify --catalog ${catalog.name}`,
    ],
  });
}

/**
 * Mix-and-match protection: a manifest is trusted only in its publisher's own folder, and the same
 * app version (same bytes or not) must not also appear under another publisher's folder.
 */
function checkPlacement(catalog: Catalog, loaded: LoadedManifest): void {
  const { manifest } = loaded;
  const folder = MANIFEST_PATH.exec(loaded.file)?.[1];
  if (folder !== manifest.publisher) {
    throw new KsadError(
      'INTEGRITY',
      `${loaded.file} says publisher "${manifest.publisher}" but lies in the folder of "${folder ?? '?'}": a manifest moved between publishers is refused`,
      {
        suggestions: [
          'tell the catalog maintainers; a publisher publishes only under manifests/<its slug>/',
        ],
      },
    );
  }
  const elsewhere = catalog.manifests.filter(
    (m) =>
      m !== loaded &&
      MANIFEST_PATH.exec(m.file)?.[1] !== manifest.publisher &&
      (m.digest === loaded.digest ||
        (m.manifest.name === manifest.name &&
          m.manifest.version === manifest.version &&
          m.manifest.publisher === manifest.publisher)),
  );
  const first = elsewhere[0];
  if (first !== undefined) {
    throw new KsadError(
      'INTEGRITY',
      `${manifest.name}@${manifest.version} of ${manifest.publisher} also appears as ${first.file}: a manifest copied between publishers is refused`,
      {
        details: elsewhere.map((m) => `${m.file} (${m.digest})`),
        suggestions: [
          "tell the catalog maintainers; remove the copy that is not in the publisher's own folder",
        ],
      },
    );
  }
}

function canonicalOf(catalog: Catalog, loaded: LoadedManifest): string {
  const doc = catalogYamlDoc(catalog, loaded.file);
  if (doc === undefined) {
    throw new KsadError(
      'INTEGRITY',
      `cannot re-read ${loaded.file} from catalog "${catalog.name}" to check its signature`,
    );
  }
  return canonicalManifestValue(loaded.file, doc.value);
}

export interface VerifiedFile {
  file: string;
  publisher: string | null;
  app: string | null;
  version: string | null;
  status: 'verified' | 'unsigned' | 'invalid';
  keyId: string | null;
  /** Why it is not verified; null when it is. */
  message: string | null;
}

export interface VerifyReport {
  catalog: { name: string; root: string; commit: string | null };
  results: VerifiedFile[];
  verified: number;
  unsigned: number;
  invalid: number;
}

/**
 * `ksad manifest verify`: checks the signatures of loose manifest files (their `.sig` beside them)
 * against a catalog's publisher keys, or of every manifest of the catalog when no file is named.
 */
export async function verifyManifestsUseCase(
  ctx: CatalogContext,
  paths: readonly string[],
  options: { catalog?: string | undefined },
): Promise<VerifyReport> {
  const catalog = await openCatalog(ctx, options.catalog);
  const results: VerifiedFile[] = [];
  if (paths.length === 0) {
    const total = catalog.manifests.length;
    await (ctx.progress ?? silentProgress).step(
      `Verifying the signatures of ${total} manifests`,
      async (detail) => {
        for (const loaded of catalog.manifests) {
          results.push(
            fromCheck(loaded.file, loaded.manifest, checkCatalogManifest(catalog, loaded)),
          );
          // Now and then let the progress display draw: a large catalog takes seconds.
          if (results.length % 250 === 0) {
            detail(`${results.length}/${total}`);
            await new Promise((resolve) => setImmediate(resolve));
          }
        }
      },
    );
  } else {
    for (const path of paths) results.push(await verifyLooseFile(ctx.files, catalog, path));
  }
  return {
    catalog: { name: catalog.name, root: catalog.root, commit: catalog.commit ?? null },
    results,
    verified: results.filter((r) => r.status === 'verified').length,
    unsigned: results.filter((r) => r.status === 'unsigned').length,
    invalid: results.filter((r) => r.status === 'invalid').length,
  };
}

/**
 * How a catalog manifest's signature verifies, as deploy would judge it (placement included),
 * without a host's policy: for `show`, `search` and `manifest verify`.
 */
export function checkCatalogManifest(catalog: Catalog, loaded: LoadedManifest): SignatureCheck {
  try {
    const record = verifyManifest(catalog, loaded, { allowUnsigned: true });
    return record.status === 'verified' ? record : { status: 'unsigned' };
  } catch (error) {
    if (!(error instanceof KsadError)) throw error;
    return { status: 'invalid', keyId: null, reason: error.message };
  }
}

async function verifyLooseFile(
  files: CatalogFiles,
  catalog: Catalog,
  path: string,
): Promise<VerifiedFile> {
  const [source] = await files.readFiles([path]);
  if (source === undefined) throw new KsadError('NOT_FOUND', `No such file: ${path}`);
  const sigPath = signatureFileOf(path);
  const sigInfo = await files.describeRoot(sigPath);
  const signature =
    sigInfo.kind === 'file' ? (await files.readFiles([sigPath]))[0]?.text : undefined;
  let canonical: string;
  try {
    canonical = canonicalManifest(path, source.text);
  } catch (error) {
    if (!(error instanceof KsadError)) throw error;
    return {
      file: path,
      publisher: null,
      app: null,
      version: null,
      status: 'invalid',
      keyId: null,
      message: error.message,
    };
  }
  const value = JSON.parse(canonical) as { publisher: string; name: string; version: string };
  const check = checkManifestSignature({
    file: path,
    canonical,
    signature,
    publisher: value.publisher,
    member: catalog.members.find((m) => m.slug === value.publisher),
  });
  return fromCheck(path, value, check);
}

function fromCheck(
  file: string,
  m: { publisher: string; name: string; version: string },
  check: SignatureCheck,
): VerifiedFile {
  const base = { file, publisher: m.publisher, app: m.name, version: m.version };
  switch (check.status) {
    case 'verified':
      return { ...base, status: 'verified', keyId: check.keyId, message: null };
    case 'unsigned':
      return {
        ...base,
        status: 'unsigned',
        keyId: null,
        message: `no signature: ${signatureFileOf(file)} is missing`,
      };
    case 'invalid':
      return { ...base, status: 'invalid', keyId: check.keyId, message: check.reason };
  }
}
