/**
 * Other work on the same checkout rebuilds `dist/` (`rm -rf dist` first), which would pull the CLI
 * out from under a long engine test. These tests compile the sources once into their own folder
 * and run that copy of the CLI instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, type CliResult } from './cli.js';

export interface PrivateCli {
  root: string;
  run(args: readonly string[], env?: Record<string, string>): CliResult;
  start(args: readonly string[], env?: Record<string, string>): ChildProcess;
  cleanup(): Promise<void>;
}

export async function buildPrivateCli(home: string): Promise<PrivateCli> {
  const root = await mkdtemp(join(tmpdir(), 'ksad-cli-'));
  const tsc = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(REPO_ROOT, 'tsconfig.build.json'),
      '--outDir',
      join(root, 'dist'),
    ],
    { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 },
  );
  if (!existsSync(join(root, 'dist/commands/deploy.js'))) {
    throw new Error(`compiling the CLI failed:\n${tsc.stdout}${tsc.stderr}`);
  }
  await mkdir(join(root, 'bin'));
  await copyFile(join(REPO_ROOT, 'bin/run.js'), join(root, 'bin/run.js'));
  await copyFile(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
  await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  await symlink(join(REPO_ROOT, 'catalog'), join(root, 'catalog'));
  await symlink(join(REPO_ROOT, 'manifests'), join(root, 'manifests'));
  const envOf = (extra: Record<string, string>) => ({
    ...process.env,
    KSAD_HOME: home,
    NO_COLOR: '1',
    ...extra,
  });
  return {
    root,
    run(args, env = {}) {
      const result = spawnSync(process.execPath, [join(root, 'bin/run.js'), ...args], {
        cwd: REPO_ROOT,
        env: envOf(env),
        encoding: 'utf8',
        timeout: 120_000,
      });
      let json: unknown;
      try {
        json = JSON.parse(result.stdout);
      } catch {
        json = undefined;
      }
      return { status: result.status, stdout: result.stdout, stderr: result.stderr, json };
    },
    start(args, env = {}) {
      return spawn(process.execPath, [join(root, 'bin/run.js'), ...args], {
        cwd: REPO_ROOT,
        env: envOf(env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
