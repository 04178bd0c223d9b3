import { Args, Flags } from '@oclif/core';
import { appExec } from '../app/operate.js';
import { KsadCommand } from '../ui/base-command.js';
import { dockerHostFlag } from '../ui/engine-context.js';
import { operateContext } from '../ui/operate-context.js';

export default class Exec extends KsadCommand {
  static override summary = 'Run a command in a running service of an app.';
  static override description =
    "Runs CMD (default: sh) in the service's container, as `docker exec` does. When stdin is a terminal the command gets one (a shell works as usual); otherwise its output is passed through and its input comes from stdin with --interactive. ksad exits with the command's exit code.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> antrean-daring web',
    '<%= config.bin %> <%= command.id %> antrean-daring db -- wget -q -O - http://127.0.0.1:5432/records',
    'echo hello | <%= config.bin %> <%= command.id %> antrean-daring web -i -- cat',
  ];
  static override strict = false;
  static override args = {
    app: Args.string({ required: true, description: 'app name' }),
    service: Args.string({ required: true, description: 'service to run the command in' }),
  };
  static override flags = {
    interactive: Flags.boolean({
      char: 'i',
      summary: 'Pass stdin to the command (always so when stdin is a terminal).',
      default: false,
    }),
    'docker-host': dockerHostFlag,
  };

  async run(): Promise<{ app: string; service: string; command: string[]; exitCode: number }> {
    const { args, argv, flags } = await this.parse(Exec);
    const rest = (argv as string[]).slice(2);
    const command = rest.length > 0 ? rest : ['sh'];
    const json = this.jsonEnabled();
    const tty = !json && process.stdin.isTTY && process.stdout.isTTY;
    const ctx = await operateContext({ ...flags, json });
    const raw = tty && typeof process.stdin.setRawMode === 'function';
    try {
      if (raw) process.stdin.setRawMode(true);
      const exitCode = await appExec(ctx, args.app, args.service, command, {
        tty,
        ...(tty || flags.interactive ? { stdin: process.stdin } : {}),
        stdout: (d) => process.stdout.write(d),
        stderr: (d) => process.stderr.write(d),
      });
      process.exitCode = exitCode;
      return { app: args.app, service: args.service, command, exitCode };
    } finally {
      if (raw) process.stdin.setRawMode(false);
      // The command may end before its input does: stop reading it so ksad can exit.
      process.stdin.pause();
      process.stdin.unref?.();
      ctx.close();
    }
  }
}
