#!/usr/bin/env node
// Audit benchmark: a host with 50 releases (50 apps, one small busybox web container each, records,
// networks and secrets as ksad writes them), audited in-process and through the CLI, against
// `docker ps -a` and `docker inspect` of every container timed in the same run on the same engine,
// so the figures are ratios between peers under the same load. Target: the audit of 50 releases
// under 1 s. Needs `npm run build`, DOCKER_HOST and the sample images (scripts/engine.sh start).
// Usage: node bench/audit-bench.js [--apps N] [--rounds N]
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDockerHost } from '../dist/adapters/docker-host.js';
import { DockerodeEngine } from '../dist/adapters/dockerode-engine.js';
import { auditApps } from '../dist/app/audit.js';
import { openCatalog } from '../dist/app/catalogs.js';
import { overallHash } from '../dist/core/release-hash.js';
import { buildDesiredState } from '../dist/core/service-specs.js';
import { catalogContext } from '../dist/ui/context.js';
import { openHost } from '../dist/ui/engine-context.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => Number(process.argv[process.argv.indexOf(name) + 1]) || fallback;
const APPS = arg('--apps', 50);
const ROUNDS = arg('--rounds', 5);
const PREFIX = 'uji-audit-bench-';
const images = JSON.parse(readFileSync(join(root, 'scripts/images/digests.json'), 'utf8')).images;
const work = mkdtempSync(join(tmpdir(), 'ksad-audit-bench-'));
const env = { ...process.env, KSAD_HOME: join(work, 'home') };
const engine = new DockerodeEngine(resolveDockerHost({ flag: undefined, env: process.env }));
const host = openHost(undefined);

function sh(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) =>
      // `ksad audit --strict` exits 20 when it has findings; that is an answer, not a failure.
      code === 0 || code === 20
        ? resolve(out)
        : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err || out}`)),
    );
  });
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const appName = (i) => `${PREFIX}${String(i).padStart(2, '0')}`;

function manifest(name) {
  return `schemaVersion: 1
name: ${name}
version: 1.0.0
publisher: kota-bandung
title: Bench ${name}
description:
  id:
    shortDescription: Aplikasi satu layanan untuk pengukuran audit ksad.
dimensions: [smart-governance]
license: Apache-2.0
url: https://git.bandung.go.id/diskominfo/${name}
maintenance:
  type: internal
secrets:
  API_KEY:
    description: Kunci API.
    source: generate
services:
  web:
    image: ${images.web}
    environment:
      REGION_CODE: \${region.code}
      API_KEY: \${secret.API_KEY}
    init: true
    stopGracePeriod: 1s
`;
}

async function cleanup() {
  const listed = await sh('docker', [
    'ps',
    '-a',
    '--filter',
    'label=id.ksad.app',
    '--format',
    '{{.ID}} {{.Label "id.ksad.app"}}',
  ]);
  const ids = listed
    .split('\n')
    .filter((l) => l.split(' ')[1]?.startsWith(PREFIX))
    .map((l) => l.split(' ')[0]);
  if (ids.length > 0) await sh('docker', ['rm', '-f', '-v', ...ids]);
  const nets = (
    await sh('docker', ['network', 'ls', '--filter', 'label=id.ksad.app', '--format', '{{.Name}}'])
  )
    .split('\n')
    .filter((n) => n.includes(PREFIX));
  if (nets.length > 0) await sh('docker', ['network', 'rm', ...nets]);
  const vols = (await sh('docker', ['volume', 'ls', '-q', '--filter', 'label=id.ksad.app']))
    .split('\n')
    .filter((v) => v.includes(PREFIX));
  if (vols.length > 0) await sh('docker', ['volume', 'rm', '-f', ...vols]);
}

async function inBatches(items, size, fn) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

async function main() {
  // Catalog: the sample one plus the bench apps, granted to 52.04.
  const catalogDir = join(work, 'catalog');
  cpSync(join(root, 'catalog'), join(catalogDir, 'catalog'), { recursive: true });
  cpSync(join(root, 'manifests'), join(catalogDir, 'manifests'), { recursive: true });
  const names = Array.from({ length: APPS }, (_, i) => appName(i + 1));
  for (const name of names) {
    mkdirSync(join(catalogDir, 'manifests/kota-bandung', name), { recursive: true });
    writeFileSync(join(catalogDir, 'manifests/kota-bandung', name, '1.0.0.yaml'), manifest(name));
  }
  writeFileSync(
    join(catalogDir, 'catalog/mous/bandung-sumbawa-bench.yaml'),
    `number: 119/0002/UJI-AUDIT-BENCH/2025
title: Hibah aplikasi bench
grantor: "32.73"
grantees: ["52.04"]
apps:
${names.map((n) => `  - name: ${n}`).join('\n')}
validFrom: "2025-01-01"
validUntil: "2030-12-31"
document:
  sha256: ${'cd'.repeat(32)}
`,
  );

  await cleanup();
  await sh('node', [
    join(root, 'bin/run.js'),
    'host',
    'init',
    '--region',
    '52.04',
    '--allow-unsigned',
    '--json',
  ]);
  const catalog = await openCatalog(catalogContext(env), catalogDir);
  const state = host.store;
  const profile = await state.requireProfile();
  if (!(await engine.inspectImage(images.web))) await engine.pullImage(images.web);

  // Each release as `ksad deploy` leaves it: network, secrets, a started container and a record.
  const setup = await timed(() =>
    inBatches(names, 10, async (name) => {
      const loaded = catalog.manifests.find((m) => m.manifest.name === name);
      const secrets = { API_KEY: `bench-secret-${name}` };
      const desired = buildDesiredState({
        manifest: loaded.manifest,
        manifestDigest: loaded.digest,
        config: {},
        secrets,
        region: profile.region,
        revision: 1,
        bindAddress: profile.policy.bindAddress,
      });
      // The engine's default address pools run out after ~30 bridge networks: give each a /28.
      const labels = Object.entries(desired.network.labels).flatMap(([k, v]) => [
        '--label',
        `${k}=${v}`,
      ]);
      await sh('docker', [
        'network',
        'create',
        '--subnet',
        `10.213.${names.indexOf(name)}.0/28`,
        ...labels,
        desired.network.name,
      ]);
      await state.saveSecrets(name, secrets);
      const id = await engine.createContainer(desired.services[0].spec);
      await engine.startContainer(id);
      const s = desired.services[0];
      await state.saveRelease({
        app: name,
        publisher: 'kota-bandung',
        version: '1.0.0',
        revision: 1,
        manifestDigest: loaded.digest,
        manifestFile: loaded.file,
        catalog: { name: catalog.name },
        configHash: overallHash(desired.services),
        services: {
          web: { configHash: s.configHash, image: s.spec.image, containerName: s.spec.name },
        },
        levels: desired.levels,
        config: {},
        secretNames: ['API_KEY'],
        mou: {
          kind: 'mou',
          slug: 'bandung-sumbawa-bench',
          number: '119/0002/UJI-AUDIT-BENCH/2025',
          validUntil: '2030-12-31',
        },
        deployedBy: 'bench@localhost',
        deployedAt: new Date().toISOString(),
        status: 'deployed',
        description: 'install 1.0.0',
      });
    }),
  );

  const rounds = { audit: [], cli: [], ps: [], inspect: [] };
  let report;
  let containers = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const a = await timed(() =>
      auditApps(
        { store: host.store, target: host.target, catalog, clock: { now: () => new Date() } },
        { today: '2026-06-01' },
      ),
    );
    rounds.audit.push(a.ms);
    report = a.value;
    rounds.cli.push(
      (
        await timed(() =>
          sh('node', [
            join(root, 'bin/run.js'),
            'audit',
            '--catalog',
            catalogDir,
            '--format',
            'json',
            '--date',
            '2026-06-01',
          ]),
        )
      ).ms,
    );
    const ps = await timed(() => sh('docker', ['ps', '-a', '-q']));
    rounds.ps.push(ps.ms);
    const ids = ps.value.split('\n').filter(Boolean);
    containers = ids.length;
    rounds.inspect.push((await timed(() => sh('docker', ['inspect', ...ids]))).ms);
  }

  const bench = report.apps.filter((a) => a.app.startsWith(PREFIX));
  const benchFindings = bench.flatMap((a) => a.findings);
  const m = Object.fromEntries(Object.entries(rounds).map(([k, v]) => [k, median(v)]));
  const result = {
    releases: bench.length,
    appsOnHost: report.apps.length,
    containersOnEngine: containers,
    benchFindings: benchFindings.length,
    setupMs: Math.round(setup.ms),
    medianMs: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v)])),
    ratio: {
      auditVsDockerPs: +(m.audit / m.ps).toFixed(2),
      auditVsDockerInspectAll: +(m.audit / m.inspect).toFixed(2),
      cliVsDockerPs: +(m.cli / m.ps).toFixed(2),
    },
    underOneSecond: m.audit < 1000,
    rounds: ROUNDS,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (bench.length !== APPS)
    throw new Error(`expected ${APPS} bench releases in the report, got ${bench.length}`);
  if (benchFindings.length > 0)
    throw new Error(
      `a clean bench host has findings: ${JSON.stringify(benchFindings.slice(0, 3))}`,
    );
}

try {
  await main();
} finally {
  await cleanup().catch((e) => process.stderr.write(`cleanup failed: ${e.message}\n`));
  engine.close();
  host.close();
  rmSync(work, { recursive: true, force: true });
}
