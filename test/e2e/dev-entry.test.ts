/**
 * bin/dev.js runs ksad from the TypeScript sources (tsx), without the bundle: what a contributor
 * runs between two builds. It must find every command and run one end to end.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LintReport } from '../../src/app/lint.js';
import { REPO_ROOT } from '../support/cli.js';
import { tempDir } from '../support/git-fixture.js';

async function dev(args: readonly string[]) {
  const home = await tempDir('ksad-dev-home-');
  return spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'dev.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, KSAD_HOME: home, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('the dev entry bin/dev.js', () => {
  it('runs the commands from the sources: --version, and catalog lint on the sample catalog', async () => {
    const version = await dev(['--version']);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^ksad\/0\.\d+\.\d+ /);
    const lint = await dev(['catalog', 'lint', '--json']);
    expect(lint.status, lint.stderr).toBe(0);
    const report = JSON.parse(lint.stdout) as LintReport;
    expect(report.catalog?.name).toBe('sample');
    expect(report.errors).toBe(0);
  });
});
