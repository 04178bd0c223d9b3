import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for `--json` runs). */
  json: any;
}

/** Runs the built CLI (`npm run build` first) with KSAD_HOME pointing at `home`. */
export function runCli(args: readonly string[], options: { home: string; cwd?: string }): CliResult {
  const result = spawnSync(process.execPath, [`${REPO_ROOT}bin/run.js`, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, KSAD_HOME: options.home, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  let json: any;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    json = undefined;
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, json };
}
