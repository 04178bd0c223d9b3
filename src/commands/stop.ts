import { Args, Flags } from '@oclif/core';
import { serviceAction, type ServiceActionResult } from '../app/operate.js';
import { KsadCommand } from '../ui/base-command.js';
import { dockerHostFlag } from '../ui/engine-context.js';
import { operateContext } from '../ui/operate-context.js';
import { serviceActionText } from '../ui/release-text.js';

export default class Stop extends KsadCommand {
  static override summary = "Stop an app's services (or one), recorded on the host.";
  static override description =
    'Stops the services in reverse start order and records on the running revision who stopped them and when, so status and audit tell a stop by an operator with ksad from one made outside ksad. ksad start brings them back.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> antrean-daring',
    '<%= config.bin %> <%= command.id %> antrean-daring web',
  ];
  static override args = {
    app: Args.string({ required: true, description: 'app name' }),
    service: Args.string({ description: 'only this service' }),
  };
  static override flags = {
    timeout: Flags.integer({
      summary: 'Seconds a started service may take to become healthy.',
      default: 120,
      min: 1,
    }),
    'docker-host': dockerHostFlag,
  };

  async run(): Promise<ServiceActionResult> {
    const { args, flags } = await this.parse(Stop);
    const ctx = await operateContext({ ...flags, json: this.jsonEnabled() });
    try {
      const result = await serviceAction(ctx, args.app, 'stop', {
        ...(args.service === undefined ? {} : { service: args.service }),
        healthTimeoutMs: flags.timeout * 1000,
        command: `ksad stop ${this.argv.join(' ')}`,
      });
      this.log(serviceActionText(result));
      return result;
    } finally {
      ctx.close();
    }
  }
}
