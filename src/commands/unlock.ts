import { Args } from '@oclif/core';
import type { LockHolder } from '../ports/release-store.js';
import { KsadCommand } from '../ui/base-command.js';
import { dockerHostFlag, openHost } from '../ui/engine-context.js';

export default class Unlock extends KsadCommand {
  static override summary = "Clear an app's lock left by a killed ksad process.";
  static override description =
    'Shows who held the lock. Clear it only when that operation is no longer running.';
  static override args = { app: Args.string({ required: true, description: 'app name' }) };
  static override flags = { 'docker-host': dockerHostFlag };

  async run(): Promise<{ app: string; cleared: LockHolder | null }> {
    const { args, flags } = await this.parse(Unlock);
    const host = openHost(flags['docker-host']);
    try {
      const cleared = await host.store.unlock(args.app);
      this.log(
        cleared
          ? `Cleared the lock on ${args.app} held by ${cleared.user}@${cleared.hostname} (pid ${cleared.pid}, "${cleared.command}") since ${cleared.since}.`
          : `${args.app} was not locked.`,
      );
      return { app: args.app, cleared };
    } finally {
      host.close();
    }
  }
}
