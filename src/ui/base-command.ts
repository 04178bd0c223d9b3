import { Command, Errors } from '@oclif/core';
import { ExitCode, isKsadError } from '../core/errors.js';

/**
 * Every ksad command extends this: `--json` prints the value `run()` returns, and failures are
 * mapped to documented exit codes. A KsadError is the user's to fix and is shown without a stack;
 * anything else is a bug and says so.
 */
export abstract class KsadCommand extends Command {
  static override enableJsonFlag = true;

  /** Progress and logs go to stderr so stdout stays data. */
  protected note(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${message}\n`);
  }

  protected override catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (isKsadError(err)) {
      process.exitCode = err.exitCode;
      if (this.jsonEnabled()) {
        this.logJson({
          error: {
            code: err.code,
            exitCode: err.exitCode,
            message: err.message,
            details: err.details,
            suggestions: err.suggestions,
            ...(err.reason ? { reason: err.reason } : {}),
          },
        });
      } else {
        const lines = [`Error: ${err.message}`, ...err.details.map((d) => `  ${d}`)];
        for (const s of err.suggestions) lines.push(`  → ${s}`);
        process.stderr.write(`${lines.join('\n')}\n`);
      }
      return Promise.resolve(undefined);
    }
    // Flag and argument errors from oclif keep their own message, with the usage exit code.
    if (err instanceof Errors.CLIError && !(err instanceof Errors.ExitError)) {
      process.exitCode = ExitCode.USAGE;
      if (this.jsonEnabled()) {
        this.logJson({
          error: {
            code: 'USAGE',
            exitCode: ExitCode.USAGE,
            message: err.message,
            details: [],
            suggestions: [],
          },
        });
        return Promise.resolve(undefined);
      }
      // The id as the user types it: oclif's ids join words with ':', ksad's topic separator is ' '.
      const command = (this.id ?? '').replaceAll(':', ' ');
      process.stderr.write(`Error: ${err.message}\n  → see: ksad ${command} --help\n`);
      return Promise.resolve(undefined);
    }
    if (err instanceof Errors.ExitError) return Promise.reject(err);
    process.exitCode = ExitCode.BUG;
    const message = `ksad hit an unexpected error (a bug): ${err.message}`;
    if (this.jsonEnabled()) {
      this.logJson({
        error: { code: 'BUG', exitCode: ExitCode.BUG, message, details: [], suggestions: [] },
      });
    } else {
      process.stderr.write(`${message}\n`);
      if (process.env.KSAD_DEBUG) process.stderr.write(`${err.stack ?? ''}\n`);
      else
        process.stderr.write(
          '  → run again with KSAD_DEBUG=1 for the stack trace, and report it\n',
        );
    }
    return Promise.resolve(undefined);
  }
}
