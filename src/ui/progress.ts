import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import type { Progress } from '../ports/progress.js';
import { silentProgress } from '../ports/progress.js';

/**
 * Progress on stderr: listr2's animated renderer on a terminal, one plain line per step when not
 * (CI logs, pipes), and nothing at all for --json, whose stdout must stay one JSON document.
 */
export function terminalProgress(options: { json: boolean }): Progress {
  if (options.json) return silentProgress;
  const tty = process.stderr.isTTY === true;
  const logger = new ListrLogger({
    processOutput: new ProcessOutput(process.stderr, process.stderr),
  });
  return {
    async step<T>(title: string, fn: (detail: (text: string) => void) => Promise<T>): Promise<T> {
      let result: T | undefined;
      const list = new Listr(
        [
          {
            title,
            task: async (_ctx, task) => {
              result = await fn((text) => {
                if (tty) task.output = text;
              });
            },
          },
        ],
        {
          renderer: tty ? 'default' : 'simple',
          fallbackRenderer: 'simple',
          exitOnError: true,
          registerSignalListeners: false,
          rendererOptions: { logger, collapseErrors: false, showErrorMessage: false },
          fallbackRendererOptions: { logger },
        },
      );
      await list.run();
      return result as T;
    },
    note(text: string) {
      process.stderr.write(`${text}\n`);
    },
  };
}
