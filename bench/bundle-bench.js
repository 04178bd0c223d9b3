#!/usr/bin/env node
// Offline bundles against `docker save` / `docker load`, in one run on one engine:
// - load throughput: `ksad deploy --bundle` (verify every byte, load, start) against `docker load`
//   of the same image saved by `docker save` (and save + load, the pipe's two halves);
// - peak memory (RSS) of `ksad bundle create` and `ksad deploy --bundle`, for a bundle holding a
//   large image (random-content layers, default 1 GiB) and a 10 MiB one: both under 150 MB;
// - differential size: an upgrade where one 5 MiB layer changed in a 300 MiB app, against the
//   full bundle of that version.
// Needs `npm run build` and `bash scripts/engine.sh start` (DOCKER_HOST, KSAD_REGISTRY,
// KSAD_SAMPLE_IMAGES from `eval "$(bash scripts/engine.sh env)"`). `--large-mb N` sets the large size.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const LARGE_MB = arg('--large-mb', 1024);
const RSS_LIMIT_MB = 150;
const registry = process.env.KSAD_REGISTRY ?? '127.0.0.1:5151';
const samples = JSON.parse(
  readFileSync(process.env.KSAD_SAMPLE_IMAGES ?? join(root, 'scripts/images/digests.json'), 'utf8'),
);
const webRef = samples.web ?? samples.images?.web;
const work = mkdtempSync(join(tmpdir(), 'ksad-bundle-bench-'));
const home = join(work, 'home');
const env = { ...process.env, KSAD_HOME: home, NO_COLOR: '1', DOCKER_BUILDKIT: '0' };
const mib = (b) => b / 1048576;

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
    ...opts,
  });
}

/** Runs `ksad …` under GNU time: seconds and peak RSS (MB). */
function ksad(args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', process.execPath, join(root, 'bin/run.js'), ...args, '--json'],
    {
      env,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`ksad ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  const rssKb = Number(r.stderr.trim().split('\n').at(-1));
  return { seconds, rssMb: rssKb / 1024, json: JSON.parse(r.stdout) };
}

function timed(fn) {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function randomFile(file, mb) {
  const chunk = 16 << 20;
  writeFileSync(file, '');
  for (let left = mb << 20; left > 0; left -= chunk)
    writeFileSync(file, randomBytes(Math.min(chunk, left)), { flag: 'a' });
}

/** web + a big random layer (the same for one name) + a small one: pushed, returns `repo@digest`. */
function buildImage(name, bigMb, smallMb, smallSeed) {
  const ctx = join(work, `ctx-${name}`);
  mkdirSync(ctx, { recursive: true });
  if (!existsSync(join(ctx, 'big'))) randomFile(join(ctx, 'big'), bigMb);
  writeFileSync(
    join(ctx, 'small'),
    Buffer.concat([Buffer.from(smallSeed), randomBytes((smallMb << 20) - smallSeed.length)]),
  );
  writeFileSync(join(ctx, 'Dockerfile'), `FROM ${webRef}\nCOPY big /big\nCOPY small /small\n`);
  const tag = `${registry}/ksad-bench/${name}:1`;
  sh('docker', ['build', '-q', '-t', tag, ctx]);
  const pushed = sh('docker', ['push', tag]);
  const digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed)?.[1];
  if (!digest) throw new Error(`no digest in docker push output:\n${pushed}`);
  return { tag, ref: `${registry}/ksad-bench/${name}@${digest}` };
}

function manifest(app, version, image, port) {
  return `schemaVersion: 1
name: ${app}
version: ${version}
publisher: kota-bandung
title: Uji bundle
description:
  id:
    shortDescription: Aplikasi uji bundle.
dimensions: [smart-governance]
categories: [testing]
license: Apache-2.0
url: https://example.org/kota-bandung/${app}
maintenance:
  type: internal
  contacts:
    - name: Tim Uji ksad
      email: uji@example.org
services:
  web:
    image: ${image}
    environment:
      APP_TITLE: Uji bundle
      REGION_NAME: Sumbawa
    ports:
      - name: http
        container: 8080
        host: ${port}
    healthcheck:
      test: [wget, -q, -O, /dev/null, "http://127.0.0.1:8080/healthz"]
      interval: 1s
      timeout: 2s
      retries: 30
    init: true
    stopGracePeriod: 2s
`;
}

function setUp(apps) {
  const cat = join(work, 'catalog');
  cpSync(join(root, 'catalog'), join(cat, 'catalog'), { recursive: true });
  cpSync(join(root, 'manifests'), join(cat, 'manifests'), { recursive: true });
  for (const [app, versions] of Object.entries(apps)) {
    for (const [version, image, port] of versions) {
      const file = join(cat, 'manifests/kota-bandung', app, `${version}.yaml`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, manifest(app, version, image, port));
    }
  }
  writeFileSync(
    join(cat, 'catalog/mous/bench-bundle.yaml'),
    `number: 900/BENCH/2026\ntitle: Uji bundle\ngrantor: "32.73"\ngrantees: ["52.04"]\napps:\n${Object.keys(
      apps,
    )
      .map((a) => `  - name: ${a}`)
      .join(
        '\n',
      )}\nvalidFrom: "2025-01-01"\nvalidUntil: "2099-12-31"\nsignedOn: "2024-12-20"\ndocument:\n  sha256: "${'0'.repeat(64)}"\n  url: https://example.org/bench.pdf\n`,
  );
  const key = ksad([
    'keys',
    'generate',
    '--publisher',
    'kota-bandung',
    '--id',
    'bench-pack',
    '--catalog',
    cat,
    '--out',
    join(work, 'keys'),
  ]);
  ksad(['host', 'init', '--region', '52.04', '--allow-unsigned', '--catalog', cat]);
  return { cat, key: key.json.privateKeyFile };
}

function removeImage(ref) {
  spawnSync('docker', ['rmi', '-f', ref], { env, stdio: 'ignore' });
}

const results = {};
try {
  process.stderr.write(
    `building images (large: ${LARGE_MB} MiB, small: 10 MiB, differential: 300 MiB)…\n`,
  );
  const large = buildImage('large', LARGE_MB - 5, 5, 'large');
  const small = buildImage('small', 5, 5, 'small');
  const d1 = buildImage('diff', 295, 5, 'one');
  const d2 = buildImage('diff', 295, 5, 'two');
  // Same base content for both versions: docker build's cache keeps the 295 MiB layer the same.
  const { cat, key } = setUp({
    'bench-large': [['1.0.0', large.ref, 19401]],
    'bench-small': [['1.0.0', small.ref, 19402]],
    'bench-diff': [
      ['1.0.0', d1.ref, 19403],
      ['1.1.0', d2.ref, 19403],
    ],
  });
  for (const [name, image] of [
    ['large', large],
    ['small', small],
  ]) {
    const file = join(work, `${name}.ksadb`);
    const create = ksad([
      'bundle',
      'create',
      `bench-${name}`,
      '--key',
      key,
      '--out',
      file,
      '--catalog',
      cat,
    ]);
    removeImage(image.tag);
    removeImage(image.ref);
    const load = ksad(['bundle', 'load', file, '--catalog', cat]);
    const deploy = ksad(['deploy', `bench-${name}`, '--bundle', file, '--catalog', cat]);
    const at = image.ref.indexOf('@');
    const tagOf = `${image.ref.slice(0, at)}:${image.ref.slice(at + 1).replace(':', '-')}`;
    const saved = join(work, `${name}.tar`);
    ksad(['uninstall', `bench-${name}`]);
    const save = timed(() => sh('docker', ['save', '-o', saved, tagOf]));
    removeImage(tagOf);
    const dockerLoad = timed(() => sh('docker', ['load', '-i', saved]));
    removeImage(tagOf);
    rmSync(saved);
    results[name] = {
      bundleMb: +mib(statSync(file).size).toFixed(1),
      createSeconds: +create.seconds.toFixed(2),
      createRssMb: +create.rssMb.toFixed(1),
      loadSeconds: +load.seconds.toFixed(2),
      loadRssMb: +load.rssMb.toFixed(1),
      deployRssMb: +deploy.rssMb.toFixed(1),
      dockerSaveSeconds: +save.toFixed(2),
      dockerLoadSeconds: +dockerLoad.toFixed(2),
      throughputVsDockerLoad: +(dockerLoad / load.seconds).toFixed(2),
      throughputVsSaveAndLoad: +((save + dockerLoad) / load.seconds).toFixed(2),
    };
    rmSync(file);
  }
  const fullFile = join(work, 'diff-full.ksadb');
  const upgrade = join(work, 'diff-upgrade.ksadb');
  const old = join(work, 'diff-old.ksadb');
  ksad(['bundle', 'create', 'bench-diff@1.0.0', '--key', key, '--out', old, '--catalog', cat]);
  ksad(['bundle', 'create', 'bench-diff@1.1.0', '--key', key, '--out', fullFile, '--catalog', cat]);
  ksad([
    'bundle',
    'create',
    'bench-diff@1.1.0',
    '--key',
    key,
    '--out',
    upgrade,
    '--since',
    old,
    '--catalog',
    cat,
  ]);
  results.differential = {
    fullMb: +mib(statSync(fullFile).size).toFixed(1),
    upgradeMb: +mib(statSync(upgrade).size).toFixed(2),
    ratio: +(statSync(upgrade).size / statSync(fullFile).size).toFixed(4),
  };
  for (const i of [d1, d2]) removeImage(i.tag);
} finally {
  // What the bench deployed, and the release records and secrets vaults ksad kept for it.
  for (const app of ['bench-large', 'bench-small', 'bench-diff']) {
    const filter = `label=id.ksad.app=${app}`;
    const ids = (args) =>
      spawnSync('docker', args, { env, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    const containers = ids(['ps', '-aq', '--filter', filter]);
    if (containers.length > 0)
      spawnSync('docker', ['rm', '-f', ...containers], { env, stdio: 'ignore' });
    const volumes = ids(['volume', 'ls', '-q', '--filter', filter]);
    if (volumes.length > 0)
      spawnSync('docker', ['volume', 'rm', '-f', ...volumes], { env, stdio: 'ignore' });
  }
  rmSync(work, { recursive: true, force: true });
}

process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
const failures = [];
for (const name of ['large', 'small']) {
  const r = results[name];
  if (!r) continue;
  if (r.createRssMb > RSS_LIMIT_MB || r.loadRssMb > RSS_LIMIT_MB || r.deployRssMb > RSS_LIMIT_MB)
    failures.push(`${name}: peak RSS over ${RSS_LIMIT_MB} MB`);
}
if (results.large && results.large.throughputVsDockerLoad < 0.8)
  failures.push(
    `large: load throughput ${results.large.throughputVsDockerLoad}x docker load, under 0.8x`,
  );
for (const f of failures) process.stderr.write(`bundle-bench: ${f}\n`);
process.exitCode = failures.length > 0 ? 1 : 0;
