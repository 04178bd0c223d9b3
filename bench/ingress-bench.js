#!/usr/bin/env node
// Ingress benchmark, one run on one engine: a web app upgraded, upgraded to a version that never
// becomes healthy, and rolled back, under bounded load — 20 req/s from a Node loop (a fresh
// connection per request) and 200 req/s from Debian's wrk (10 connections, each paced by a Lua
// delay, `Connection: close`) — through the host ingress, and the same app without it (today's
// path: stop the old container, start the new one on the published port). Then latency through
// the ingress against direct to the container's published port (p50 and p99 ratios).
// Needs `npm run build`, DOCKER_HOST, the sample images and KSAD_INGRESS_IMAGE (scripts/engine.sh
// start). Usage: node bench/ingress-bench.js
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, startLoad } from './load.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const images = JSON.parse(readFileSync(join(root, 'scripts/images/digests.json'), 'utf8')).images;
const work = mkdtempSync(join(tmpdir(), 'ksad-ingress-bench-'));
const env = { ...process.env, KSAD_HOME: join(work, 'home') };
const HTTP = 19580;
const HTTPS = 19543;
const DIRECT = 19581;
const APP = 'uji-bench-ingress';
const DIRECT_APP = 'uji-bench-direct';
const HOST = `${APP}.sumbawakab.go.id`;
const hasWrk = spawnSync('wrk', ['--version']).error === undefined;

function manifest(name, version, { broken = false, routed = true } = {}) {
  const health = broken ? '/no-such-page' : '/healthz';
  return `schemaVersion: 1
name: ${name}
version: ${version}
publisher: kota-bandung
title: Uji ingress bench
description:
  id:
    shortDescription: Aplikasi uji untuk ksad.
dimensions: [smart-governance]
categories: [testing]
license: Apache-2.0
url: https://example.org/kota-bandung/${name}
maintenance:
  type: internal
  contacts:
    - name: Tim Uji ksad
      email: uji@example.org
config:
  HTTP_PORT:
    type: port
    description: Port di host.
    default: ${DIRECT}
services:
  web:
    image: ${images.web}
    environment:
      APP_VERSION: ${version}
    ports:
      - name: http
        container: 8080
        host: \${config.HTTP_PORT}${routed ? '\n        http:\n          health: /healthz' : ''}
    healthcheck:
      test: [wget, -q, -O, /dev/null, "http://127.0.0.1:8080${health}"]
      interval: 1s
      timeout: 2s
      retries: ${broken ? 2 : 30}
    init: true
    stopGracePeriod: 2s
`;
}

function catalog() {
  const dir = join(work, 'catalog');
  cpSync(join(root, 'catalog'), join(dir, 'catalog'), { recursive: true });
  cpSync(join(root, 'manifests'), join(dir, 'manifests'), { recursive: true });
  for (const [app, routed] of [
    [APP, true],
    [DIRECT_APP, false],
  ]) {
    const m = join(dir, 'manifests/kota-bandung', app);
    mkdirSync(m, { recursive: true });
    writeFileSync(join(m, '1.0.0.yaml'), manifest(app, '1.0.0', { routed }));
    writeFileSync(join(m, '1.1.0.yaml'), manifest(app, '1.1.0', { routed }));
    writeFileSync(join(m, '1.2.0.yaml'), manifest(app, '1.2.0', { routed, broken: true }));
  }
  writeFileSync(
    join(dir, 'catalog/mous/uji-bench.yaml'),
    `number: 900/uji-bench/KSAD/2025
title: Hibah aplikasi uji bench
grantor: "32.73"
grantees: ["52.04"]
apps:
  - name: ${APP}
  - name: ${DIRECT_APP}
validFrom: "2025-01-01"
validUntil: "2099-12-31"
signedOn: "2024-12-20"
document:
  sha256: "0000000000000000000000000000000000000000000000000000000000000000"
  url: https://example.org/ksad/uji-bench.pdf
`,
  );
  writeFileSync(join(work, 'ingress.yaml'), `ingress:\n  hosts: [${HOST}]\n  tls: none\n`);
  return dir;
}

function ksad(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/run.js'), ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (status) => resolve({ status, out }));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const WRK_SCRIPT = `
local rejected = nil
seen = {}
bad = 0
function init(args) rejected = args[1] end
function delay() return 50 end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
  local v = string.match(body or "", 'id="APP_VERSION">([^<]*)<') or "unknown"
  seen[v] = (seen[v] or 0) + 1
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local versions, non200 = {}, 0
  for _, t in ipairs(threads) do
    non200 = non200 + t:get("bad")
    for k, n in pairs(t:get("seen")) do versions[k] = (versions[k] or 0) + n end
  end
  local parts = {}
  for k, n in pairs(versions) do table.insert(parts, string.format('"%s":%d', k, n)) end
  io.write(string.format('WRK {"requests":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"non200":%d,"p50":%d,"p99":%d,"versions":{%s}}\\n',
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, non200, latency:percentile(50), latency:percentile(99), table.concat(parts, ",")))
end
`;

/** Starts wrk at ~200 req/s (20 connections x 20/s); resolves with its counts when it ends. */
function startWrk(url, host, seconds, rejected, keepAlive = false) {
  const script = join(work, 'pace.lua');
  writeFileSync(script, WRK_SCRIPT);
  const args = ['-t2', '-c20', `-d${seconds}s`, '-s', script, '-H', `Host: ${host}`];
  if (!keepAlive) args.push('-H', 'Connection: close');
  args.push(url, '--', rejected);
  return new Promise((resolve) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', () => {
      const line = out.split('\n').find((l) => l.startsWith('WRK '));
      resolve(line ? JSON.parse(line.slice(4)) : { error: out });
    });
  });
}

/** One scenario step under both loads; returns the figures. */
async function step(label, args, { url, host, rejected }) {
  const out = { step: label };
  // 20 req/s
  const load = startLoad({ url, host, rate: 20 });
  await sleep(500);
  const r = await ksad(args);
  await sleep(1500);
  const s = await load.stop();
  out.exit = r.status;
  out.loop20 = {
    sent: s.sent,
    failed: s.failed,
    errors: s.errors,
    rejectedAnswers: s.versions[rejected] ?? 0,
    versions: s.versions,
    longestGapMs: s.longestGapMs,
  };
  return out;
}

async function stepWrk(label, args, { url, host, rejected }) {
  if (!hasWrk) return { step: label, wrk200: 'wrk not installed (apt-get install wrk)' };
  const wrk = startWrk(url, host, 12, rejected);
  await sleep(1000);
  const r = await ksad(args);
  const w = await wrk;
  const failed =
    (w.connect ?? 0) + (w.read ?? 0) + (w.write ?? 0) + (w.timeout ?? 0) + (w.non200 ?? 0);
  return {
    step: label,
    exit: r.status,
    wrk200: { ...w, failed, rejectedAnswers: w.versions?.[rejected] ?? 0 },
  };
}

async function scenario(name, app, overlay, url, host) {
  const base = [`--catalog`, join(work, 'catalog'), '--timeout', '20'];
  const f = overlay ? ['-f', overlay] : [];
  const results = [];
  const d = await ksad(['deploy', `${app}@1.0.0`, ...f, ...base]);
  if (d.status !== 0) throw new Error(`${name}: install failed: ${d.out}`);
  const target = { url, host };
  for (const [runner, tag] of [
    [step, '20/s'],
    [stepWrk, '200/s'],
  ]) {
    results.push(
      await runner(`${tag} good upgrade 1.0.0 → 1.1.0`, ['deploy', `${app}@1.1.0`, ...f, ...base], {
        ...target,
        rejected: 'none',
      }),
    );
    results.push(
      await runner(`${tag} failed upgrade → 1.2.0`, ['deploy', `${app}@1.2.0`, ...f, ...base], {
        ...target,
        rejected: '1.2.0',
      }),
    );
    results.push(
      await runner(
        `${tag} rollback → 1.0.0`,
        ['rollback', app, '--catalog', join(work, 'catalog')],
        { ...target, rejected: '1.2.0' },
      ),
    );
    // Back to 1.0.0 for the next load level: the rollback above did it.
  }
  return { name, results };
}

async function latency(url, host) {
  const load = startLoad({ url, host, rate: 50 });
  await sleep(6000);
  const s = await load.stop();
  const out = {
    p50: percentile(s.latencies, 50),
    p99: percentile(s.latencies, 99),
    failed: s.failed,
  };
  if (hasWrk) {
    const w = await startWrk(url.replace(/\/$/, '/healthz'), host ?? '127.0.0.1', 6, 'none', true);
    out.wrkKeepAliveHealthz = { p50us: w.p50, p99us: w.p99, requests: w.requests };
  }
  return out;
}

async function main() {
  const image = process.env.KSAD_INGRESS_IMAGE;
  if (!image)
    throw new Error(
      'KSAD_INGRESS_IMAGE is not set: run bash scripts/engine.sh start and eval its env',
    );
  const cat = catalog();
  const init = await ksad([
    'host',
    'init',
    '--region',
    '52.04',
    '--allow-unsigned',
    '--catalog',
    cat,
  ]);
  if (init.status !== 0) throw new Error(init.out);
  const inst = await ksad([
    'ingress',
    'install',
    '--image',
    image,
    '--http-port',
    String(HTTP),
    '--https-port',
    String(HTTPS),
  ]);
  if (inst.status !== 0) throw new Error(inst.out);
  const report = { ingress: null, direct: null, latency: null };
  try {
    report.ingress = await scenario(
      'through the ingress',
      APP,
      join(work, 'ingress.yaml'),
      `http://127.0.0.1:${HTTP}/`,
      HOST,
    );
    report.direct = await scenario(
      "without the ingress (today's path)",
      DIRECT_APP,
      null,
      `http://127.0.0.1:${DIRECT}/`,
      undefined,
    );
    const through = await latency(`http://127.0.0.1:${HTTP}/`, HOST);
    const direct = await latency(`http://127.0.0.1:${DIRECT}/`, undefined);
    report.latency = {
      through,
      direct,
      ratio: {
        p50: +(through.p50 / direct.p50).toFixed(2),
        p99: +(through.p99 / direct.p99).toFixed(2),
        ...(through.wrkKeepAliveHealthz && direct.wrkKeepAliveHealthz
          ? {
              wrkP50: +(
                through.wrkKeepAliveHealthz.p50us / direct.wrkKeepAliveHealthz.p50us
              ).toFixed(2),
              wrkP99: +(
                through.wrkKeepAliveHealthz.p99us / direct.wrkKeepAliveHealthz.p99us
              ).toFixed(2),
            }
          : {}),
      },
    };
  } finally {
    for (const app of [APP, DIRECT_APP]) await ksad(['uninstall', app, '--purge-data']);
    spawnSync(
      'sh',
      [
        '-c',
        'docker rm -f ksad-ingress; docker network rm ksad-ingress; docker volume rm ksad-ingress-data',
      ],
      { env, stdio: 'ignore' },
    );
    rmSync(work, { recursive: true, force: true });
  }
  for (const s of [report.ingress, report.direct]) {
    process.stdout.write(`\n${s.name}\n`);
    for (const r of s.results) {
      const fig = r.loop20 ?? r.wrk200;
      process.stdout.write(
        `  ${r.step.padEnd(34)} exit ${r.exit}  failed ${typeof fig === 'string' ? fig : fig.failed}  rejected-version answers ${typeof fig === 'string' ? '-' : fig.rejectedAnswers}${r.loop20 ? `  longest gap ${r.loop20.longestGapMs} ms` : ''}\n`,
      );
    }
  }
  const l = report.latency;
  process.stdout.write(
    `\nlatency, fresh connection per request (50 req/s): through ingress p50 ${l.through.p50.toFixed(1)} ms, p99 ${l.through.p99.toFixed(1)} ms; direct p50 ${l.direct.p50.toFixed(1)} ms, p99 ${l.direct.p99.toFixed(1)} ms; ratio p50 ${l.ratio.p50}, p99 ${l.ratio.p99}\n`,
  );
  if (l.ratio.wrkP50 !== undefined)
    process.stdout.write(
      `latency, wrk keep-alive /healthz: ratio p50 ${l.ratio.wrkP50}, p99 ${l.ratio.wrkP99}\n`,
    );
  writeFileSync(join(tmpdir(), 'ksad-ingress-bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`(full figures in ${join(tmpdir(), 'ksad-ingress-bench.json')})\n`);
}

main().catch((error) => {
  process.stderr.write(`ingress-bench: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
