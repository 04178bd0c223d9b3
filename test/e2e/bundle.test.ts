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
    expect(typeof loaded.exports.COMMANDS['deploy']).toBe('function');
  });
});
