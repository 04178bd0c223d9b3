import { Args, Flags } from '@oclif/core';
import { appLogs } from '../app/operate.js';
import { KsadCommand } from '../ui/base-command.js';
import { dockerHostFlag } from '../ui/engine-context.js';
import { logPrinter } from '../ui/log-lines.js';
import { operateContext, sinceSeconds } from '../ui/operate-context.js';

export interface LogLine {
  service: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

export default class Logs extends KsadCommand {
  static override summary = "Show the output of an app's services.";
  static override description =
    "Every service's output, each line headed by its service, or one service's as it is. With --follow it keeps printing new output until the services stop or Ctrl-C. Output a service wrote to stderr goes to stderr. With --json, the lines as a list (read until they end).";
  static override examples = [
    '<%= config.bin %> <%= command.id %> antrean-daring',
    '<%= config.bin %> <%= command.id %> antrean-daring web --follow --tail 50',
    '<%= config.bin %> <%= command.id %> antrean-daring db --since 10m',
  ];
  static override args = {
    app: Args.string({ required: true, description: 'app name' }),
    service: Args.string({ description: 'only this service' }),
  };
  static override flags = {
    follow: Flags.boolean({ char: 'f', summary: 'Keep printing new output.', default: false }),
    tail: Flags.integer({ char: 'n', summary: 'Only the last N lines of each service.', min: 0 }),
    since: Flags.string({
      summary:
        'Only output since a duration ago (10m, 1h30m) or a date-time (2026-12-01T08:00:00Z).',
    }),
    'docker-host': dockerHostFlag,
  };

  async run(): Promise<LogLine[]> {
    const { args, flags } = await this.parse(Logs);
    const json = this.jsonEnabled();
    const ctx = await operateContext({ ...flags, json });
    const lines: LogLine[] = [];
    const printer = logPrinter(args.service === undefined || json, (stream, text, line) => {
      if (!json) (stream === 'stderr' ? process.stderr : process.stdout).write(text);
      else if (line) lines.push({ service: line.service, stream, line: line.text });
    });
    const stop = new AbortController();
    const interrupt = (): void => stop.abort();
    process.once('SIGINT', interrupt);
    try {
      await appLogs(
        ctx,
        args.app,
        args.service,
        {
          follow: flags.follow,
          ...(flags.tail === undefined ? {} : { tail: flags.tail }),
          ...(flags.since === undefined ? {} : { since: sinceSeconds(flags.since, new Date()) }),
          signal: stop.signal,
        },
        (service, stream, data) => printer.push(service, stream, data),
      );
      printer.flush();
      return lines;
    } finally {
      process.off('SIGINT', interrupt);
      ctx.close();
    }
  }
}
