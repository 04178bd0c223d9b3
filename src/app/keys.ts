import { isMap, isSeq, parseDocument } from 'yaml';
import { YAML_READING } from '../core/yaml-reading.js';
import { KsadError } from '../core/errors.js';
import { SLUG_PATTERN } from '../core/schema/common.js';
import { signingKey, type SigningKey } from '../core/schema/member.js';
import { formatPrivateKeyFile, generateSigningKeyPair } from '../core/signing.js';
import type { CatalogFiles } from '../ports/catalog-files.js';
import type { Clock } from '../ports/clock.js';
import type { KeyStore } from '../ports/key-store.js';

export interface KeysContext {
  keys: KeyStore;
  files: CatalogFiles;
  clock: Clock;
}

export interface GenerateKeyRequest {
  publisher: string;
  /** Folder for the private key; the key store's default when absent. */
  out?: string | undefined;
  id?: string | undefined;
  /** A catalog folder whose `catalog/members/<publisher>.yaml` gets the public key. */
  catalog?: string | undefined;
}

export interface GeneratedKey {
  publisher: string;
  keyId: string;
  /** Absolute path of the private key file (mode 0600). */
  privateKeyFile: string;
  /** The entry for `keys:` in the publisher's member file. */
  entry: SigningKey;
  /** The same entry as YAML, ready to paste under `keys:`. */
  snippet: string;
  /** The member file the entry was added to (`--catalog`), else null. */
  memberFile: string | null;
}

/**
 * Makes an ed25519 signing key for a publisher. The private key is written with mode 0600 outside
 * every git working copy (a key committed by accident is a key lost); the public key is returned
 * for the member file, or added to it when a catalog folder is given.
 */
export async function generateKey(
  ctx: KeysContext,
  req: GenerateKeyRequest,
): Promise<GeneratedKey> {
  if (!SLUG_PATTERN.test(req.publisher)) {
    throw new KsadError(
      'USAGE',
      `--publisher "${req.publisher}" is not a member slug such as "kota-bandung"`,
    );
  }
  const day = ctx.clock.now().toISOString().slice(0, 10);
  const keyId = req.id ?? `${req.publisher}-${day.replaceAll('-', '')}`;
  const idCheck = signingKey.shape.id.safeParse(keyId);
  if (!idCheck.success) {
    throw new KsadError(
      'USAGE',
      `--id "${keyId}" is not a key id: use lower-case letters, digits, ".", "_" and "-"`,
    );
  }
  const dir = ctx.keys.resolvePath(req.out ?? ctx.keys.defaultDir());
  const workTree = await ctx.keys.workTreeOf(dir);
  if (workTree !== null) {
    throw new KsadError(
      'USAGE',
      `refusing to write a private key into ${dir}: it is inside the git working copy ${workTree}`,
      {
        suggestions: [
          `leave out --out to use ${ctx.keys.defaultDir()}, or pick a folder outside any repository`,
        ],
      },
    );
  }

  const pair = generateSigningKeyPair();
  const entry: SigningKey = {
    id: keyId,
    algorithm: 'ed25519',
    publicKey: pair.publicKey,
    addedOn: day,
  };
  let memberFile: string | null = null;
  let memberText: string | null = null;
  if (req.catalog !== undefined) {
    memberFile = `${req.catalog.replace(/\/+$/, '')}/catalog/members/${req.publisher}.yaml`;
    memberText = await addKeyToMemberText(ctx.files, memberFile, req.publisher, entry);
  }
  // The private key is written first: a member file that lists a key nobody holds is worse than
  // a key that was never listed.
  const privateKeyFile = await ctx.keys.writePrivateKey(
    dir,
    `${keyId}.key`,
    formatPrivateKeyFile(keyId, req.publisher, pair.privateKeyPem),
  );
  if (memberFile !== null && memberText !== null)
    await ctx.files.writeTextFile(memberFile, memberText);
  return {
    publisher: req.publisher,
    keyId,
    privateKeyFile,
    entry,
    snippet: keySnippet(entry),
    memberFile,
  };
}

export function keySnippet(entry: SigningKey): string {
  return [
    'keys:',
    `  - id: ${entry.id}`,
    `    algorithm: ${entry.algorithm}`,
    `    publicKey: ${entry.publicKey}`,
    ...(entry.addedOn === undefined ? [] : [`    addedOn: "${entry.addedOn}"`]),
  ].join('\n');
}

/** The member file's text with `entry` appended to `keys:`, comments and layout kept. */
async function addKeyToMemberText(
  files: CatalogFiles,
  memberFile: string,
  publisher: string,
  entry: SigningKey,
): Promise<string> {
  const info = await files.describeRoot(memberFile);
  if (info.kind !== 'file') {
    throw new KsadError(
      'NOT_FOUND',
      `${memberFile} does not exist: "${publisher}" is not a member of that catalog`,
      {
        suggestions: [
          'check --publisher and --catalog (the catalog folder, holding catalog/members/)',
        ],
      },
    );
  }
  const [source] = await files.readFiles([memberFile]);
  const doc = parseDocument(source?.text ?? '', YAML_READING);
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    throw new KsadError(
      'INVALID',
      `${memberFile} is not a valid member file; fix it first (ksad catalog lint)`,
    );
  }
  if (doc.get('publisher') !== true) {
    throw new KsadError(
      'USAGE',
      `member "${publisher}" is not a publisher: set "publisher: true" in ${memberFile} first`,
    );
  }
  const keys = doc.get('keys');
  if (keys === undefined || keys === null) {
    doc.set('keys', doc.createNode([entry]));
  } else if (isSeq(keys)) {
    const ids = keys.items.map((k) => (isMap(k) ? k.get('id') : undefined));
    if (ids.includes(entry.id)) {
      throw new KsadError(
        'USAGE',
        `${memberFile} already lists a key "${entry.id}"; choose another --id`,
      );
    }
    keys.add(doc.createNode(entry));
  } else {
    throw new KsadError('INVALID', `${memberFile}: "keys" must be a list`);
  }
  return doc.toString();
}
