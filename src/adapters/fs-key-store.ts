import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { KsadError } from '../core/errors.js';
import type { KeyStore } from '../ports/key-store.js';
import { inputError, readInputFile } from './input-file.js';
import { ksadDirs } from './paths.js';

/** A private key file is one PEM block. */
const KEY_FILE_BYTES = 64 * 1024;

/** Private keys as files: `<ksad config dir>/keys/<id>.key` unless the user names a folder. */
export class FsKeyStore implements KeyStore {
  constructor(
    private readonly env: Readonly<Record<string, string | undefined>> = process.env,
    private readonly cwd: string = process.cwd(),
  ) {}

  defaultDir(): string {
    return join(ksadDirs(this.env).config, 'keys');
  }

  resolvePath(path: string): string {
    return resolve(this.cwd, path);
  }

  async workTreeOf(path: string): Promise<string | null> {
    // A `.git` folder (or the `.git` file of a worktree or submodule) marks a working tree's top.
    let dir = this.resolvePath(path);
    for (;;) {
      if (await exists(join(dir, '.git'))) return dir;
      const parent = dirname(dir);
      if (parent === dir) return null;
      dir = parent;
    }
  }

  async writePrivateKey(dir: string, fileName: string, text: string): Promise<string> {
    const folder = this.resolvePath(dir);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const file = join(folder, fileName);
    try {
      // `wx`: never overwrite a key, and never follow a planted symlink to somewhere else.
      await writeFile(file, text, { encoding: 'utf8', mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EEXIST') {
        throw new KsadError(
          'USAGE',
          `${file} already exists; ksad never overwrites a signing key`,
          {
            suggestions: ['choose another key id with --id, or another folder with --out'],
          },
        );
      }
      throw error;
    }
    // The umask may have narrowed the mode, never widened it; make it exact anyway.
    await chmod(file, 0o600);
    return file;
  }

  readPrivateKey(path: string): Promise<string> {
    // A throw in the executor rejects the promise.
    return new Promise((done) => done(this.readKeyFile(path)));
  }

  /** The key file through the shared input reader: a regular file of at most KEY_FILE_BYTES. */
  private readKeyFile(path: string): string {
    const file = this.resolvePath(path);
    const read = readInputFile(file, KEY_FILE_BYTES, { noNul: true });
    if (read.ok) return read.text;
    if (read.problem.kind === 'missing') {
      throw new KsadError('NOT_FOUND', `No such key file: ${path}`, {
        suggestions: [`keys made by "ksad keys generate" are in ${this.defaultDir()}`],
      });
    }
    throw inputError(path, 'key file', read.problem);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
