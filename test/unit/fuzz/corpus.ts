import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { formatPrivateKeyFile, generateSigningKeyPair } from '../../../src/core/signing.js';
import { REPO_ROOT } from '../../support/cli.js';
import { benchManifest, manifest, member, mou } from '../core/fixtures.js';

/**
 * The hostile inputs: generated from valid bases (truncated, bit-flipped), every wrong type per
 * field, unknown keys, the specific inputs ksad took wrongly before, and resource attacks (huge,
 * deeply nested, alias bombs, binary). File-system cases (FIFO, link loop, /dev/zero …) are made
 * by `hostile-files.ts`. The same seed gives the same corpus, except for the key file's base, a
 * fresh key each run (so its mutations, and the counts, vary by one or two).
 */

/** Which reader or entry point a text is fed to. */
export type TextTarget =
  | 'manifest'
  | 'sign'
  | 'member'
  | 'mou'
  | 'catalog'
  | 'signature'
  | 'overlay'
  | 'compose'
  | 'publiccode'
  | 'key';

/**
 * `error`: must be refused with a clear error. `either`: a mutation that may still be a valid
 * document (a flipped bit inside a description), so acceptance is documented, not a failure.
 */
export type Expectation = 'error' | 'either';

export interface TextCase {
  id: string;
  target: TextTarget;
  text: string;
  expect: Expectation;
}

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

/** A valid text for each target. */
export function bases(): Record<TextTarget, string> {
  const { privateKeyPem } = generateSigningKeyPair();
  const sample = 'manifests/kota-bandung/antrean-daring/1.0.0.yaml';
  return {
    manifest: benchManifest('kota-bandung', 'antrean-daring', '1.0.0').text,
    sign: read(sample),
    member: member({ slug: 'kota-bogor', code: '32.71', publisher: true }).text,
    mou: mou({
      slug: 'fuzz',
      grantor: '32.73',
      grantees: ['52.04'],
      apps: [{ name: 'antrean-daring', versions: '^1.0.0' }],
    }).text,
    catalog: 'schemaVersion: 1\nid: ksad-test\ntitle: KSAD test catalog\n',
    signature: read(`${sample}.sig`),
    overlay: read('examples/sumbawa-antrean.yaml'),
    compose: read('test/fixtures/compose/full.yml'),
    publiccode: read('test/fixtures/publiccode/publiccode.yml'),
    key: formatPrivateKeyFile('kota-bandung-fuzz', 'kota-bandung', privateKeyPem),
  };
}

/** mulberry32: a small seeded generator, so a failing case can be found again by its id. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each base cut at `count` places and with `count` single bits flipped. */
export function mutations(count: number, seed = 11): TextCase[] {
  const rand = prng(seed);
  const out: TextCase[] = [];
  for (const [target, text] of Object.entries(bases()) as Array<[TextTarget, string]>) {
    const bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < count; i++) {
      const at = Math.floor(rand() * bytes.length);
      out.push({
        id: `truncate/${target}/${at}`,
        target,
        text: bytes.subarray(0, at).toString('utf8'),
        expect: 'either',
      });
      const flipped = Buffer.from(bytes);
      const bit = Math.floor(rand() * 8);
      flipped[at] = (flipped[at] ?? 0) ^ (1 << bit);
      out.push({
        id: `bitflip/${target}/${at}.${bit}`,
        target,
        // latin1 keeps every byte as one character, as a reader that did not check UTF-8 would.
        text: flipped.toString('latin1'),
        expect: 'either',
      });
    }
  }
  return out;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const WRONG: Record<string, Json[]> = {
  string: [7, true, ['x'], { a: 1 }, null],
  number: ['x', true, [1], null],
  list: ['x', 1, { a: 1 }, null],
  map: ['x', 1, ['x'], null],
  boolean: ['yes', 1, ['x'], null],
};

/** Fields of each document and the kind of value they hold. */
const FIELDS: Array<[TextTarget, string, keyof typeof WRONG]> = [
  ['manifest', 'schemaVersion', 'number'],
  ['manifest', 'name', 'string'],
  ['manifest', 'version', 'string'],
  ['manifest', 'publisher', 'string'],
  ['manifest', 'title', 'string'],
  ['manifest', 'description', 'map'],
  ['manifest', 'description.id.shortDescription', 'string'],
  ['manifest', 'dimensions', 'list'],
  ['manifest', 'license', 'string'],
  ['manifest', 'url', 'string'],
  ['manifest', 'maintenance.type', 'string'],
  ['manifest', 'config', 'map'],
  ['manifest', 'secrets', 'map'],
  ['manifest', 'services', 'map'],
  ['manifest', 'services.web.image', 'string'],
  ['manifest', 'services.web.environment', 'map'],
  ['manifest', 'services.web.ports', 'list'],
  ['manifest', 'services.web.ports.0.container', 'number'],
  ['manifest', 'services.web.healthcheck.test', 'list'],
  ['manifest', 'services.web.init', 'boolean'],
  ['manifest', 'services.web.dependsOn', 'map'],
  ['manifest', 'services.web.resources', 'map'],
  ['member', 'code', 'string'],
  ['member', 'name', 'string'],
  ['member', 'kind', 'string'],
  ['member', 'contacts', 'list'],
  ['member', 'publisher', 'boolean'],
  ['mou', 'number', 'string'],
  ['mou', 'grantor', 'string'],
  ['mou', 'grantees', 'list'],
  ['mou', 'apps', 'list'],
  ['mou', 'validFrom', 'string'],
  ['mou', 'validUntil', 'string'],
  ['mou', 'document', 'map'],
  ['overlay', 'config', 'map'],
  ['overlay', 'services', 'map'],
  ['overlay', 'services.web.resources', 'map'],
  ['signature', 'keyId', 'string'],
  ['signature', 'signature', 'string'],
  ['signature', 'canonical', 'string'],
];

function setAt(root: Json, path: string, value: Json): Json {
  const copy = structuredClone(root);
  const keys = path.split('.');
  let node = copy as Record<string, Json>;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (next === null || typeof next !== 'object') return copy;
    node = next as Record<string, Json>;
  }
  node[keys[keys.length - 1] ?? ''] = value;
  return copy;
}

/** Every wrong type for every field listed in FIELDS. */
export function wrongTypes(): TextCase[] {
  const base = bases();
  return FIELDS.flatMap(([target, path, kind]) =>
    (WRONG[kind] ?? []).map((value) => ({
      id: `wrong-type/${target}/${path}=${JSON.stringify(value)}`,
      target,
      text: stringify(setAt(parse(base[target]) as Json, path, value)),
      expect: 'error' as const,
    })),
  );
}

/** An unknown key at each level of each document. */
export function unknownKeys(): TextCase[] {
  const base = bases();
  const at: Array<[TextTarget, string]> = [
    ['manifest', 'colour'],
    ['manifest', 'services.web.privilegedd'],
    ['manifest', 'services.web.ports.0.hostt'],
    ['manifest', 'maintenance.kind'],
    ['member', 'agencyy'],
    ['member', 'contacts.0.phone_number'],
    ['mou', 'grantee'],
    ['mou', 'document.hash'],
    ['overlay', 'configs'],
    ['overlay', 'services.web.env'],
    ['catalog', 'timezone'],
    ['signature', 'key'],
  ];
  return at.map(([target, path]) => ({
    id: `unknown-key/${target}/${path}`,
    target,
    text: stringify(setAt(parse(base[target]) as Json, path, 'x')),
    expect: 'error' as const,
  }));
}

/** A manifest with `lines` in place of the default service's last lines. */
function manifestWith(serviceLines: string[], extra: string[] = []): string {
  return manifest({
    services: [
      '  web:',
      `    image: registry.example.go.id/antrean/web@sha256:${'a'.repeat(64)}`,
      ...serviceLines,
    ],
    extra,
  }).text;
}

/** The inputs the issue names as wrongly accepted, each to become a clear error. */
export function namedCases(): TextCase[] {
  const base = bases();
  const c = (id: string, target: TextTarget, text: string): TextCase => ({
    id: `named/${id}`,
    target,
    text,
    expect: 'error',
  });
  // Hexadecimal and octal integers are YAML 1.2 core integers, read alike everywhere (README).
  const accept = (id: string, target: TextTarget, text: string): TextCase => ({
    ...c(id, target, text),
    expect: 'either',
  });
  const mouText = (lines: Record<string, string>) =>
    base.mou
      .split('\n')
      .map((l) => {
        const key = /^(\w+):/.exec(l)?.[1];
        return key !== undefined && key in lines ? `${key}: ${lines[key]}` : l;
      })
      .join('\n');
  const pub = generateSigningKeyPair().publicKey;
  return [
    c('env-empty-name', 'manifest', manifestWith(['    environment:', '      "": x'])),
    c('env-name-with-equals', 'manifest', manifestWith(['    environment:', '      "A=B": x'])),
    c('env-value-nul-escape', 'manifest', manifestWith(['    environment:', '      A: "x\\0y"'])),
    c('overlay-env-equals', 'overlay', 'services:\n  web:\n    environment:\n      "A=B": x\n'),
    c('overlay-env-empty', 'overlay', 'services:\n  web:\n    environment:\n      "": x\n'),
    ...['1k', '1', '1024', '5m', '6291455', '0', '99999999999999999999g'].map((m) =>
      c(`memory-${m}`, 'manifest', manifestWith(['    resources:', `      memory: "${m}"`])),
    ),
    ...['1k', '5m'].map((m) =>
      c(
        `overlay-memory-${m}`,
        'overlay',
        `services:\n  web:\n    resources:\n      memory: ${m}\n`,
      ),
    ),
    c('nul-byte-raw', 'manifest', base.manifest.replace('Antrean Daring', 'Antrean\0Daring')),
    c('nul-byte-member', 'member', base.member.replace('Diskominfo', 'Disko\0minfo')),
    c('control-char', 'mou', base.mou.replace('Kerja', 'Ker\u0007ja')),
    c('proto-env', 'manifest', manifestWith(['    environment:', '      __proto__: x'])),
    c(
      'proto-config',
      'manifest',
      manifestWith([], ['config:', '  __proto__: {type: string, description: x}']),
    ),
    c('proto-overlay', 'overlay', 'config:\n  __proto__: x\n'),
    c('proto-top', 'member', `${base.member}__proto__: {publisher: true}\n`),
    accept('port-hex', 'manifest', manifestWith(['    ports:', '      - container: 0x50'])),
    accept('port-octal', 'manifest', manifestWith(['    ports:', '      - container: 0o120'])),
    accept(
      'host-port-hex',
      'manifest',
      manifestWith(['    ports:', '      - container: 80', '        host: 0x1F90']),
    ),
    accept('overlay-port-hex', 'overlay', 'config:\n  HTTP_PORT: 0x1F90\n'),
    ...['2028-02-30', '2027-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '0000-01-01'].map(
      (d) => c(`date-${d}`, 'mou', mouText({ validUntil: d })),
    ),
    c('date-signedOn', 'mou', `${base.mou}signedOn: 2026-02-30\n`),
    c('date-releaseDate', 'manifest', manifestWith([], ['releaseDate: "2025-02-29"'])),
    c(
      'self-grant',
      'mou',
      mou({
        slug: 'fuzz',
        grantor: '32.73',
        grantees: ['32.73'],
        apps: [{ name: 'antrean-daring' }],
      }).text,
    ),
    c(
      'duplicate-key-id',
      'member',
      `${base.member}keys:\n  - {id: k1, algorithm: ed25519, publicKey: "${pub}"}\n  - {id: k1, algorithm: ed25519, publicKey: "${pub}"}\n`,
    ),
    c('sig-truncated', 'signature', base.signature.slice(0, base.signature.length / 2)),
    c('sig-bad-base64', 'signature', base.signature.replace(/signature: \S+/, 'signature: !!!!')),
    c('sig-flipped', 'signature', flipSignature(base.signature)),
    c('sig-wrong-key', 'signature', base.signature.replace(/keyId: .*/, 'keyId: "nobody-2020"')),
    c('sig-wrong-form', 'signature', base.signature.replace('ksad-c14n-v1', 'ksad-c14n-v0')),
    c('sig-empty', 'signature', ''),
    c('sig-json-garbage', 'signature', '{"keyId": 1}'),
    c('key-not-pem', 'key', 'not a key\n'),
    c('key-rsa-ish', 'key', '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n'),
    c('compose-not-map', 'compose', '- a\n- b\n'),
    c('publiccode-not-map', 'publiccode', 'just a string\n'),
  ];
}

/** The signature with one base64 character changed: still the right form, no longer valid. */
function flipSignature(text: string): string {
  return text.replace(
    /signature: (\S)/,
    (_m, ch: string) => `signature: ${ch === 'A' ? 'B' : 'A'}`,
  );
}

/**
 * The resource cases a target may take (README, "Input limits"): an empty overlay changes
 * nothing; publiccode import reports fields it cannot map as warnings (the draft is linted
 * after); a long scalar or many keys below the limits are only invalid documents.
 */
function documentedAccept(target: TextTarget, id: string): boolean {
  if (['many-keys', 'long-scalar', 'wide-flow'].includes(id)) return true;
  if (target === 'overlay') return ['empty', 'only-comment', 'tabs'].includes(id);
  if (target === 'publiccode') return ['deep-block', 'unknown-tag'].includes(id);
  return false;
}

/** Resource attacks, fed to every text target. */
export function resourceCases(): TextCase[] {
  const targets: TextTarget[] = [
    'manifest',
    'sign',
    'member',
    'mou',
    'overlay',
    'compose',
    'publiccode',
    'signature',
  ];
  let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 10; i++)
    bomb += `a${i}: &a${i} [${Array(10)
      .fill(`*a${i - 1}`)
      .join(', ')}]\n`;
  const rand = prng(7);
  const binary = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rand() * 256)));
  const texts: Array<[string, string]> = [
    ['alias-bomb', bomb],
    [
      'alias-bomb-in-services',
      `services:\n  web: &w {image: x}\n  web2: *w\n${bomb.replaceAll(/^a/gm, '  x')}`,
    ],
    ['deep-flow', `${'['.repeat(20_000)}${']'.repeat(20_000)}\n`],
    ['deep-flow-map', `a: ${'{a: '.repeat(5_000)}1${'}'.repeat(5_000)}\n`],
    ['deep-block', Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')],
    ['long-scalar', `title: ${'x'.repeat(400_000)}\n`],
    ['many-keys', Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join('\n')],
    ['wide-flow', `a: [${Array(100_000).fill('1').join(',')}]\n`],
    ['binary', binary.toString('latin1')],
    ['empty', ''],
    ['only-comment', '# nothing\n'],
    ['tabs', '\t\t\t\n'],
    ['document-stream', '---\na: 1\n---\nb: 2\n'],
    ['unknown-tag', 'a: !!binary AAAA\nb: !custom x\n'],
    ['undefined-alias', 'a: *nowhere\n'],
  ];
  return targets.flatMap((target) =>
    texts.map(([id, text]) => ({
      id: `resource/${target}/${id}`,
      target,
      text,
      expect: documentedAccept(target, id) ? 'either' : 'error',
    })),
  );
}
