import { simpleGit, CheckRepoActions, type SimpleGit } from 'simple-git';
import { KsadError } from '../core/errors.js';
import type { ChangedFile, GitRepository } from '../ports/git-repository.js';

/**
 * Editor, pager and external-diff programs: ksad never edits, pages or renders patches, and
 * simple-git refuses to run git with them set, so they are left out of git's environment.
 */
const NEVER_USED = new Set(['EDITOR', 'VISUAL', 'GIT_EDITOR', 'GIT_SEQUENCE_EDITOR', 'PAGER', 'GIT_PAGER', 'GIT_EXTERNAL_DIFF']);

/** Kills git when it prints nothing for this long: a stalled network must not hang ksad. */
const SILENCE_TIMEOUT_MS = 120_000;

/** Catalog repositories through the `git` binary, via simple-git. Never prompts. */
export class SimpleGitRepository implements GitRepository {
  constructor(private readonly baseEnv: Readonly<Record<string, string | undefined>> = process.env) {}

  async clone(url: string, dir: string, ref?: string): Promise<void> {
    try {
      // `--` keeps a URL that starts with "-" from being read as an option.
      await this.git().raw(['clone', '--quiet', '--no-checkout', '--', url, dir]);
    } catch (error) {
      throw unavailable(`Cannot clone catalog ${url}`, error);
    }
    await this.checkout(dir, url, ref);
  }

  async fetchAndCheckout(dir: string, ref?: string): Promise<void> {
    const url = await this.originUrl(dir);
    try {
      const git = this.git(dir);
      await git.raw(['fetch', '--quiet', '--prune', '--tags', '--force', 'origin']);
      // The remote may have moved its default branch since the clone.
      if (ref === undefined) await git.raw(['remote', 'set-head', 'origin', '--auto']);
    } catch (error) {
      throw unavailable(`Cannot fetch catalog ${url}`, error);
    }
    await this.checkout(dir, url, ref);
  }

  async headCommit(dir: string): Promise<string> {
    try {
      return (await this.git(dir).revparse(['--verify', 'HEAD^{commit}'])).trim();
    } catch (error) {
      throw unavailable(`Cannot read the commit checked out in ${dir}`, error);
    }
  }

  async changedFiles(dir: string, fromCommit: string, toCommit: string): Promise<ChangedFile[]> {
    let out: string;
    try {
      out = await this.git(dir).raw(['diff', '--name-status', '--no-renames', '-z', fromCommit, toCommit, '--']);
    } catch (error) {
      throw unavailable(`Cannot compare ${fromCommit} with ${toCommit} in ${dir}`, error);
    }
    return parseNameStatus(out);
  }

  async isRepo(dir: string): Promise<boolean> {
    try {
      return await this.git(dir).checkIsRepo(CheckRepoActions.IS_REPO_ROOT);
    } catch {
      // simple-git refuses a baseDir that does not exist: that is not a repository either.
      return false;
    }
  }

  /**
   * Detached checkout of the commit `ref` names, looked up as a remote branch first, then a tag,
   * then a commit: the clone follows upstream and never carries local branches that drift.
   */
  private async checkout(dir: string, url: string, ref: string | undefined): Promise<void> {
    const git = this.git(dir);
    const candidates =
      ref === undefined ? ['refs/remotes/origin/HEAD'] : [`refs/remotes/origin/${ref}`, `refs/tags/${ref}`, ref];
    let commit: string | undefined;
    for (const candidate of candidates) {
      try {
        commit = (await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${candidate}^{commit}`])).trim();
      } catch {
        continue;
      }
      if (commit !== '') break;
    }
    if (commit === undefined || commit === '') {
      throw new KsadError(
        'CATALOG_UNAVAILABLE',
        ref === undefined
          ? `Cannot check out catalog ${url}: the repository has no default branch with commits`
          : `Cannot check out catalog ${url}: no branch, tag or commit named "${ref}"`,
        { suggestions: ['check the ref with: git ls-remote ' + url] },
      );
    }
    try {
      await git.raw(['checkout', '--quiet', '--force', '--detach', commit]);
    } catch (error) {
      throw unavailable(`Cannot check out ${commit} of catalog ${url}`, error);
    }
  }

  private async originUrl(dir: string): Promise<string> {
    try {
      return (await this.git(dir).raw(['remote', 'get-url', 'origin'])).trim();
    } catch (error) {
      throw unavailable(`${dir} is not a catalog clone with an origin`, error);
    }
  }

  private git(baseDir?: string): SimpleGit {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.baseEnv)) {
      if (value !== undefined && !NEVER_USED.has(key.toUpperCase())) env[key] = value;
    }
    env.GIT_TERMINAL_PROMPT = '0';
    env.GCM_INTERACTIVE = 'never';
    // ssh asks for passwords and host keys on the tty, which GIT_TERMINAL_PROMPT does not cover.
    if (env.GIT_SSH_COMMAND === undefined && env.GIT_SSH === undefined) env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes';
    return simpleGit({
      ...(baseDir === undefined ? {} : { baseDir }),
      timeout: { block: SILENCE_TIMEOUT_MS },
      // simple-git refuses these variables unless allowed. They come from the user's own
      // environment (credentials in CI, a proxy, an ssh wrapper), never from a catalog, and the
      // arguments ksad passes are fixed apart from the URL, ref and folder.
      unsafe: {
        allowUnsafeSshCommand: true,
        allowUnsafeAskPass: true,
        allowUnsafeConfigPaths: true,
        allowUnsafeConfigEnvCount: true,
        allowUnsafeGitProxy: true,
        allowUnsafeTemplateDir: true,
      },
    }).env(env);
  }
}

/** `git diff --name-status -z` output: status and path alternate, NUL-separated. */
export function parseNameStatus(out: string): ChangedFile[] {
  const fields = out.split('\0');
  const files: ChangedFile[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const code = fields[i]?.charAt(0);
    const path = fields[i + 1];
    if (code === undefined || code === '' || path === undefined) continue;
    files.push({ path, status: code === 'A' ? 'added' : code === 'D' ? 'deleted' : 'modified' });
  }
  return files;
}

function unavailable(what: string, error: unknown): KsadError {
  return new KsadError('CATALOG_UNAVAILABLE', `${what}: ${gitReason(error)}`, {
    cause: error,
    suggestions: ['check the URL, your network and your access to the repository'],
  });
}

/** git's own words: its `fatal:`/`error:` lines when there are any, else the first line. */
function gitReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const reasons = lines.filter((l) => /^(fatal|error):/i.test(l)).map((l) => l.replace(/^(fatal|error):\s*/i, ''));
  return (reasons.length > 0 ? reasons : lines.slice(0, 1)).join('; ') || 'git failed';
}
