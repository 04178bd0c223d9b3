import semver from 'semver';
import type { Calendar } from '../core/calendar.js';
import { fileDigest, MANIFEST_PATH, parseAndValidate } from '../core/catalog-build.js';
import type { Catalog } from '../core/catalog-model.js';
import { formatDiagnostic, type Diagnostic } from '../core/diagnostics.js';
import { KsadError } from '../core/errors.js';
import { lintManifestFiles } from '../core/lint/index.js';
import { manifestSchema, type Manifest } from '../core/schema/index.js';
import {
  CANONICAL_FORM,
  canonicalManifest,
  checkManifestSignature,
  formatSignatureFile,
  parsePrivateKeyFile,
  signatureFileOf,
  signManifest,
} from '../core/signing.js';
import type { CatalogFiles } from '../ports/catalog-files.js';
import type { GitRepository, GitWorkingCopy } from '../ports/git-repository.js';
import { RegistryError, type ImageRegistry } from '../ports/image-registry.js';
import type { KeyStore } from '../ports/key-store.js';
import { calendarOf } from './calendar.js';
import { openCatalog, type CatalogContext } from './catalogs.js';
import { commitVersion } from './publish-check.js';

export interface SignRequest {
  manifest: string;
  key: string;
  /** Overrides the id written in the key file's header. */
  keyId?: string | undefined;
}

export interface SignedManifest {
  file: string;
  signatureFile: string;
  publisher: string;
  app: string;
  version: string;
  keyId: string;
  algorithm: 'ed25519';
  canonical: typeof CANONICAL_FORM;
  /** Base64 raw public key of the signing key, to compare with the member file. */
  publicKey: string;
}

/** Signs a manifest file with a private key file; writes `<file>.sig` beside it. */
export async function signManifestFile(
  ctx: { files: CatalogFiles; keys: KeyStore },
  req: SignRequest,
): Promise<SignedManifest> {
  const [source] = await ctx.files.readFiles([req.manifest]);
  if (source === undefined) throw new KsadError('NOT_FOUND', `No such file: ${req.manifest}`);
  const signed = await signText(ctx.keys, req.manifest, source.text, req.key, req.keyId);
  const signatureFile = signatureFileOf(req.manifest);
  await ctx.files.writeTextFile(signatureFile, signed.text);
  return { ...signed.result, file: req.manifest, signatureFile };
}

async function signText(
  keys: KeyStore,
  file: string,
  text: string,
  keyFile: string,
  keyIdOverride: string | undefined,
): Promise<{ text: string; result: Omit<SignedManifest, 'file' | 'signatureFile'> }> {
  const key = parsePrivateKeyFile(keyFile, await keys.readPrivateKey(keyFile));
  const keyId = keyIdOverride ?? key.keyId;
  if (keyId === null) {
    throw new KsadError(
      'USAGE',
      `${keyFile} does not say which key it is (no "# id:" line): give --key-id`,
    );
  }
  // Validates too: an invalid manifest is never signed.
  const canonical = canonicalManifest(file, text);
  const { publisher, name, version } = JSON.parse(canonical) as {
    publisher: string;
    name: string;
    version: string;
  };
  if (key.publisher !== null && key.publisher !== publisher) {
    throw new KsadError(
      'USAGE',
      `${keyFile} is a key of ${key.publisher}, but ${file} is published by ${publisher}`,
      {
        suggestions: [`sign with a key of ${publisher}`],
      },
    );
  }
  const sig = signManifest(file, text, keyId, key.key);
  return {
    text: formatSignatureFile(sig),
    result: {
      publisher,
      app: name,
      version,
      keyId,
      algorithm: 'ed25519',
      canonical: CANONICAL_FORM,
      publicKey: key.publicKey,
    },
  };
}

export interface PublishContext {
  catalog: CatalogContext;
  git: GitWorkingCopy;
  keys: KeyStore;
  registry: ImageRegistry;
}

export interface PublishRequest {
  /** The manifest file to publish. */
  manifest: string;
  /** Folder of the catalog's git working copy. */
  catalog: string;
  /** Private key file; without it the manifest needs a valid `.sig` beside it already. */
  key?: string | undefined;
  keyId?: string | undefined;
  push: boolean;
  skipRegistryCheck: boolean;
  /** A fixed day `YYYY-MM-DD` to lint on; without it, today in the catalog's zone, else the machine's. */
  today?: string | undefined;
}

export interface PublishResult {
  publisher: string;
  app: string;
  version: string;
  /** Catalog-relative paths written. */
  file: string;
  signatureFile: string;
  keyId: string;
  /** `sha256:` of the manifest file as published. */
  digest: string;
  commit: string;
  tag: string;
  pushed: boolean;
  /** Branch committed to (and pushed, with --push); null when HEAD was detached. */
  branch: string | null;
  /**
   * Catalog-relative paths of the commit: the manifest, its signature and, when they had
   * uncommitted changes, the catalog files it depends on (the publisher's member file).
   */
  committed: string[];
  /** With --push: the remote URL a fresh clone of which verified the version; else null. */
  verifiedClone: string | null;
  /** Versions of the app that were already published, newest first. */
  previousVersions: string[];
  images: Array<{ image: string; status: 'present' | 'not-checked' }>;
  /** The day the manifest was linted on, and its zone. */
  calendar: Calendar;
}

/**
 * Publishes a manifest into a catalog's git working copy: lint against the catalog, a version
 * newer than every published one, images that exist in their registries, a signature by a key the
 * catalog lists for the publisher, then the file and its `.sig` committed and tagged
 * `<publisher>/<app>/<version>` (and pushed when asked). Published versions are immutable.
 */
export async function publishManifest(
  ctx: PublishContext,
  req: PublishRequest,
): Promise<PublishResult> {
  const { files } = ctx.catalog;
  const root = files.resolvePath(req.catalog);
  if (!(await ctx.catalog.git.isRepo(root))) {
    throw new KsadError(
      'USAGE',
      `${req.catalog} is not the top folder of a git working copy: publish commits into a clone of the catalog`,
      {
        suggestions: [
          'clone the catalog repository (git clone URL) and give its folder as --catalog',
        ],
      },
    );
  }
  const catalog = await openCatalog(ctx.catalog, root);
  const calendar = calendarOf(ctx.catalog.clock, {
    catalog: catalog.info?.timeZone,
    date: req.today,
  });
  const [source] = await files.readFiles([req.manifest]);
  if (source === undefined) throw new KsadError('NOT_FOUND', `No such file: ${req.manifest}`);

  // Version rules first: "already published" says more than lint's duplicate-version would.
  const parsed = parseAndValidate(source.path, source.text, manifestSchema).data;
  if (parsed !== null)
    checkNewVersion(
      catalog,
      parsed,
      `manifests/${parsed.publisher}/${parsed.name}/${parsed.version}.yaml`,
      fileDigest(source.text),
    );
  const problems = lintManifestFiles([source], catalog, { today: calendar.date }).filter(
    (d) => d.severity === 'error',
  );
  if (problems.length > 0 || parsed === null) {
    throw new KsadError(
      'INVALID',
      `${req.manifest} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was published`,
      {
        details: problems.map(formatDiagnostic),
        suggestions: [
          `fix them and check again with: ksad manifest lint ${req.manifest} --catalog ${req.catalog}`,
        ],
      },
    );
  }
  const manifest: Manifest = parsed;
  const { publisher, name, version } = manifest;
  const target = `manifests/${publisher}/${name}/${version}.yaml`;
  const tag = `${publisher}/${name}/${version}`;
  const previousVersions = checkNewVersion(catalog, manifest, target, fileDigest(source.text));
  if (await ctx.git.tagExists(root, tag)) {
    throw new KsadError(
      'INVALID',
      `${tag} was published before (the tag exists in ${req.catalog}): published versions are immutable`,
      {
        suggestions: ['publish a new version instead'],
      },
    );
  }
  const branch = await ctx.git.currentBranch(root);
  if (req.push && branch === null) {
    throw new KsadError(
      'USAGE',
      `${req.catalog} has a detached HEAD: check out the branch to publish to before --push`,
      {
        suggestions: ['git -C ' + req.catalog + ' switch main'],
      },
    );
  }

  const images = await checkImages(ctx.registry, manifest, req.skipRegistryCheck);

  let signatureText: string;
  let keyId: string;
  if (req.key !== undefined) {
    const signed = await signText(ctx.keys, req.manifest, source.text, req.key, req.keyId);
    signatureText = signed.text;
    keyId = signed.result.keyId;
  } else {
    const sigPath = signatureFileOf(req.manifest);
    if ((await files.describeRoot(sigPath)).kind !== 'file') {
      throw new KsadError(
        'USAGE',
        `${req.manifest} is not signed: give --key FILE, or sign it first with ksad manifest sign`,
        {
          suggestions: [
            `ksad publish ${req.manifest} --catalog ${req.catalog} --key ~/.config/ksad/keys/<id>.key`,
          ],
        },
      );
    }
    signatureText = (await files.readFiles([sigPath]))[0]?.text ?? '';
    keyId = '';
  }
  // The catalog must be able to verify what is published, or recipients would refuse it.
  const check = checkManifestSignature({
    file: target,
    canonical: () => canonicalManifest(req.manifest, source.text),
    signature: signatureText,
    publisher,
    member: catalog.members.find((m) => m.slug === publisher),
  });
  if (check.status !== 'verified') {
    throw new KsadError(
      'INTEGRITY',
      `the signature of ${req.manifest} does not verify against the catalog: ${check.status === 'invalid' ? check.reason : 'unsigned'}`,
      {
        suggestions: [
          `add the signing key's public entry to catalog/members/${publisher}.yaml (ksad keys generate --catalog prints or adds it), commit it, and publish again`,
        ],
      },
    );
  }
  keyId = check.keyId;

  const sigTarget = signatureFileOf(target);
  const { commit, committed, verifiedClone } = await commitVersion(ctx, {
    root,
    publisher,
    files: { [target]: source.text, [sigTarget]: signatureText },
    message: `publish ${publisher}/${name} ${version}`,
    tag,
    tagNote: `${fileDigest(source.text)}, signed by ${keyId}`,
    push: req.push ? branch : null,
    pushed: { file: target, digest: fileDigest(source.text) },
  });
  return {
    publisher,
    app: name,
    version,
    file: target,
    signatureFile: sigTarget,
    keyId,
    digest: fileDigest(source.text),
    commit,
    tag,
    pushed: req.push,
    branch,
    committed,
    verifiedClone,
    previousVersions,
    images,
    calendar,
  };
}

/** Refuses a version already published (changed or not) and one not newer than the newest. */
function checkNewVersion(
  catalog: Catalog,
  manifest: Manifest,
  target: string,
  digest: string,
): string[] {
  const same = catalog.manifests.filter(
    (m) => m.manifest.publisher === manifest.publisher && m.manifest.name === manifest.name,
  );
  const versions = same.map((m) => m.manifest.version).sort(semver.rcompare);
  const existing = same.find(
    (m) => m.file === target || semver.eq(m.manifest.version, manifest.version),
  );
  if (existing !== undefined) {
    throw new KsadError(
      'INVALID',
      existing.digest === digest
        ? `${existing.file} is already published; a version is published once`
        : `${existing.file} is already published with other content (${existing.digest}): published versions are immutable, editing them is refused`,
      { suggestions: [`publish a new version, newer than ${versions[0] ?? manifest.version}`] },
    );
  }
  const newest = versions[0];
  if (newest !== undefined && !semver.gt(manifest.version, newest)) {
    throw new KsadError(
      'INVALID',
      `${manifest.publisher}/${manifest.name} ${manifest.version} is not newer than the newest published version ${newest}`,
      {
        details: [`published: ${versions.join(', ')}`],
        suggestions: [
          `use a version greater than ${newest}, e.g. ${semver.inc(newest, 'patch') ?? newest}`,
        ],
      },
    );
  }
  return versions;
}

async function checkImages(
  registry: ImageRegistry,
  manifest: Manifest,
  skip: boolean,
): Promise<PublishResult['images']> {
  const images = [...new Set(Object.values(manifest.services).map((s) => s.image))].sort();
  if (skip) return images.map((image) => ({ image, status: 'not-checked' as const }));
  const missing: string[] = [];
  for (const image of images) {
    let exists: boolean;
    try {
      exists = await registry.imageExists(image);
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      if (error.kind === 'not-found') {
        exists = false;
      } else {
        throw new KsadError(
          'CATALOG_UNAVAILABLE',
          `cannot check image ${image}: ${error.message}`,
          {
            cause: error,
            suggestions: [
              error.kind === 'unreachable'
                ? 'check the network and the registry address'
                : `log in to the registry with \`docker login\` (ksad uses the docker CLI's logins)`,
              'to publish offline, skip the check with --skip-registry-check (recipients will pull by digest)',
            ],
          },
        );
      }
    }
    if (!exists) missing.push(image);
  }
  if (missing.length > 0) {
    throw new KsadError(
      'INVALID',
      `${missing.length} image${missing.length === 1 ? ' is' : 's are'} not in the registry; nothing was published`,
      {
        details: missing.map((i) => `missing: ${i}`),
        suggestions: ['push the images first (docker push), then publish again'],
      },
    );
  }
  return images.map((image) => ({ image, status: 'present' as const }));
}

/**
 * `immutable-version`: from the catalog's git history, every commit that modified or deleted a
 * manifest after the commit that added it. A published version must never change under the
 * recipients who deployed it.
 */
export async function publishedVersionsChanged(
  git: GitRepository,
  root: string,
): Promise<Diagnostic[]> {
  const history = await git.history(root, 'manifests');
  const addedIn = new Map<string, string>();
  const findings: Diagnostic[] = [];
  for (const { commit, subject, files } of history) {
    for (const f of files) {
      if (!f.path.startsWith('manifests/') || MANIFEST_PATH.exec(f.path)?.index !== 0) continue;
      if (f.status === 'added') {
        if (!addedIn.has(f.path)) addedIn.set(f.path, commit);
        continue;
      }
      const added = addedIn.get(f.path);
      if (added === undefined) continue;
      findings.push({
        file: f.path,
        line: 0,
        col: 0,
        severity: 'error',
        path: '',
        message: `published version ${f.status === 'deleted' ? 'deleted' : 'modified'} in commit ${commit.slice(0, 12)} ("${subject}") after it was published in ${added.slice(0, 12)}: published versions are immutable; restore it and publish a new version`,
        rule: 'immutable-version',
      });
    }
  }
  return findings;
}
