/**
 * `npm pack` makes a package that installs and runs: packed from the built checkout, installed
 * into an empty project (dependencies from the npm cache `npm ci` filled, else the registry), and
 * run with `npx ksad` from there, worker threads included.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LintReport } from '../../src/app/lint.js';
import { manifestYaml, writeCatalogFixture, writeFiles } from '../support/catalog-fixture.js';
import { CLI_ROOT, type ErrorJson } from '../support/cli.js';
import { tempDir } from '../support/git-fixture.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

let dir: string;
let packed: string[];

function npx(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(NPX, ['--no', '--', 'ksad', ...args], {
    cwd: dir,
    env: { ...process.env, KSAD_HOME: join(dir, 'ksad-home'), NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ksad-package-'));
  const out = execFileSync(NPM, ['pack', '--json', '--pack-destination', dir], {
    cwd: CLI_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [pack] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!pack) throw new Error(`npm pack printed no package: ${out}`);
  packed = pack.files.map((f) => f.path);
  await writeFile(join(dir, 'package.json'), '{ "name": "ksad-install-test", "private": true }\n');
  execFileSync(
    NPM,
    ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, pack.filename)],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 },
  );
}, 360_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds the bundle, its code cache, the worker, the sample catalog and the schemas, not the sources or the dev entry', () => {
    for (const file of [
      'bin/run.js',
      'bin/load-bundle.js',
      'bin/commands.cjs',
      // Makes bin/ CommonJS: without it Node would read bin/run.js as a module and fail.
      'bin/package.json',
      'dist/ksad.cjs',
      'dist/ksad.cjs.cache',
      'dist/ksad-worker.cjs',
      'oclif.manifest.json',
      'catalog/catalog.yaml',
      'manifests/kota-bandung/antrean-daring/2.0.0.yaml',
      'schemas/manifest.schema.json',
      'README.md',
    ])
      expect(packed).toContain(file);
    // bin/dev.js runs the TypeScript sources, which the package does not hold.
    expect(packed.filter((p) => /^(src|test|bench|scripts)\/|^bin\/dev\.js$/.test(p))).toEqual([]);
  });

  it('installs and runs with npx, linting its embedded sample catalog', () => {
    expect(existsSync(join(dir, 'node_modules/.bin/ksad'))).toBe(true);
    const version = npx(['--version']);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^ksad\/0\.\d+\.\d+ /);
    const lint = npx(['catalog', 'lint', '--json']);
    expect(lint.status, lint.stderr).toBe(0);
    const report = JSON.parse(lint.stdout) as LintReport;
    expect(report.catalog?.name).toBe('sample');
    expect(report.errors).toBe(0);
  });

  it('lints a large catalog on its worker threads', async () => {
    const catalog = await tempDir('ksad-catalog-');
    await writeCatalogFixture(catalog);
    const files: Record<string, string> = {};
    for (let i = 0; i < 2100; i++) {
      const name = `aplikasi-${i % 40}`;
      const version = `${Math.floor(i / 40)}.${i % 3}.0`;
      files[`manifests/kota-bandung/${name}/${version}.yaml`] =
        i % 500 === 7 ? manifestYaml(name, `v${version}`) : manifestYaml(name, version);
    }
    await writeFiles(catalog, files);
    const lint = npx(['catalog', 'lint', '--catalog', catalog, '--json']);
    expect(lint.status, lint.stderr).toBe(3);
    const details = (JSON.parse(lint.stdout) as ErrorJson).error.details;
    expect(details.filter((d) => /: error: version: /.test(d))).toHaveLength(5);
  });
});
