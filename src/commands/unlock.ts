import { Args, Flags } from '@oclif/core';
import { currentOperator, processProbe } from '../adapters/system.js';
import { describeHolder } from '../app/lock.js';
import { unlockApp, type UnlockResult } from '../app/unlock.js';
import { KsadCommand } from '../ui/base-command.js';
import { dockerHostFlag, openProfiledHost } from '../ui/engine-context.js';

export default class Unlock extends KsadCommand {
  static override summary = "Clear an app's lock left by a killed ksad process.";
  static override description =
    'Shows who held the lock. A lock whose holder still runs on this machine is kept unless --force is given.';
  static override args = { app: Args.string({ required: true, description: 'app name' }) };
  static override flags = {
    'docker-host': dockerHostFlag,
    force: Flags.boolean({
      summary: 'Clear the lock even though its holder still runs on this machine.',
      description:
        'The running operation then goes on without its lock: another command on the same app could change the same containers and records at once.',
      default: false,
    }),
  };

  async run(): Promise<UnlockResult> {
    const { args, flags } = await this.parse(Unlock);
    const host = await openProfiledHost(flags['docker-host']);
    try {
      const result = await unlockApp(
        { store: host.store, operator: currentOperator(process.env), probe: processProbe },
        args.app,
        { force: flags.force },
      );
      const { cleared } = result;
      const why =
        result.holder === 'gone'
          ? ' (that process is gone)'
          : result.holder === 'elsewhere'
            ? ' (it ran on another machine, which ksad cannot check)'
            : result.forced
              ? ' (that process still runs: forced)'
              : '';
      this.log(
        cleared
          ? `Cleared the lock on ${args.app} held by ${describeHolder(cleared)}${why}.`
          : `${args.app} was not locked.`,
      );
      return result;
    } finally {
      host.close();
    }
  }
}
