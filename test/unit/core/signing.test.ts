import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../../src/core/catalog-build.js';
import { KsadError } from '../../../src/core/errors.js';
import {
  canonicalManifest,
  checkManifestSignature,
  formatPrivateKeyFile,
  formatSignatureFile,
  generateSigningKeyPair,
  parsePrivateKeyFile,
  parseSignatureFile,
  signManifest,
  type SignatureCheckInput,
} from '../../../src/core/signing.js';
import { verifyManifest } from '../../../src/app/verify.js';
import { catalogFixtureFiles, manifestYaml } from '../../support/catalog-fixture.js';

const FILE = 'manifests/kota-bandung/antrean-daring/1.0.0.yaml';
const TEXT = manifestYaml('antrean-daring', '1.0.0');

function keyPair(id = 'kota-bandung-2025') {
  const pair = generateSigningKeyPair();
  const key = parsePrivateKeyFile(
    'k.key',
    formatPrivateKeyFile(id, 'kota-bandung', pair.privateKeyPem),
  );
  return { id, key, entry: { id, algorithm: 'ed25519' as const, publicKey: pair.publicKey } };
}

function check(
  text: string,
  signature: string | undefined,
  keys: Array<{ id: string; algorithm: 'ed25519'; publicKey: string }>,
) {
  const input: SignatureCheckInput = {
    file: FILE,
    canonical: () => canonicalManifest(FILE, text),
    signature,
    publisher: 'kota-bandung',
    member: { file: 'catalog/members/kota-bandung.yaml', member: { publisher: true, keys } },
  };
  return checkManifestSignature(input);
}

describe('canonical form ksad-c14n-v1', () => {
  it('ignores comments, formatting, quoting and key order but not content', () => {
    const reformatted = `# a comment the publisher added later\n${TEXT.replace('schemaVersion: 1\nname: antrean-daring\n', 'name: "antrean-daring"   # quoted now\nschemaVersion: 1\n')}`;
    expect(reformatted).not.toBe(TEXT);
    expect(canonicalManifest(FILE, reformatted)).toBe(canonicalManifest(FILE, TEXT));
    expect(canonicalManifest(FILE, TEXT.replace('default: 8080', 'default: 8081'))).not.toBe(
      canonicalManifest(FILE, TEXT),
    );
  });

  it('is canonical JSON with sorted keys and schema defaults not applied', () => {
    const canonical = canonicalManifest(FILE, TEXT);
    const parsed = JSON.parse(canonical) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([...Object.keys(parsed)].sort());
    expect(canonical).not.toContain('unless-stopped');
    expect(canonical).not.toMatch(/\s"|":\s/);
    // Spelling out a default is a change of content: the signature covers what was written.
    const explicit = TEXT.replace(
      '  db:\n    image:',
      '  db:\n    restart: unless-stopped\n    image:',
    );
    expect(canonicalManifest(FILE, explicit)).not.toBe(canonical);
  });

  it('refuses to canonicalise an invalid manifest, naming the file', () => {
    const error = (() => {
      try {
        canonicalManifest(FILE, TEXT.replace('version: 1.0.0', 'version: one'));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(KsadError);
    expect((error as KsadError).message).toContain(FILE);
  });
});

describe('ed25519 detached signatures', () => {
  it('round-trips through the .sig format and verifies with the listed key', () => {
    const { id, key, entry } = keyPair();
    const sig = signManifest(FILE, TEXT, id, key.key);
    const text = formatSignatureFile(sig);
    expect(text).toMatch(
      /^keyId: "kota-bandung-2025"\nalgorithm: ed25519\nsignature: [A-Za-z0-9+/]{86}==\ncanonical: ksad-c14n-v1\n$/,
    );
    expect(parseSignatureFile('x.sig', text)).toEqual({ sig });
    expect(check(TEXT, text, [entry])).toEqual({ status: 'verified', keyId: id });
    // Reformatting after signing keeps the signature valid.
    expect(check(`# reviewed\n${TEXT}`, text, [entry])).toEqual({ status: 'verified', keyId: id });
  });

  it('refuses a changed byte, a removed key, a foreign key and a malformed signature', () => {
    const { id, key, entry } = keyPair();
    const sig = formatSignatureFile(signManifest(FILE, TEXT, id, key.key));
    const tampered = check(TEXT.replace('default: 8080', 'default: 8088'), sig, [entry]);
    expect(tampered).toMatchObject({ status: 'invalid', keyId: id });
    expect(tampered.status === 'invalid' && tampered.reason).toContain(
      'changed after it was signed',
    );

    const removed = check(TEXT, sig, []);
    expect(removed.status === 'invalid' && removed.reason).toMatch(
      /not among the keys of kota-bandung.*removed or never added/,
    );

    const other = keyPair().entry;
    expect(check(TEXT, sig, [{ ...other, id }])).toMatchObject({ status: 'invalid' });

    const garbled = check(TEXT, 'keyId: x\nalgorithm: rsa\n', [entry]);
    expect(garbled.status === 'invalid' && garbled.reason).toContain('is not a ksad signature');
    expect(check(TEXT, undefined, [entry])).toEqual({ status: 'unsigned' });
  });

  it('reads a bare PKCS#8 key and refuses a non-ed25519 one', () => {
    const pair = generateSigningKeyPair();
    const bare = parsePrivateKeyFile('bare.pem', pair.privateKeyPem);
    expect(bare).toMatchObject({ keyId: null, publisher: null, publicKey: pair.publicKey });
    const rsa = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    expect(() => parsePrivateKeyFile('ec.pem', rsa)).toThrow(
      /does not hold an ed25519 private key/,
    );
  });
});

describe('verifyManifest (deploy side)', () => {
  function catalogWith(
    extra: Record<string, string>,
    keys: Array<{ id: string; publicKey: string }>,
  ) {
    const files: Record<string, string> = { ...catalogFixtureFiles(), [FILE]: TEXT, ...extra };
    const member = files['catalog/members/kota-bandung.yaml'] ?? '';
    files['catalog/members/kota-bandung.yaml'] =
      keys.length === 0
        ? member
        : `${member}keys:\n${keys.map((k) => `  - id: ${k.id}\n    algorithm: ed25519\n    publicKey: ${k.publicKey}\n`).join('')}`;
    return buildCatalog({
      name: 'test',
      root: '/catalog',
      files: Object.entries(files).map(([path, text]) => ({ path, text })),
    });
  }
  const sigOf = (k: ReturnType<typeof keyPair>) =>
    formatSignatureFile(signManifest(FILE, TEXT, k.id, k.key.key));

  it('verifies a signed manifest and names the key', () => {
    const k = keyPair();
    const catalog = catalogWith({ [`${FILE}.sig`]: sigOf(k) }, [k.entry]);
    const loaded = catalog.manifests.find((m) => m.file === FILE)!;
    expect(verifyManifest(catalog, loaded, { allowUnsigned: false })).toEqual({
      status: 'verified',
      keyId: k.id,
    });
  });

  it('refuses unsigned manifests unless the policy allows them', () => {
    const catalog = catalogWith({}, [keyPair().entry]);
    const loaded = catalog.manifests.find((m) => m.file === FILE)!;
    expect(() => verifyManifest(catalog, loaded, { allowUnsigned: false })).toThrow(
      /is not signed: .*1\.0\.0\.yaml\.sig is missing/,
    );
    expect(verifyManifest(catalog, loaded, { allowUnsigned: true })).toEqual({
      status: 'unsigned-allowed',
    });
  });

  it('refuses a tampered manifest or a revoked key even when unsigned ones are allowed', () => {
    const k = keyPair();
    const tampered = catalogWith(
      { [FILE]: TEXT.replace('default: 8080', 'default: 9090'), [`${FILE}.sig`]: sigOf(k) },
      [k.entry],
    );
    const loaded = tampered.manifests.find((m) => m.file === FILE)!;
    let error: unknown;
    try {
      verifyManifest(tampered, loaded, { allowUnsigned: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KsadError);
    expect((error as KsadError).code).toBe('INTEGRITY');
    expect((error as KsadError).message).toContain(FILE);
    expect((error as KsadError).details).toContain(`key: ${k.id}`);

    const revoked = catalogWith({ [`${FILE}.sig`]: sigOf(k) }, [
      keyPair('kota-bandung-2026').entry,
    ]);
    expect(() =>
      verifyManifest(
        revoked,
        revoked.manifests.find((m) => m.file === FILE)!,
        { allowUnsigned: true },
      ),
    ).toThrow(/kota-bandung-2025.*not among the keys/);
  });

  it('refuses a manifest moved or copied under another publisher', () => {
    const k = keyPair();
    const moved = 'manifests/kabupaten-sumbawa/antrean-daring/1.0.0.yaml';
    const catalog = catalogWith({ [moved]: TEXT, [`${FILE}.sig`]: sigOf(k) }, [k.entry]);
    const copy = catalog.manifests.find((m) => m.file === moved)!;
    expect(() => verifyManifest(catalog, copy, { allowUnsigned: true })).toThrow(
      /lies in the folder of "kabupaten-sumbawa"/,
    );
    const original = catalog.manifests.find((m) => m.file === FILE)!;
    expect(() => verifyManifest(catalog, original, { allowUnsigned: true })).toThrow(
      /also appears as manifests\/kabupaten-sumbawa/,
    );
  });
});
