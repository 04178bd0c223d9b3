#!/usr/bin/env node
// Signature verification benchmark: 10,000 signed manifests checked the way `ksad deploy` and
// `ksad manifest verify` check them (YAML parse, schema, canonical JSON ksad-c14n-v1, ed25519
// verify against the publisher's key), against two peers measured in the same run over the same
// manifests: raw node:crypto ed25519 verify of the already-canonical bytes, and sha256 of the
// manifest text. Needs `npm run build` first.
// Usage: node bench/verify-bench.js [--manifests N] [--rounds N]
import { createHash, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const count = arg('--manifests', 10_000);
const rounds = arg('--rounds', 3);
const signing = await import(pathToFileURL(join(root, 'dist/core/signing.js')).href);

const template = readFileSync(
  join(root, 'manifests/kota-bandung/antrean-daring/2.0.0.yaml'),
  'utf8',
);
const pair = signing.generateSigningKeyPair();
const key = signing.parsePrivateKeyFile(
  'bench.key',
  signing.formatPrivateKeyFile('bench-key', 'kota-bandung', pair.privateKeyPem),
);
const member = {
  file: 'catalog/members/kota-bandung.yaml',
  member: {
    publisher: true,
    keys: [{ id: 'bench-key', algorithm: 'ed25519', publicKey: pair.publicKey }],
  },
};
const publicKey = signing.publicKeyFromRaw(pair.publicKey);

process.stderr.write(`signing ${count} manifests (setup, not timed)…\n`);
const items = [];
for (let i = 0; i < count; i++) {
  const name = `aplikasi-${String(i % 100).padStart(3, '0')}`;
  const version = `${Math.floor(i / 100)}.${i % 7}.0`;
  const text = template
    .replace(/^name: .*$/m, `name: ${name}`)
    .replace(/^version: .*$/m, `version: ${version}`);
  const file = `manifests/kota-bandung/${name}/${version}.yaml`;
  const sig = signing.signManifest(file, text, 'bench-key', key.key);
  const canonical = signing.canonicalManifest(file, text);
  items.push({
    file,
    text,
    sigText: signing.formatSignatureFile(sig),
    bytes: signing.signedBytes(canonical),
    raw: Buffer.from(sig.signature, 'base64'),
  });
}

function time(fn) {
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const ksad = time(() => {
  for (const it of items) {
    const r = signing.checkManifestSignature({
      file: it.file,
      canonical: () => signing.canonicalManifest(it.file, it.text),
      signature: it.sigText,
      publisher: 'kota-bandung',
      member,
    });
    if (r.status !== 'verified') throw new Error(`${it.file}: ${r.reason ?? r.status}`);
  }
});
const rawVerify = time(() => {
  for (const it of items)
    if (!verify(null, it.bytes, publicKey, it.raw)) throw new Error('raw verify failed');
});
const sha = time(() => {
  for (const it of items) createHash('sha256').update(it.text, 'utf8').digest('hex');
});

const per = (ms) => `${((ms * 1000) / count).toFixed(1)} µs/manifest`;
const report = {
  manifests: count,
  rounds,
  medianMs: {
    ksadVerify: Math.round(ksad),
    rawEd25519Verify: Math.round(rawVerify),
    sha256: Math.round(sha),
  },
  ratios: {
    ksadOverRawVerify: +(ksad / rawVerify).toFixed(2),
    ksadOverSha256: +(ksad / sha).toFixed(1),
  },
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.stderr.write(
  `ksad verify (parse + schema + c14n + ed25519): ${ksad.toFixed(0)} ms, ${per(ksad)}\n` +
    `raw node:crypto ed25519 verify of the same bytes: ${rawVerify.toFixed(0)} ms, ${per(rawVerify)} → ksad is ${(ksad / rawVerify).toFixed(2)}×\n` +
    `sha256 of the manifest text: ${sha.toFixed(0)} ms, ${per(sha)} → ksad is ${(ksad / sha).toFixed(1)}×\n`,
);
