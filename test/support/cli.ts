import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Where the built CLI lives: the checkout itself, or a copy of it named by KSAD_CLI_ROOT (a
 * built copy elsewhere, e.g. an unpacked `npm pack`).
 */
export const CLI_ROOT = process.env.KSAD_CLI_ROOT ?? REPO_ROOT;

/** What `--json` prints when a command fails (see src/ui/base-command.ts). */
export interface ErrorJson {
  error: {
    code: string;
    exitCode: number;
    message: string;
    details: string[];
    suggestions: string[];
  };
}

// Callers that state no shape get untyped JSON, as other tests already read it that way.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface CliResult<T = any> {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for `--json` runs); the caller states the shape it expects. */
  json: T;
}

/** Runs the built CLI (`npm run build` first) with KSAD_HOME pointing at `home`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function runCli<T = any>(
  args: readonly string[],
  options: { home: string; cwd?: string; env?: NodeJS.ProcessEnv },
): CliResult<T> {
  const result = spawnSync(process.execPath, [join(CLI_ROOT, 'bin', 'run.js'), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env, KSAD_HOME: options.home, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  let json: unknown;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    json = undefined;
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, json: json as T };
}
