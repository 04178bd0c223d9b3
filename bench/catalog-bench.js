#!/usr/bin/env node
// Catalog benchmark: `ksad catalog lint` over a generated catalog of 10,000 manifests (wall time and
// peak memory of the whole CLI process), and ksad's cold start against `node -e 0` in the same run.
// Usage: node bench/catalog-bench.js [--manifests N] [--rounds N]
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
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
const count = arg('--manifests', 10_000);
const rounds = arg('--rounds', 5);
const work = mkdtempSync(join(tmpdir(), 'ksad-catalog-bench-'));
const cli = join(root, 'bin/run.js');

// 10,000 versions spread over 100 apps of the three sample publishers, each a copy of the sample
// three-service manifest with its name and version changed, so every rule has real work to do.
const template = readFileSync(
  join(root, 'manifests/kota-bandung/antrean-daring/2.0.0.yaml'),
  'utf8',
);
// The sample catalog too, so its MoUs find their apps and the catalog lints clean.
cpSync(join(root, 'catalog'), join(work, 'catalog'), { recursive: true });
cpSync(join(root, 'manifests'), join(work, 'manifests'), { recursive: true });
const apps = 100;
for (let i = 0; i < count; i++) {
  const app = `aplikasi-${String(i % apps).padStart(3, '0')}`;
  const version = `${Math.floor(i / apps)}.${i % 7}.0`;
  const dir = join(work, 'manifests/kota-bandung', app);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${version}.yaml`),
    template
      .replace(/^name: .*$/m, `name: ${app}`)
      .replace(/^version: .*$/m, `version: ${version}`)
      .replace(/APP_VERSION: .*$/m, `APP_VERSION: ${version}`),
  );
}

const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
function run(cmd, args, env = process.env) {
  const t = process.hrtime.bigint();
  const options = { encoding: 'utf8', maxBuffer: 1 << 28, env };
  const r = timeBin
    ? spawnSync(timeBin, ['-f', '%M', cmd, ...args], options)
    : spawnSync(cmd, args, options);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const rssKb = timeBin ? Number(r.stderr.trim().split('\n').at(-1)) : NaN;
  return { ms, rssMb: rssKb / 1024, status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  // Every round with an empty KSAD_HOME, so nothing comes from ksad's catalog build cache.
  const lint = [];
  let last;
  for (let i = 0; i < Math.min(rounds, 3); i++) {
    const env = { ...process.env, KSAD_HOME: join(work, `.home-${i}`) };
    last = run(process.execPath, [cli, 'catalog', 'lint', '--catalog', work, '--json'], env);
    lint.push(last);
  }
  const report = JSON.parse(last.stdout);
  // NODE_EXTRA_CA_CERTS makes every Node process parse the whole CA bundle before any of its code
  // runs (about 80 ms on these machines): when it is set, both are measured without it too.
  const coldStart = (env) => {
    const start = { ksad: [], node: [] };
    for (let i = 0; i < rounds * 2; i++) {
      start.node.push(run(process.execPath, ['-e', '0'], env).ms);
      start.ksad.push(run(process.execPath, [cli, '--version'], env).ms);
    }
    return {
      ksadVersionMs: Math.round(median(start.ksad)),
      nodeMs: Math.round(median(start.node)),
      ratio: +(median(start.ksad) / median(start.node)).toFixed(2),
    };
  };
  const withoutExtraCa =
    process.env.NODE_EXTRA_CA_CERTS === undefined
      ? undefined
      : coldStart(
          Object.fromEntries(
            Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS'),
          ),
        );
  const lintMs = median(lint.map((r) => r.ms));
  console.log(
    JSON.stringify(
      {
        manifests: count,
        lint: {
          medianMs: Math.round(lintMs),
          peakRssMb: Math.round(Math.max(...lint.map((r) => r.rssMb))),
          exitCode: last.status,
          filesChecked: report.files ?? report.error?.message ?? null,
          targets: { ms: '< 3000', rssMb: '< 400' },
        },
        coldStart: { ...coldStart(process.env), target: 'ratio <= 1.8' },
        ...(withoutExtraCa && { coldStartWithoutExtraCaCerts: withoutExtraCa }),
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
