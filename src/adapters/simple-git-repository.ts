import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit, CheckRepoActions, type SimpleGit } from 'simple-git';
import { KsadError } from '../core/errors.js';
import type {
  ChangedFile,
  GitRepository,
  GitWorkingCopy,
  HistoryCommit,
  ScratchClone,
  TagRef,
} from '../ports/git-repository.js';

/**
 * Editor, pager and external-diff programs: ksad never edits, pages or renders patches, and
 * simple-git refuses to run git with them set, so they are left out of git's environment.
 */
const NEVER_USED = new Set([
  'EDITOR',
  'VISUAL',
  'GIT_EDITOR',
  'GIT_SEQUENCE_EDITOR',
  'PAGER',
  'GIT_PAGER',
  'GIT_EXTERNAL_DIFF',
]);

/** Kills git when it prints nothing for this long: a stalled network must not hang ksad. */
const SILENCE_TIMEOUT_MS = 120_000;

/** Catalog repositories through the `git` binary, via simple-git. Never prompts. */
export class SimpleGitRepository implements GitRepository, GitWorkingCopy {
  constructor(
    private readonly baseEnv: Readonly<Record<string, string | undefined>> = process.env,
  ) {}

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
      out = await this.git(dir).raw([
        'diff',
        '--name-status',
        '--no-renames',
        '-z',
        fromCommit,
        toCommit,
        '--',
      ]);
    } catch (error) {
      throw unavailable(`Cannot compare ${fromCommit} with ${toCommit} in ${dir}`, error);
    }
    return parseNameStatus(out);
  }

  async isRepo(dir: string): Promise<boolean> {
    // A repository's top folder holds .git (a bare one, HEAD); without either git need not run.
    const marks = await Promise.all(
      ['.git', 'HEAD'].map((name) =>
        access(join(dir, name)).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (!marks.includes(true)) return false;
    try {
      return await this.git(dir).checkIsRepo(CheckRepoActions.IS_REPO_ROOT);
    } catch {
      // simple-git refuses a baseDir that does not exist: that is not a repository either.
      return false;
    }
  }

  async isAncestor(dir: string, ancestor: string, descendant: string): Promise<boolean> {
    // Not `merge-base --is-ancestor`: it answers by exit status alone, and simple-git treats a
    // failing git that prints nothing as a success. The merge base equals `ancestor` exactly when
    // it is one.
    const git = this.git(dir);
    try {
      const full = (
        await git.raw(['rev-parse', '--verify', '--end-of-options', `${ancestor}^{commit}`])
      ).trim();
      const base = (await git.raw(['merge-base', '--end-of-options', ancestor, descendant])).trim();
      return base !== '' && base === full;
    } catch (error) {
      throw unavailable(`Cannot compare commits ${ancestor} and ${descendant} in ${dir}`, error);
    }
  }

  async checkoutCommit(dir: string, commit: string): Promise<void> {
    try {
      await this.git(dir).raw(['checkout', '--quiet', '--force', '--detach', commit]);
    } catch (error) {
      throw unavailable(`Cannot check out ${commit} in ${dir}`, error);
    }
  }

  /** Commits oldest first, each with the files it added, modified or deleted (a rename is both). */
  private async log(
    dir: string,
    range: readonly string[],
    paths: readonly string[],
    failure: string,
  ): Promise<HistoryCommit[]> {
    let out: string;
    try {
      out = await this.git(dir).raw([
        '-c',
        'core.quotePath=false',
        'log',
        '--reverse',
        '--topo-order',
        '--no-renames',
        '--name-status',
        '--format=%x1e%H%x1f%s',
        ...range,
        '--',
        ...paths,
      ]);
    } catch (error) {
      throw unavailable(failure, error);
    }
    return parseHistory(out);
  }

  async history(dir: string, pathspec: string): Promise<HistoryCommit[]> {
    return this.log(dir, [], [pathspec], `Cannot read the history of ${pathspec} in ${dir}`);
  }

  async commitsBetween(
    dir: string,
    fromCommit: string,
    toCommit: string,
    paths: readonly string[],
  ): Promise<HistoryCommit[]> {
    const commits = await this.log(
      dir,
      ['--end-of-options', `${fromCommit}..${toCommit}`],
      paths,
      `Cannot read the commits from ${fromCommit} to ${toCommit} in ${dir}`,
    );
    const wanted = new Set(paths);
    return commits.map((c) => ({
      ...c,
      files: c.files.filter((f) => wanted.has(f.path)),
    }));
  }

  async tags(dir: string): Promise<TagRef[]> {
    let out: string;
    try {
      out = await this.git(dir).raw([
        'for-each-ref',
        '--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)',
        'refs/tags',
      ]);
    } catch (error) {
      throw unavailable(`Cannot list the tags of ${dir}`, error);
    }
    return parseTagRefs(out);
  }

  async uncommitted(dir: string, paths: readonly string[]): Promise<string[]> {
    if (paths.length === 0) return [];
    let out: string;
    try {
      out = await this.git(dir).raw([
        'status',
        '--porcelain=v1',
        '-z',
        '--untracked-files=all',
        '--no-renames',
        '--',
        ...paths,
      ]);
    } catch (error) {
      throw unavailable(`Cannot read the status of ${dir}`, error);
    }
    // Each entry is "XY path"; -z keeps paths unquoted.
    const found = out
      .split('\0')
      .filter((e) => e.length > 3)
      .map((e) => e.slice(3));
    return [...new Set(found)].sort();
  }

  async cloneOrigin(dir: string, branch: string): Promise<ScratchClone> {
    const url = await this.originUrl(dir);
    const scratch = await mkdtemp(join(tmpdir(), 'ksad-published-'));
    const dispose = (): Promise<void> => rm(scratch, { recursive: true, force: true });
    try {
      await this.clone(url, scratch, branch);
    } catch (error) {
      await dispose();
      throw error;
    }
    return { dir: scratch, url, dispose };
  }

  async commitPaths(dir: string, paths: readonly string[], message: string): Promise<string> {
    const git = this.git(dir);
    try {
      await git.raw(['add', '--', ...paths]);
      // Only these paths: anything else the engineer staged stays staged, out of this commit.
      await git.raw(['commit', '--quiet', '--no-verify', '-m', message, '--', ...paths]);
    } catch (error) {
      throw unavailable(`Cannot commit ${paths.join(', ')} in ${dir}`, error);
    }
    return this.headCommit(dir);
  }

  async tagExists(dir: string, tag: string): Promise<boolean> {
    try {
      const out = await this.git(dir).raw(['tag', '--list', '--', tag]);
      return out.trim() !== '';
    } catch (error) {
      throw unavailable(`Cannot list the tags of ${dir}`, error);
    }
  }

  async tag(dir: string, tag: string, commit: string, message: string): Promise<void> {
    try {
      await this.git(dir).raw(['tag', '--annotate', '--message', message, '--', tag, commit]);
    } catch (error) {
      throw unavailable(`Cannot tag ${commit} as ${tag} in ${dir}`, error);
    }
  }

  async currentBranch(dir: string): Promise<string | null> {
    try {
      const out = await this.git(dir).raw(['symbolic-ref', '--quiet', '--short', 'HEAD']);
      return out.trim() === '' ? null : out.trim();
    } catch {
      return null;
    }
  }

  async push(dir: string, branch: string, tag: string): Promise<void> {
    const url = await this.originUrl(dir);
    try {
      await this.git(dir).raw([
        'push',
        '--quiet',
        '--atomic',
        'origin',
        `refs/heads/${branch}:refs/heads/${branch}`,
        `refs/tags/${tag}:refs/tags/${tag}`,
      ]);
    } catch (error) {
      throw unavailable(`Cannot push ${branch} and tag ${tag} to ${url}`, error);
    }
  }

  /**
   * Detached checkout of the commit `ref` names, looked up as a remote branch first, then a tag,
   * then a commit: the clone follows upstream and never carries local branches that drift.
   */
  private async checkout(dir: string, url: string, ref: string | undefined): Promise<void> {
    const git = this.git(dir);
    const candidates =
      ref === undefined
        ? ['refs/remotes/origin/HEAD']
        : [`refs/remotes/origin/${ref}`, `refs/tags/${ref}`, ref];
    let commit: string | undefined;
    for (const candidate of candidates) {
      try {
        commit = (
          await git.raw([
            'rev-parse',
            '--verify',
            '--quiet',
            '--end-of-options',
            `${candidate}^{commit}`,
          ])
        ).trim();
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
    if (env.GIT_SSH_COMMAND === undefined && env.GIT_SSH === undefined)
      env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes';
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

/** `git log --name-status --format=%x1e%H%x1f%s` output, one record per commit. */
export function parseHistory(out: string): HistoryCommit[] {
  const commits: HistoryCommit[] = [];
  for (const record of out.split('\x1e')) {
    if (record.trim() === '') continue;
    const [head = '', ...lines] = record.split('\n');
    const [commit = '', subject = ''] = head.split('\x1f');
    const files: ChangedFile[] = [];
    for (const line of lines) {
      const tab = line.indexOf('\t');
      if (tab < 0) continue;
      const code = line.charAt(0);
      const path = line.slice(tab + 1);
      files.push({ path, status: code === 'A' ? 'added' : code === 'D' ? 'deleted' : 'modified' });
    }
    commits.push({ commit: commit.trim(), subject, files });
  }
  return commits;
}

/** `git for-each-ref` output as `name NUL object NUL peeled-object`, one tag a line. */
export function parseTagRefs(out: string): TagRef[] {
  const tags: TagRef[] = [];
  for (const line of out.split('\n')) {
    const [name = '', object = '', peeled = ''] = line.split('\0');
    if (name === '' || object === '') continue;
    tags.push({ name, commit: peeled !== '' ? peeled : object });
  }
  return tags;
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
  const reasons = lines
    .filter((l) => /^(fatal|error):/i.test(l))
    .map((l) => l.replace(/^(fatal|error):\s*/i, ''));
  return (reasons.length > 0 ? reasons : lines.slice(0, 1)).join('; ') || 'git failed';
}
