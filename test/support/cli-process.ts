/**
 * The built CLI (`npm run build` first) for long engine tests that need both a finished run and a
 * running process they can kill mid-way (SIGKILL recovery, two deploys racing for the lock).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CLI_ROOT, REPO_ROOT, type CliResult } from './cli.js';

export interface CliProcess {
  /** Runs a command to the end. */
  run(args: readonly string[], env?: Record<string, string>): CliResult;
  /** Starts a command and returns the child process, stdout and stderr piped. */
  start(args: readonly string[], env?: Record<string, string>): ChildProcess;
}

export function cliProcess(home: string): CliProcess {
  const bin = join(CLI_ROOT, 'bin/run.js');
  const envOf = (extra: Record<string, string>) => ({
    ...process.env,
    KSAD_HOME: home,
    NO_COLOR: '1',
    ...extra,
  });
  return {
    run(args, env = {}) {
      const result = spawnSync(process.execPath, [bin, ...args], {
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
      return spawn(process.execPath, [bin, ...args], {
        cwd: REPO_ROOT,
        env: envOf(env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
  };
}
