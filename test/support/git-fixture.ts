import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { onTestFinished } from 'vitest';
import { writeFiles } from './catalog-fixture.js';

/** A temp folder removed when the current test finishes. */
export async function tempDir(prefix = 'ksad-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface GitFixture {
  dir: string;
  url: string;
  /** Writes files (repository-relative paths), commits them all, returns the new commit. */
  commit(files: Record<string, string>, message?: string): Promise<string>;
  remove(paths: string[], message?: string): string;
  git(...args: string[]): string;
}

/**
 * A real git repository in a temp folder: branch main, pinned identity, no signing, no user or
 * system config leaking in, removed when the test finishes.
 */
export async function gitRepo(): Promise<GitFixture> {
  const dir = await tempDir('ksad-git-');
  const env = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_DATE: '2025-01-01T00:00:00Z',
    GIT_COMMITTER_DATE: '2025-01-01T00:00:00Z',
  };
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim();
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.name', 'KSAD Test');
  git('config', 'user.email', 'test@ksad.example.org');
  git('config', 'commit.gpgSign', 'false');
  git('config', 'tag.gpgSign', 'false');
  return {
    dir,
    url: pathToFileURL(dir).href,
    git,
    async commit(files, message = 'update catalog') {
      await writeFiles(dir, files);
      git('add', '--all');
      git('commit', '--quiet', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    remove(paths, message = 'remove files') {
      git('rm', '--quiet', ...paths);
      git('commit', '--quiet', '-m', message);
      return git('rev-parse', 'HEAD');
    },
  };
}
