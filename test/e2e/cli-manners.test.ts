/**
 * The CLI's manners, as a new user meets them in the built CLI: `help COMMAND`, `-h`, "did you
 * mean" for a mistyped command or topic (a usage error), hints spelled with spaces as commands are
 * typed, and no empty `[default: ]` in help.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ROOT, runCli, type ErrorJson } from '../support/cli.js';

let home: string;
const ksad = (...args: string[]) => runCli(args, { home });

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'ksad-manners-home-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('built CLI: help, -h, did you mean, hints', () => {
  it('`help COMMAND` and `COMMAND -h` print the same help as `COMMAND --help`', () => {
    const long = ksad('deploy', '--help');
    expect(long.status, long.stderr).toBe(0);
    expect(long.stdout).toContain('$ ksad deploy APP');
    for (const args of [
      ['help', 'deploy'],
      ['deploy', '-h'],
    ]) {
      const run = ksad(...args);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(long.stdout);
    }
    const sub = ksad('help', 'catalog', 'add');
    expect(sub.status, sub.stderr).toBe(0);
    expect(sub.stdout).toContain('$ ksad catalog add');
    const topic = ksad('help', 'catalog');
    expect(topic.status, topic.stderr).toBe(0);
    expect(topic.stdout).toMatch(/catalog lint +Check every file/);
    const root = ksad('help');
    expect(root.status, root.stderr).toBe(0);
    expect(root.stdout).toMatch(/^ {2}help +Show help for ksad/m);
  });

  it('suggests the command or topic a typo was meant to be, as a usage error', () => {
    const cases: Array<[string[], string]> = [
      [['deplyo'], '"deplyo" is not a ksad command or topic (did you mean "deploy"?)'],
      [['deplyo', 'antrean-daring', '-f', 'a.yaml'], 'did you mean "deploy"?'],
      [['catalg', 'add'], 'did you mean "catalog add"'],
      [['catalg'], 'did you mean "catalog"?'],
      [['help', 'deplyo'], '"deplyo" is not a ksad command or topic (did you mean "deploy"?)'],
    ];
    for (const [args, message] of cases) {
      const run = ksad(...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain(message);
      expect(run.stderr).toContain('→ see: ksad help');
      expect(run.stdout).toBe('');
    }
    const nothing = ksad('zzzzzzzz');
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).not.toContain('did you mean');
    const json = runCli<ErrorJson>(['deplyo', '--json'], { home });
    expect(json.status).toBe(2);
    expect(json.json.error).toMatchObject({ code: 'USAGE', exitCode: 2 });
    expect(json.json.error.message).toContain('did you mean "deploy"?');
  });

  it('spells hints with spaces, as commands are typed', () => {
    const run = ksad('catalog', 'add', '--no-such-flag');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('→ see: ksad catalog add --help');
    expect(run.stderr).not.toContain('ksad catalog:add');
  });

  it('shows no empty default in any help', () => {
    const help = ksad('deploy', '--help');
    expect(help.stdout).toContain('--set=<value>...');
    expect(help.stdout).not.toContain('[default: ]');
    // oclif's help shows a flag's default from the manifest whenever it is truthy: an empty list
    // would print `[default: ]`.
    const manifest = JSON.parse(readFileSync(join(CLI_ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, { flags: Record<string, { default?: unknown }> }>;
    };
    const empty = Object.entries(manifest.commands).flatMap(([id, command]) =>
      Object.entries(command.flags)
        .filter(([, flag]) => Array.isArray(flag.default) && flag.default.length === 0)
        .map(([name]) => `${id} --${name}`),
    );
    expect(empty).toEqual([]);
  });
});

describe('built CLI: shell completion', () => {
  it('completes commands, topics and flags in bash from the script `completion bash` prints', () => {
    const script = ksad('completion', 'bash');
    expect(script.status, script.stderr).toBe(0);
    const complete = (...words: string[]): string => {
      const run = spawnSync(
        'bash',
        [
          '-c',
          `${script.stdout}
COMP_WORDS=("$@"); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _ksad_complete; echo "\${COMPREPLY[*]}"`,
          'bash',
          'ksad',
          ...words,
        ],
        { encoding: 'utf8', timeout: 10_000 },
      );
      expect(run.status, run.stderr).toBe(0);
      return run.stdout.trim();
    };
    expect(complete('cat')).toBe('catalog');
    expect(complete('catalog', '')).toBe('add lint list remove sync');
    expect(complete('deploy', '--re')).toBe('--reset-values');
    expect(complete('deploy', 'antrean-daring', '-f', 'a.yaml', '--s').split(' ')).toEqual([
      '--set',
      '--secret',
    ]);
    expect(complete('').split(' ')).toEqual(expect.arrayContaining(['deploy', 'help', 'catalog']));
    const zsh = ksad('completion', 'zsh');
    expect(zsh.status).toBe(0);
    expect(zsh.stdout).toContain('bashcompinit');
    expect(ksad('completion', 'fish').status).toBe(2);
  });
});
