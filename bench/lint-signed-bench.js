#!/usr/bin/env node
// `ksad catalog lint` over a catalog of 10,000 signed manifests (every signature verified, as
// deploy would), wall time and peak memory of the CLI process. With `--baseline DIR` (another
// built ksad checkout, e.g. the commit before a change) both are measured in the same run, round
// by round in turn, and the report gives their ratio. Needs `npm run build` first.
// Usage: node bench/lint-signed-bench.js [--manifests N] [--rounds N] [--baseline DIR] [--cli DIR]
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
};
const count = Number(option('--manifests', 10_000));
const rounds = Number(option('--rounds', 3));
const subject = resolve(option('--cli', root));
const baselineDir = option('--baseline', undefined);
const baseline = baselineDir === undefined ? undefined : resolve(baselineDir);
const signing = await import(pathToFileURL(join(subject, 'dist/core/signing.js')).href);

const work = mkdtempSync(join(tmpdir(), 'ksad-lint-signed-bench-'));
const template = readFileSync(
  join(root, 'manifests/kota-bandung/antrean-daring/2.0.0.yaml'),
  'utf8',
);
cpSync(join(root, 'catalog'), join(work, 'catalog'), { recursive: true });
cpSync(join(root, 'manifests'), join(work, 'manifests'), { recursive: true });
// One more key for kota-bandung, listed in its member file, signs every generated manifest.
const pair = signing.generateSigningKeyPair();
const key = signing.parsePrivateKeyFile(
  'bench.key',
  signing.formatPrivateKeyFile('bench-2026', 'kota-bandung', pair.privateKeyPem),
).key;
const memberFile = join(work, 'catalog/members/kota-bandung.yaml');
const member = readFileSync(memberFile, 'utf8').replace(
  /^keys:\n/m,
  `keys:\n  - id: bench-2026\n    algorithm: ed25519\n    publicKey: ${pair.publicKey}\n    addedOn: "2026-01-01"\n`,
);
if (!member.includes('bench-2026')) throw new Error(`no keys: list in ${memberFile}`);
writeFileSync(memberFile, member);
process.stderr.write(`signing ${count} manifests (setup, not timed)…\n`);
for (let i = 0; i < count; i++) {
  const app = `aplikasi-${String(i % 100).padStart(3, '0')}`;
  const version = `${Math.floor(i / 100)}.${i % 7}.0`;
  const file = `manifests/kota-bandung/${app}/${version}.yaml`;
  const text = template
    .replace(/^name: .*$/m, `name: ${app}`)
    .replace(/^version: .*$/m, `version: ${version}`)
    .replace(/APP_VERSION: .*$/m, `APP_VERSION: ${version}`);
  const dir = join(work, dirname(file));
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  writeFileSync(join(work, file), text);
  writeFileSync(
    join(work, `${file}.sig`),
    signing.formatSignatureFile(signing.signManifest(file, text, 'bench-2026', key)),
  );
}

const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
function lint(cliRoot, home) {
  const args = [join(cliRoot, 'bin/run.js'), 'catalog', 'lint', '--catalog', work, '--json'];
  const env = { ...process.env, KSAD_HOME: home };
  const options = { encoding: 'utf8', maxBuffer: 1 << 28, env };
  const t = process.hrtime.bigint();
  const r = timeBin
    ? spawnSync(timeBin, ['-f', '%M', process.execPath, ...args], options)
    : spawnSync(process.execPath, args, options);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const report = JSON.parse(r.stdout);
  const diagnostics = report.diagnostics ?? report.error?.details ?? [];
  if (r.status !== 0 || report.files < count)
    throw new Error(
      `${cliRoot}: lint exited ${r.status}: ${JSON.stringify(diagnostics.slice(0, 5))}`,
    );
  return { ms, rssMb: timeBin ? Number(r.stderr.trim().split('\n').at(-1)) / 1024 : NaN };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const samples = { subject: [], baseline: [] };
  for (let i = 0; i < rounds; i++) {
    // An empty KSAD_HOME each time, so nothing comes from ksad's catalog build cache.
    samples.subject.push(lint(subject, join(work, `.home-s${i}`)));
    if (baseline) samples.baseline.push(lint(baseline, join(work, `.home-b${i}`)));
  }
  const summary = (xs) => ({
    medianMs: Math.round(median(xs.map((x) => x.ms))),
    peakRssMb: Math.round(Math.max(...xs.map((x) => x.rssMb))),
  });
  const result = { manifests: count, signed: count, rounds, lint: summary(samples.subject) };
  if (baseline) {
    result.baseline = { cli: baseline, ...summary(samples.baseline) };
    result.ratio = +(result.lint.medianMs / result.baseline.medianMs).toFixed(2);
  }
  console.log(JSON.stringify(result, null, 2));
} finally {
  rmSync(work, { recursive: true, force: true });
}
