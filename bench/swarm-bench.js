#!/usr/bin/env node
// Swarm benchmark: the same three-service app (db, web, worker; health checks on db and web)
// deployed by ksad and by `docker stack deploy --detach=false -c` of the equivalent compose file,
// on the same swarm in one run: a cold deploy until every task runs, and an upgrade of one service
// (web's APP_VERSION). Both use the same update order, failure action and monitor window. Needs
// DOCKER_HOST to be a swarm manager with the sample images (scripts/engine.sh start).
// Usage: node bench/swarm-bench.js [--rounds N]
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 3;
// The run's own registry holds the pinned digests under its address (engine.sh env says where).
const images = process.env.KSAD_SAMPLE_IMAGES
  ? JSON.parse(readFileSync(process.env.KSAD_SAMPLE_IMAGES, 'utf8'))
  : JSON.parse(readFileSync(join(root, 'scripts/images/digests.json'), 'utf8')).images;
const work = mkdtempSync(join(tmpdir(), 'ksad-swarm-bench-'));
const env = { ...process.env, KSAD_HOME: join(work, 'home') };
const PORT = { ksad: 19490, stack: 19491 };

function sh(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out}`)),
    );
  });
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const health = (url) =>
  `{ test: [wget, -q, -O, /dev/null, "${url}"], interval: 1s, timeout: 2s, retries: 30 }`;
function manifest(version) {
  return `schemaVersion: 1
name: bench-swarm
version: ${version}
publisher: kota-bandung
title: Bench Swarm
description:
  id:
    shortDescription: Aplikasi tiga layanan untuk pengukuran kinerja ksad di swarm.
dimensions: [smart-governance]
license: Apache-2.0
url: https://git.bandung.go.id/diskominfo/bench-swarm
maintenance:
  type: internal
services:
  db:
    image: ${images.db}
    environment: { DB_PASSWORD: bench }
    volumes: [{ name: data, path: /data }]
    healthcheck: ${health('http://127.0.0.1:5432/records')}
    init: true
    stopGracePeriod: 2s
  web:
    image: ${images.web}
    environment: { APP_TITLE: Bench, APP_VERSION: "${version}", DB_HOST: "\${service.db.host}" }
    ports: [{ name: http, container: 8080, host: ${PORT.ksad} }]
    healthcheck: ${health('http://127.0.0.1:8080/healthz')}
    init: true
    stopGracePeriod: 2s
  worker:
    image: ${images.worker}
    environment: { INTERVAL: "5" }
    volumes: [{ name: worker-data, path: /data }]
    init: true
    stopGracePeriod: 2s
`;
}

/** The same app as a stack: host-mode port, DNS round robin, ksad's update settings. */
function stack(version) {
  const deploy = (order) =>
    `{ endpoint_mode: dnsrr, update_config: { parallelism: 1, order: ${order}, failure_action: rollback, monitor: 2s } }`;
  const health = (url) =>
    `{ test: [CMD, wget, -q, -O, /dev/null, "${url}"], interval: 1s, timeout: 2s, retries: 30 }`;
  return `version: "3.8"
services:
  db:
    image: ${images.db}
    environment: { DB_PASSWORD: bench }
    volumes: ["data:/data"]
    healthcheck: ${health('http://127.0.0.1:5432/records')}
    init: true
    stop_grace_period: 2s
    deploy: ${deploy('start-first')}
  web:
    image: ${images.web}
    environment: { APP_TITLE: Bench, APP_VERSION: "${version}", DB_HOST: db }
    ports: [{ target: 8080, published: ${PORT.stack}, mode: host }]
    healthcheck: ${health('http://127.0.0.1:8080/healthz')}
    init: true
    stop_grace_period: 2s
    deploy: ${deploy('stop-first')}
  worker:
    image: ${images.worker}
    environment: { INTERVAL: "5" }
    volumes: ["worker-data:/data"]
    init: true
    stop_grace_period: 2s
    deploy: ${deploy('start-first')}
volumes: { data: {}, worker-data: {} }
`;
}

const catalog = join(work, 'catalog');
cpSync(join(root, 'catalog'), join(catalog, 'catalog'), { recursive: true });
cpSync(join(root, 'manifests'), join(catalog, 'manifests'), { recursive: true });
const dir = join(catalog, 'manifests/kota-bandung/bench-swarm');
mkdirSync(dir, { recursive: true });
for (const v of ['1.0.0', '1.0.1']) writeFileSync(join(dir, `${v}.yaml`), manifest(v));
writeFileSync(
  join(catalog, 'catalog/mous/bench-swarm-2026.yaml'),
  `number: BENCH/SWARM/2026
title: Bench Swarm
grantor: "32.73"
grantees: ["52.04"]
apps: [{ name: bench-swarm }]
validFrom: "2026-01-01"
validUntil: "2099-12-31"
document: { sha256: "${'a'.repeat(64)}" }
`,
);
for (const v of ['1.0.0', '1.0.1']) writeFileSync(join(work, `stack-${v}.yml`), stack(v));

const ksad = (...args) => sh(process.execPath, [join(root, 'bin/run.js'), ...args]);
const withCatalog = (...args) => ksad(...args, '--catalog', catalog);

/** Removes the stack and waits until its tasks' containers are gone. */
async function removeStack() {
  await sh('docker', ['stack', 'rm', 'bench-stack']).catch(() => '');
  for (let i = 0; i < 120; i++) {
    const left = await sh('docker', [
      'ps',
      '-q',
      '--filter',
      'label=com.docker.stack.namespace=bench-stack',
    ]);
    if (left.trim() === '') break;
    await sleep(250);
  }
}

// The bench writes its own profile and removes it afterwards: never on a swarm that has one.
const existing = await sh('docker', ['config', 'ls', '-q', '--filter', 'label=id.ksad.kind=host']);
if (existing.trim() !== '') {
  console.error(
    'swarm-bench: this swarm already holds a ksad profile; run the bench on a test swarm',
  );
  process.exit(1);
}
const result = { ksad: { cold: [], upgrade: [] }, stack: { cold: [], upgrade: [] } };
let profileSaved = false;
try {
  await withCatalog(
    'host',
    'init',
    '--region',
    '52.04',
    '--allow-unsigned',
    '--target',
    'swarm',
    '--bind-address',
    '0.0.0.0',
  );
  profileSaved = true;
  for (let i = 0; i < rounds; i++) {
    result.ksad.cold.push(await timed(() => withCatalog('deploy', 'bench-swarm@1.0.0', '--json')));
    result.ksad.upgrade.push(
      await timed(() => withCatalog('deploy', 'bench-swarm@1.0.1', '--json')),
    );
    await ksad('uninstall', 'bench-swarm', '--purge-data', '--json');
    result.stack.cold.push(
      await timed(() =>
        sh('docker', [
          'stack',
          'deploy',
          '--detach=false',
          '-c',
          join(work, 'stack-1.0.0.yml'),
          'bench-stack',
        ]),
      ),
    );
    result.stack.upgrade.push(
      await timed(() =>
        sh('docker', [
          'stack',
          'deploy',
          '--detach=false',
          '-c',
          join(work, 'stack-1.0.1.yml'),
          'bench-stack',
        ]),
      ),
    );
    await removeStack();
  }
} finally {
  await ksad('uninstall', 'bench-swarm', '--purge-data', '--json').catch(() => '');
  await removeStack();
  await sh('docker', ['volume', 'rm', 'bench-stack_data', 'bench-stack_worker-data']).catch(
    () => '',
  );
  if (profileSaved) {
    const ids = await sh('docker', ['config', 'ls', '-q', '--filter', 'label=id.ksad.kind=host']);
    for (const id of ids.split('\n').filter(Boolean)) await sh('docker', ['config', 'rm', id]);
  }
  rmSync(work, { recursive: true, force: true });
}

const row = (what) => {
  const k = median(result.ksad[what]);
  const s = median(result.stack[what]);
  return { ksadMs: Math.round(k), stackDeployMs: Math.round(s), ratio: Number((k / s).toFixed(2)) };
};
console.log(
  JSON.stringify({ rounds, cold: row('cold'), upgradeOneService: row('upgrade') }, null, 2),
);
