#!/usr/bin/env node
// Deploy benchmark: the same three-service app (web, db, worker) deployed by ksad, by
// docker-compose 1.29 and by three parallel `docker run -d`, in one run on one engine, so the
// figures are ratios between peers measured under the same load. Needs DOCKER_HOST and the sample
// images in the registry (scripts/engine.sh start). Usage: node bench/deploy-bench.js [--rounds N]
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
const images = JSON.parse(readFileSync(join(root, 'scripts/images/digests.json'), 'utf8')).images;
const work = mkdtempSync(join(tmpdir(), 'ksad-bench-'));
const env = { ...process.env, KSAD_HOME: join(work, 'home') };
const PORT = { ksad: 19480, compose: 19481, run: 19482 };

// NODE_EXTRA_CA_CERTS makes every Node process parse the whole CA bundle at start (about 80 ms on
// these machines, before any of ksad's code runs; Go's docker and Python's compose do not read it).
// When it is set, ksad also runs without it, reported apart, so both figures are on record.
const extraCa = process.env.NODE_EXTRA_CA_CERTS !== undefined;
const plainEnv = Object.fromEntries(
  Object.entries(env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS'),
);

function sh(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err || out}`)),
    );
  });
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// A catalog with one bench app: the sample catalog plus `bench-tiga`, granted to 52.04.
const catalog = join(work, 'catalog');
cpSync(join(root, 'catalog'), join(catalog, 'catalog'), { recursive: true });
cpSync(join(root, 'manifests'), join(catalog, 'manifests'), { recursive: true });
mkdirSync(join(catalog, 'manifests/kota-bandung/bench-tiga'), { recursive: true });
writeFileSync(
  join(catalog, 'manifests/kota-bandung/bench-tiga/1.0.0.yaml'),
  `schemaVersion: 1
name: bench-tiga
version: 1.0.0
publisher: kota-bandung
title: Bench Tiga
description:
  id:
    shortDescription: Aplikasi tiga layanan untuk pengukuran kinerja ksad.
dimensions: [smart-governance]
license: Apache-2.0
url: https://git.bandung.go.id/diskominfo/bench-tiga
maintenance:
  type: internal
services:
  db:
    image: ${images.db}
    environment: { DB_PASSWORD: bench }
    volumes: [{ name: data, path: /data }]
  web:
    image: ${images.web}
    environment: { APP_TITLE: Bench, DB_HOST: "\${service.db.host}" }
    ports: [{ name: http, container: 8080, host: ${PORT.ksad} }]
  worker:
    image: ${images.worker}
    environment: { INTERVAL: "5" }
    volumes: [{ name: worker-data, path: /data }]
`,
);
writeFileSync(
  join(catalog, 'catalog/mous/bench-2026.yaml'),
  `number: BENCH/2026
title: Bench
grantor: "32.73"
grantees: ["52.04"]
apps: [{ name: bench-tiga }]
validFrom: "2026-01-01"
validUntil: "2099-12-31"
document: { sha256: "${'a'.repeat(64)}" }
`,
);

// The same services for docker-compose.
const composeFile = join(work, 'docker-compose.yml');
writeFileSync(
  composeFile,
  `version: "2.4"
services:
  db:
    image: ${images.db}
    environment: { DB_PASSWORD: bench }
    volumes: [ "data:/data" ]
  web:
    image: ${images.web}
    environment: { APP_TITLE: Bench, DB_HOST: db }
    ports: [ "127.0.0.1:${PORT.compose}:8080" ]
  worker:
    image: ${images.worker}
    environment: { INTERVAL: "5" }
    volumes: [ "worker-data:/data" ]
volumes: { data: {}, worker-data: {} }
`,
);
const compose = (...args) => sh('docker-compose', ['-p', 'ksadbench', '-f', composeFile, ...args]);
const ksad = (...args) =>
  sh(process.execPath, [join(root, 'bin/run.js'), ...args, '--catalog', catalog]);
const ksadPlain = (...args) =>
  sh(process.execPath, [join(root, 'bin/run.js'), ...args, '--catalog', catalog], {
    env: plainEnv,
  });
const ksadNoCatalog = (...args) => sh(process.execPath, [join(root, 'bin/run.js'), ...args]);

const RUN_LABEL = 'id.ksad.bench=docker-run';
async function dockerRunUp() {
  await sh('docker', ['network', 'create', '--label', RUN_LABEL, 'ksadbench-run']);
  const common = ['run', '-d', '--label', RUN_LABEL, '--network', 'ksadbench-run'];
  await Promise.all([
    sh('docker', [
      ...common,
      '--name',
      'ksadbench-run-db',
      '--network-alias',
      'db',
      '-e',
      'DB_PASSWORD=bench',
      '-v',
      'ksadbench-run-data:/data',
      images.db,
    ]),
    sh('docker', [
      ...common,
      '--name',
      'ksadbench-run-web',
      '-e',
      'APP_TITLE=Bench',
      '-e',
      'DB_HOST=db',
      '-p',
      `127.0.0.1:${PORT.run}:8080`,
      images.web,
    ]),
    sh('docker', [
      ...common,
      '--name',
      'ksadbench-run-worker',
      '-e',
      'INTERVAL=5',
      '-v',
      'ksadbench-run-worker:/data',
      images.worker,
    ]),
  ]);
}
async function dockerRunDown() {
  await Promise.all(
    ['db', 'web', 'worker'].map((s) => sh('docker', ['rm', '-f', `ksadbench-run-${s}`])),
  );
  await sh('docker', ['network', 'rm', 'ksadbench-run']);
}

const inProcess = { cold: [], noop: [] };
const results = {
  ksad: { cold: [], noop: [], uninstall: [] },
  compose: { cold: [], noop: [], uninstall: [] },
  run: { cold: [], uninstall: [] },
  node: [],
  plain: { cold: [], noop: [], node: [] },
};
try {
  await Promise.all(Object.values(images).map((ref) => sh('docker', ['pull', ref])));
  await ksadNoCatalog('host', 'init', '--region', '52.04', '--allow-unsigned');
  for (let i = 0; i < rounds; i++) {
    results.node.push(await timed(() => sh(process.execPath, ['-e', '0'])));
    let out = '';
    results.ksad.cold.push(
      await timed(async () => (out = await ksad('deploy', 'bench-tiga', '--json'))),
    );
    inProcess.cold.push(JSON.parse(out).durationMs);
    results.ksad.noop.push(
      await timed(async () => (out = await ksad('deploy', 'bench-tiga', '--json'))),
    );
    inProcess.noop.push(JSON.parse(out).durationMs);
    results.ksad.uninstall.push(
      await timed(() => ksadNoCatalog('uninstall', 'bench-tiga', '--json')),
    );
    results.compose.cold.push(await timed(() => compose('up', '-d')));
    results.compose.noop.push(await timed(() => compose('up', '-d')));
    results.compose.uninstall.push(await timed(() => compose('down')));
    results.run.cold.push(await timed(dockerRunUp));
    results.run.uninstall.push(await timed(dockerRunDown));
    if (extraCa) {
      results.plain.node.push(
        await timed(() => sh(process.execPath, ['-e', '0'], { env: plainEnv })),
      );
      results.plain.cold.push(await timed(() => ksadPlain('deploy', 'bench-tiga', '--json')));
      results.plain.noop.push(await timed(() => ksadPlain('deploy', 'bench-tiga', '--json')));
      await ksadNoCatalog('uninstall', 'bench-tiga', '--json');
    }
  }
} finally {
  await ksadNoCatalog('uninstall', 'bench-tiga', '--purge-data', '--json').catch(() => undefined);
  await compose('down', '-v').catch(() => undefined);
  await dockerRunDown().catch(() => undefined);
  await sh('docker', ['volume', 'rm', '-f', 'ksadbench-run-data', 'ksadbench-run-worker']).catch(
    () => undefined,
  );
  rmSync(work, { recursive: true, force: true });
}

const m = (xs) => Math.round(median(xs));
const report = {
  rounds,
  medianMs: {
    ksad: {
      cold: m(results.ksad.cold),
      noop: m(results.ksad.noop),
      uninstall: m(results.ksad.uninstall),
    },
    compose: {
      cold: m(results.compose.cold),
      noop: m(results.compose.noop),
      uninstall: m(results.compose.uninstall),
    },
    dockerRunParallel: { cold: m(results.run.cold), uninstall: m(results.run.uninstall) },
    nodeStartup: m(results.node),
    // The deploy itself, measured inside ksad from lock to release record (no process start-up).
    ksadInProcess: { cold: m(inProcess.cold), noop: m(inProcess.noop) },
  },
  ratios: {
    coldVsCompose: +(median(results.ksad.cold) / median(results.compose.cold)).toFixed(2),
    coldVsDockerRun: +(median(results.ksad.cold) / median(results.run.cold)).toFixed(2),
    noopVsCompose: +(median(results.ksad.noop) / median(results.compose.noop)).toFixed(2),
    uninstallVsCompose: +(
      median(results.ksad.uninstall) / median(results.compose.uninstall)
    ).toFixed(2),
  },
  targets: { coldVsCompose: '<= 0.6', coldVsDockerRun: '<= 1.3', noopMs: '< 300' },
};
if (extraCa) {
  report.withoutNodeExtraCaCerts = {
    nodeStartupMs: m(results.plain.node),
    ksadMs: { cold: m(results.plain.cold), noop: m(results.plain.noop) },
    ratios: {
      coldVsCompose: +(median(results.plain.cold) / median(results.compose.cold)).toFixed(2),
      coldVsDockerRun: +(median(results.plain.cold) / median(results.run.cold)).toFixed(2),
    },
  };
}
console.log(JSON.stringify(report, null, 2));
