import { Errors, type Hook, type Interfaces } from '@oclif/core';
import { ExitCode } from '../core/errors.js';
import { closest } from '../core/suggest.js';

/**
 * What a mistyped command or topic was probably meant to be, as the user types it (`catalog add`):
 * the longest leading run of `words` close to a command or topic, e.g. `deplyo antrean-daring` →
 * `deploy`, `catalg add` → `catalog add`. Empty when nothing is close.
 */
export function nearCommands(config: Interfaces.Config, words: readonly string[]): string[] {
  const visible = config.commands.filter((c) => !c.hidden);
  const candidates = [
    ...visible.flatMap((c) => [c.id, ...c.aliases]),
    ...config.topics.filter((t) => !t.hidden).map((t) => t.name),
  ];
  for (let n = words.length; n > 0; n--) {
    const near = closest(words.slice(0, n).join(':'), candidates);
    if (near.length > 0) return near.map((id) => id.replaceAll(':', ' '));
  }
  return [];
}

/** The words that name a command in `argv`: those before the first flag or `--`. */
export function commandWords(id: string, argv: readonly string[] = []): string[] {
  const flag = argv.findIndex((a) => a.startsWith('-'));
  const words = flag === -1 ? argv : argv.slice(0, flag);
  return [...id.split(':'), ...words].filter((w) => w !== '');
}

/** `"deplyo" is not a ksad command (did you mean "deploy"?)`, for the hook and `ksad help`. */
export function unknownCommandMessage(config: Interfaces.Config, words: readonly string[]): string {
  const near = nearCommands(config, words);
  const hint =
    near.length === 0 ? '' : ` (did you mean ${near.map((n) => `"${n}"`).join(' or ')}?)`;
  return `"${words.join(' ')}" is not a ${config.bin} command or topic${hint}`;
}

/**
 * oclif's `command_not_found` hook: a mistyped command or topic is a usage error (exit code 2), told
 * as every ksad error is, with what it was probably meant to be; never run in its place. `--json`
 * gets the JSON error every command prints.
 */
export const commandNotFound: Hook<'command_not_found'> = function (opts) {
  const argv = opts.argv ?? [];
  const words = commandWords(opts.id, argv);
  const message = unknownCommandMessage(opts.config, words);
  const suggestions = [`see: ${opts.config.bin} help`];
  if (argv.includes('--json')) {
    const error = { code: 'USAGE', exitCode: ExitCode.USAGE, message, details: [], suggestions };
    process.stdout.write(`${JSON.stringify({ error }, null, 2)}\n`);
  } else {
    process.stderr.write(`Error: ${message}\n${suggestions.map((s) => `  → ${s}\n`).join('')}`);
  }
  throw new Errors.ExitError(ExitCode.USAGE);
};
