import { currentOperator, processProbe, systemClock } from '../adapters/system.js';
import type { OperateContext } from '../app/operate.js';
import { parseDuration } from '../core/duration.js';
import { KsadError } from '../core/errors.js';
import { openProfiledHost } from './engine-context.js';
import { terminalProgress } from './progress.js';

/** What logs, exec, stop, start and restart need, built from flags and the environment. */
export async function operateContext(flags: {
  'docker-host'?: string | undefined;
  json: boolean;
}): Promise<OperateContext & { close(): void; endpoint: string }> {
  const host = await openProfiledHost(flags['docker-host']);
  return {
    store: host.store,
    target: host.target,
    clock: systemClock,
    operator: currentOperator(process.env),
    probe: processProbe,
    progress: terminalProgress({ json: flags.json }),
    endpoint: host.endpoint,
    close: () => host.close(),
  };
}

/**
 * `--since` as Unix seconds: a duration back from now (`10m`, `1h30m`) or a date-time
 * (`2026-12-01T08:00:00Z`, `2026-12-01`), as `docker logs --since` takes them.
 */
export function sinceSeconds(text: string, now: Date): number {
  if (/^\d+(?:ms|s|m|h)/.test(text)) {
    return Math.floor((now.getTime() - parseDuration(text)) / 1000);
  }
  const at = Date.parse(text);
  if (Number.isNaN(at)) {
    throw new KsadError('USAGE', `--since "${text}" is neither a duration nor a date-time`, {
      suggestions: ['for example: --since 10m, --since 1h30m or --since 2026-12-01T08:00:00Z'],
    });
  }
  return Math.floor(at / 1000);
}
