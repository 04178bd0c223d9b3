import { isAscii } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript beside bin/run.js, without type declarations
import { loadBundle } from '../../bin/load-bundle.js';
import { CLI_ROOT } from '../support/cli.js';

interface Loaded {
  script: { cachedDataRejected?: boolean };
  exports: { COMMANDS: Record<string, unknown>; execute: unknown };
}

describe('the built bundle', () => {
  const file = join(CLI_ROOT, 'dist', 'ksad.cjs');

  it('starts from the code cache made at build, and serves every command oclif lists', () => {
    const loaded = (loadBundle as (f: string, c: Buffer) => Loaded)(
      file,
      readFileSync(`${file}.cache`),
    );
    // A rejected cache still works, but every run would compile the whole bundle again.
    expect(loaded.script.cachedDataRejected).toBe(false);
    const manifest = JSON.parse(readFileSync(join(CLI_ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, unknown>;
    };
    expect(Object.keys(loaded.exports.COMMANDS).sort()).toEqual(
      Object.keys(manifest.commands).sort(),
    );
    for (const [id, command] of Object.entries(loaded.exports.COMMANDS))
      expect(typeof (command as { run?: unknown } | undefined)?.run, id).toBe('function');
  });

  it('is ASCII, which bin/load-bundle.js reads as a one-byte string instead of decoding UTF-8', () => {
    expect(isAscii(readFileSync(file))).toBe(true);
  });

  it('is loaded once by bin/run.js: oclif gets its commands and its hook through bin/commands.cjs', () => {
    // NODE_DEBUG=module logs every require(); `catalog lint` makes oclif load a command class, a
    // mistyped command its command_not_found hook.
    for (const [args, status] of [
      [['catalog', 'lint', '--json'], 0],
      [['catalg', 'lint'], 2],
    ] as const) {
      const run = spawnSync(process.execPath, [join(CLI_ROOT, 'bin', 'run.js'), ...args], {
        env: { ...process.env, NODE_DEBUG: 'module' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status, run.stderr).toBe(status);
      const requests = run.stderr
        .split('\n')
        .filter((line) => line.includes('Module._load REQUEST'));
      expect(requests.some((line) => /REQUEST \S*bin[\\/]commands\.cjs /.test(line))).toBe(true);
      // A require() of the bundle would compile and run it a second time, without its code cache.
      const bundle = /REQUEST \S*ksad\.cjs parent:/;
      expect(requests.filter((line) => bundle.test(line))).toEqual([]);
    }
  });
});
