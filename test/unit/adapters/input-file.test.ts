import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInputFile, readInputText } from '../../../src/adapters/input-file.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ksad-input-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readInputFile', () => {
  it('reads a regular UTF-8 file, keeping a byte-order mark', async () => {
    await writeFile(join(dir, 'ok.yaml'), '\ufeffa: café\n');
    expect(readInputFile(join(dir, 'ok.yaml'))).toEqual({ ok: true, text: '\ufeffa: café\n' });
  });

  it.each([
    ['a folder', async (p: string) => mkdir(p), 'is a folder, not a regular file'],
    [
      'a FIFO',
      (p: string) => Promise.resolve(execFileSync('mkfifo', [p])),
      'is a FIFO (named pipe), not a regular file',
    ],
    [
      '/dev/zero',
      async (p: string) => symlink('/dev/zero', p),
      'is a character device, not a regular file',
    ],
    [
      'a link loop',
      async (p: string) => symlink(p, p),
      'is a symbolic link loop, or a link where none is followed',
    ],
  ])('refuses %s before reading it', async (name, make, message) => {
    const path = join(dir, name.replaceAll(/\W/g, '_'));
    await make(path);
    expect(readInputFile(path)).toEqual({ ok: false, problem: { kind: 'not-regular', message } });
  });

  it('refuses a file over the limit, and one that is not UTF-8 at its line and column', async () => {
    await writeFile(join(dir, 'big.yaml'), 'x'.repeat(101));
    expect(readInputFile(join(dir, 'big.yaml'), 100)).toMatchObject({
      ok: false,
      problem: { kind: 'too-large' },
    });
    await writeFile(join(dir, 'latin1.yaml'), Buffer.from('a: 1\nb: caf\xe9\n', 'latin1'));
    expect(readInputFile(join(dir, 'latin1.yaml'))).toMatchObject({
      ok: false,
      problem: { kind: 'encoding', line: 2, col: 7 },
    });
  });

  it('refuses a link when told not to follow one, and a NUL when told to', async () => {
    await writeFile(join(dir, 'target.yaml'), 'a: 1\n');
    await symlink(join(dir, 'target.yaml'), join(dir, 'link.yaml'));
    expect(readInputFile(join(dir, 'link.yaml')).ok).toBe(true);
    expect(readInputFile(join(dir, 'link.yaml'), undefined, { follow: false }).ok).toBe(false);
    await writeFile(join(dir, 'nul.txt'), 'pass\0word');
    expect(readInputFile(join(dir, 'nul.txt'), undefined, { noNul: true })).toMatchObject({
      ok: false,
      problem: { kind: 'encoding', line: 1, col: 5 },
    });
  });

  it('throws a KsadError naming the file', () => {
    expect(() => readInputText(join(dir, 'missing.yaml'), 'overlay')).toThrow(
      expect.objectContaining({
        code: 'NOT_FOUND',
        message: `overlay: ${join(dir, 'missing.yaml')} does not exist`,
      }),
    );
    expect(() => readInputText(join(dir, 'latin1.yaml'), '', { shown: 'l.yaml' })).toThrow(
      expect.objectContaining({
        code: 'INVALID',
        message: expect.stringContaining('l.yaml:2:7 is not valid UTF-8'),
      }),
    );
  });
});
