#!/usr/bin/env node
// Runs every benchmark in turn and prints their reports. The deploy, audit, verify and swarm
// benchmarks need a Docker engine (a swarm manager for the last) and the sample images: run
// `bash scripts/engine.sh start` first.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let failed = false;
for (const name of [
  'catalog-bench.js',
  'verify-bench.js',
  'lint-signed-bench.js',
  'hostile-input-bench.js',
  'deploy-bench.js',
  'audit-bench.js',
  'bundle-bench.js',
  'swarm-bench.js',
]) {
  const file = join(here, name);
  if (!existsSync(file)) continue;
  process.stderr.write(`\n== ${name}\n`);
  const r = spawnSync(process.execPath, [file, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
