#!/usr/bin/env node
// Hostile-input memory check: peak resident memory of `ksad manifest lint FILE` (the whole CLI
// process, after `npm run build`) on the worst inputs of the fuzz corpus: an alias bomb, a file
// just under the size limit full of flow items, one over it, /dev/zero, /dev/urandom, a FIFO with
// no writer and deep nesting. Fails when any exceeds the budget (200 MB) or does not give a clear
// error (exit 3 INVALID or 2 USAGE, the file named) within the time limit. `catalog lint` is
// measured too, over the sample catalog with hostile files added.
// Usage: node bench/hostile-input-bench.js [--budget-mb 200]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin/run.js');
const i = process.argv.indexOf('--budget-mb');
const budgetMb = i === -1 ? 200 : Number(process.argv[i + 1]);
if (!existsSync(join(root, 'dist/ksad.cjs'))) {
  console.error('run "npm run build" first');
  process.exit(2);
}
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const work = mkdtempSync(join(tmpdir(), 'ksad-hostile-bench-'));

/** The input limit of src/adapters/input-file.ts (MAX_INPUT_BYTES). */
const LIMIT = 512 * 1024;
let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
for (let k = 1; k < 10; k++)
  bomb += `a${k}: &a${k} [${Array(10)
    .fill(`*a${k - 1}`)
    .join(', ')}]\n`;
const file = (name, text) => {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
};
const link = (name, target) => {
  const path = join(work, name);
  symlinkSync(target, path);
  return path;
};
const fifo = join(work, 'fifo.yaml');
execFileSync('mkfifo', [fifo]);
const wide = `a: [${Array(4_900).fill('x'.repeat(100)).join(',')}]\n`;
const cases = [
  ['alias bomb (billion laughs)', file('bomb.yaml', bomb)],
  [
    'alias bomb, 5,000 aliases',
    file('bomb-wide.yaml', `a: &a [x]\nb: [${Array(4_900).fill('*a').join(',')}]\n`),
  ],
  ['just under the size limit (flow items)', file('wide.yaml', wide.slice(0, LIMIT - 10) + ']\n')],
  ['over the size limit (8 MB)', file('huge.yaml', `a: "${'x'.repeat(8 * 1024 * 1024)}"\n`)],
  ['deep flow nesting', file('deep.yaml', `${'['.repeat(200_000)}${']'.repeat(200_000)}\n`)],
  ['/dev/zero', link('zero.yaml', '/dev/zero')],
  ['/dev/urandom', link('urandom.yaml', '/dev/urandom')],
  ['FIFO with no writer', fifo],
];

// The sample catalog with an alias-bomb MoU, a manifest at the size limit and a link to /dev/zero.
const catalog = join(work, 'catalog-copy');
cpSync(join(root, 'catalog'), join(catalog, 'catalog'), { recursive: true });
cpSync(join(root, 'manifests'), join(catalog, 'manifests'), { recursive: true });
writeFileSync(join(catalog, 'catalog/mous/bomb.yaml'), bomb);
writeFileSync(
  join(catalog, 'manifests/kota-bandung/antrean-daring/9.0.0.yaml'),
  wide.slice(0, LIMIT - 10) + ']\n',
);
symlinkSync('/dev/zero', join(catalog, 'catalog/mous/zero.yaml'));
cases.push(['catalog lint: bomb, size limit, /dev/zero', join(catalog, 'catalog/mous/bomb.yaml')]);

let failed = false;
const rows = [];
for (const [name, path] of cases) {
  const args = path.startsWith(catalog)
    ? [cli, 'catalog', 'lint', '--catalog', catalog, '--json']
    : [cli, 'manifest', 'lint', path, '--catalog', join(root), '--json'];
  const started = process.hrtime.bigint();
  const r = timeBin
    ? spawnSync(timeBin, ['-f', '%M', process.execPath, ...args], {
        encoding: 'utf8',
        timeout: 30_000,
      })
    : spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const lines = r.stderr.trim().split('\n');
  const peakKb = timeBin ? Number(lines[lines.length - 1]) : NaN;
  const peakMb = peakKb / 1024;
  let code = null;
  let message = '';
  try {
    const out = JSON.parse(r.stdout);
    code = out.error?.exitCode ?? 0;
    message = out.error ? [out.error.message, ...(out.error.details ?? [])].join(' ') : '';
  } catch {
    message = r.stdout.slice(0, 200);
  }
  const clear = (code === 2 || code === 3) && message.includes(path.split('/').pop());
  const ok = r.error === undefined && clear && !(peakMb > budgetMb);
  if (!ok) failed = true;
  rows.push({ name, peakMb: Math.round(peakMb * 10) / 10, ms: Math.round(ms), exit: code, ok });
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(42)} peak ${Number.isNaN(peakMb) ? '?' : peakMb.toFixed(1).padStart(6)} MB  ${String(Math.round(ms)).padStart(6)} ms  exit ${code}  ${message.slice(0, 90)}`,
  );
}
rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify({ budgetMb, rows }));
process.exitCode = failed ? 1 : 0;
