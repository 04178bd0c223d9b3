import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';
import { formatDiagnostic } from './diagnostics.js';
import { KsadError } from './errors.js';
import { manifestSchema, type SigningKey } from './schema/index.js';
import type { Member } from './schema/member.js';
import { parseYaml } from './yaml-doc.js';
import { fastParseYaml } from './yaml-fast.js';
import { rememberByText } from './memo.js';
import { needsFullRead } from './text-guard.js';

/** Name of the canonical form a signature covers; a new form gets a new name, never a changed meaning. */
export const CANONICAL_FORM = 'ksad-c14n-v1';

/**
 * Domain separation: the signed bytes start with this line, so a ksad manifest signature can never
 * be replayed as a signature over some other JSON document made with the same key.
 */
const SIGNED_PREFIX = `ksad-manifest-signature\n${CANONICAL_FORM}\n`;

/** `<version>.yaml.sig` beside the manifest. */
export const signatureFileSchema = z.strictObject({
  keyId: z.string().min(1),
  algorithm: z.literal('ed25519'),
  /** Base64 of the 64-byte ed25519 signature. */
  signature: z
    .string()
    .regex(/^[A-Za-z0-9+/]{86}==$/, 'must be a base64 ed25519 signature (64 bytes)'),
  canonical: z.literal(CANONICAL_FORM),
});
export type SignatureFile = z.infer<typeof signatureFileSchema>;

/** The signature file for `manifestFile`. */
export function signatureFileOf(manifestFile: string): string {
  return `${manifestFile}.sig`;
}

/**
 * Canonical JSON of a plain value: object keys sorted by UTF-16 code unit, no whitespace, numbers
 * and strings as `JSON.stringify` writes them (ECMAScript's shortest round-trip form, so `1.0`
 * and `1` are one number). Anything JSON cannot carry faithfully is refused rather than guessed.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`${value} cannot be written in canonical JSON`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
    }
    default:
      throw new Error(`a ${typeof value} value cannot be written in canonical JSON`);
  }
}

/**
 * The canonical form `ksad-c14n-v1` of a manifest's YAML text: the document as written (schema
 * defaults NOT applied, so `restart: unless-stopped` spelled out is a different manifest from one
 * that leaves it out), validated against the manifest schema, as canonical JSON. Comments,
 * formatting, quoting and key order do not change it; any change of content does.
 * @throws KsadError('INVALID') naming `file:line:col` when the text is not a valid manifest.
 */
export function canonicalManifest(file: string, text: string): string {
  // The fast reader gives the reference reading's value or declines (test/unit/core/
  // yaml-reading.test.ts); the reference reading (`parseYaml`) decides every file it declines,
  // and every file with aliases (text-guard.ts: validating shared references is exponential).
  const fast = needsFullRead(text) ? undefined : fastParseYaml(text);
  if (fast !== undefined) return canonicalManifestValue(file, fast);
  const yaml = parseYaml(file, text);
  if (yaml.diagnostics.length > 0) {
    throw new KsadError(
      'INVALID',
      `${file} is not valid YAML, so it cannot be signed or verified`,
      {
        details: yaml.diagnostics.map(formatDiagnostic),
      },
    );
  }
  return canonicalManifestValue(file, yaml.value);
}

/** As `canonicalManifest`, from the plain value of an already parsed document. */
export function canonicalManifestValue(file: string, value: unknown): string {
  const checked = manifestSchema.safeParse(value);
  if (!checked.success) {
    throw new KsadError(
      'INVALID',
      `${file} is not a valid manifest, so it cannot be signed or verified`,
      {
        details: checked.error.issues
          .slice(0, 10)
          .map((i) => `${file}: ${i.path.join('.')}: ${i.message}`),
        suggestions: [`see every problem with: ksad manifest lint ${file}`],
      },
    );
  }
  return canonicalOfValid(file, value);
}

/**
 * As `canonicalManifestValue`, for a value already validated against the manifest schema (lint
 * validated it a moment before): the canonical JSON alone.
 */
export function canonicalOfValid(file: string, value: unknown): string {
  try {
    return canonicalJson(value);
  } catch (error) {
    throw new KsadError(
      'INVALID',
      `${file} holds a value canonical JSON cannot carry: ${(error as Error).message}`,
    );
  }
}

/** The bytes an ed25519 signature covers. */
export function signedBytes(canonical: string): Buffer {
  return Buffer.from(SIGNED_PREFIX + canonical, 'utf8');
}

/** A new ed25519 key pair: the public key as the member file holds it, the private one as PKCS#8 PEM. */
export function generateSigningKeyPair(): { publicKey: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: rawPublicKey(publicKey),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/** Raw 32-byte public key, base64, from any ed25519 key object. */
function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('not an ed25519 key');
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

/** A private key file as `keys generate` writes it: `# name: value` header lines, then the PEM. */
export interface PrivateKeyFile {
  keyId: string | null;
  publisher: string | null;
  key: KeyObject;
  /** Its public half, base64 raw, to compare with the member file. */
  publicKey: string;
}

export function formatPrivateKeyFile(
  keyId: string,
  publisher: string,
  privateKeyPem: string,
): string {
  return [
    '# ksad ed25519 signing key: keep it secret, never commit it',
    `# id: ${keyId}`,
    `# publisher: ${publisher}`,
    privateKeyPem.trimEnd(),
    '',
  ].join('\n');
}

/**
 * Reads a private key file (the header is optional: a bare PKCS#8 PEM works too).
 * @throws KsadError('INVALID') when it holds no ed25519 private key.
 */
export function parsePrivateKeyFile(file: string, text: string): PrivateKeyFile {
  const header = (name: string): string | null => {
    const m = new RegExp(`^#\\s*${name}:\\s*(\\S+)\\s*$`, 'm').exec(text);
    return m?.[1] ?? null;
  };
  const begin = text.indexOf('-----BEGIN');
  let key: KeyObject | undefined;
  if (begin >= 0) {
    try {
      key = createPrivateKey({ key: text.slice(begin), format: 'pem' });
    } catch {
      key = undefined;
    }
  }
  if (key?.asymmetricKeyType !== 'ed25519') {
    throw new KsadError('INVALID', `${file} does not hold an ed25519 private key`, {
      suggestions: ['make one with: ksad keys generate --publisher <slug>'],
    });
  }
  return {
    keyId: header('id'),
    publisher: header('publisher'),
    key,
    publicKey: rawPublicKey(createPublicKey(key)),
  };
}

/** Signs a manifest's text; returns the signature document. */
export function signManifest(
  file: string,
  text: string,
  keyId: string,
  key: KeyObject,
): SignatureFile {
  const canonical = canonicalManifest(file, text);
  const signature = sign(null, signedBytes(canonical), key).toString('base64');
  return { keyId, algorithm: 'ed25519', signature, canonical: CANONICAL_FORM };
}

/** The text of a `.sig` file: small YAML, one field a line, in a fixed order. */
export function formatSignatureFile(sig: SignatureFile): string {
  return `keyId: ${JSON.stringify(sig.keyId)}\nalgorithm: ${sig.algorithm}\nsignature: ${sig.signature}\ncanonical: ${sig.canonical}\n`;
}

/** Parses a `.sig` file (YAML or JSON, which is YAML too); null with a reason when it is not one. */
export function parseSignatureFile(
  file: string,
  text: string,
): { sig: SignatureFile } | { error: string } {
  // The common case, a well-formed signature, without the full parser (catalog lint checks every
  // signature of a catalog); anything else is parsed again for its line and column.
  const fast = needsFullRead(text) ? undefined : signatureFileSchema.safeParse(fastParseYaml(text));
  if (fast?.success === true) return { sig: fast.data };
  const yaml = parseYaml(file, text);
  if (yaml.diagnostics.length > 0)
    return { error: yaml.diagnostics.map(formatDiagnostic).join('; ') };
  const parsed = signatureFileSchema.safeParse(yaml.value);
  if (!parsed.success) {
    return {
      error: parsed.error.issues
        .map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`)
        .join('; '),
    };
  }
  return { sig: parsed.data };
}

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A public key object from the member file's base64 raw key. */
export function publicKeyFromRaw(raw: string): KeyObject {
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length !== 32) throw new Error('an ed25519 public key has 32 bytes');
  return createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, bytes]),
    format: 'der',
    type: 'spki',
  });
}

/** Key objects by their raw form: a catalog's thousands of signatures come from a few keys. */
const publicKeyOf = rememberByText(publicKeyFromRaw, 256);

export type SignatureCheck =
  | { status: 'verified'; keyId: string }
  | { status: 'unsigned' }
  | { status: 'invalid'; keyId: string | null; reason: string };

export interface SignatureCheckInput {
  /** Catalog-relative path of the manifest, for messages. */
  file: string;
  /** The manifest's canonical form (see `canonicalManifest`), or a function making it on demand. */
  canonical: string | (() => string);
  /** Text of the `.sig` file; undefined when there is none. */
  signature: string | undefined;
  /** The publisher named by the manifest and its member entry in the catalog (undefined: not a member). */
  publisher: string;
  member: { file: string; member: Pick<Member, 'keys' | 'publisher'> } | undefined;
}

/**
 * Checks a detached signature against the keys the catalog lists for the manifest's publisher.
 * A key no longer listed verifies nothing: removing a key from the member file revokes it.
 */
export function checkManifestSignature(input: SignatureCheckInput): SignatureCheck {
  const { file, publisher, member } = input;
  if (input.signature === undefined) return { status: 'unsigned' };
  const sigFile = signatureFileOf(file);
  const parsed = parseSignatureFile(sigFile, input.signature);
  if ('error' in parsed)
    return {
      status: 'invalid',
      keyId: null,
      reason: `${sigFile} is not a ksad signature: ${parsed.error}`,
    };
  const { sig } = parsed;
  if (member === undefined) {
    return {
      status: 'invalid',
      keyId: sig.keyId,
      reason: `publisher "${publisher}" of ${file} is not a member of the catalog, so key "${sig.keyId}" cannot be trusted`,
    };
  }
  const key: SigningKey | undefined = member.member.keys.find((k) => k.id === sig.keyId);
  if (key === undefined) {
    const listed = member.member.keys.map((k) => k.id);
    return {
      status: 'invalid',
      keyId: sig.keyId,
      reason: `${sigFile} is signed with key "${sig.keyId}", which is not among the keys of ${publisher} in ${member.file} (${listed.length > 0 ? `listed: ${listed.join(', ')}` : 'it lists none'}); the key was removed or never added`,
    };
  }
  let ok: boolean;
  try {
    const canonical = typeof input.canonical === 'string' ? input.canonical : input.canonical();
    ok = verify(
      null,
      signedBytes(canonical),
      publicKeyOf(key.publicKey),
      Buffer.from(sig.signature, 'base64'),
    );
  } catch (error) {
    const reason =
      error instanceof KsadError
        ? `${error.message}${error.details.length > 0 ? `: ${error.details.join('; ')}` : ''}`
        : (error as Error).message;
    return { status: 'invalid', keyId: sig.keyId, reason };
  }
  if (!ok) {
    return {
      status: 'invalid',
      keyId: sig.keyId,
      reason: `${file} does not match its signature by key "${sig.keyId}" of ${publisher}: the manifest was changed after it was signed (or the signature belongs to other content)`,
    };
  }
  return { status: 'verified', keyId: sig.keyId };
}
