import { Args, Flags } from '@oclif/core';
import { serviceAction, type ServiceAction, type ServiceActionResult } from '../app/operate.js';
import { KsadCommand } from './base-command.js';
import { dockerHostFlag } from './engine-context.js';
import { operateContext } from './operate-context.js';
import { serviceActionText } from './release-text.js';

/**
 * `ksad stop|start|restart APP [SERVICE]`: the same arguments, flags and run, each command naming
 * its action (and its own summary and description).
 */
export abstract class ServiceActionCommand extends KsadCommand {
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

  protected abstract readonly action: ServiceAction;

  async run(): Promise<ServiceActionResult> {
    const { args, flags } = await this.parse(ServiceActionCommand);
    const ctx = await operateContext({ ...flags, json: this.jsonEnabled() });
    try {
      const result = await serviceAction(ctx, args.app, this.action, {
        ...(args.service === undefined ? {} : { service: args.service }),
        healthTimeoutMs: flags.timeout * 1000,
        command: `ksad ${this.action} ${this.argv.join(' ')}`,
      });
      this.log(serviceActionText(result));
      return result;
    } finally {
      ctx.close();
    }
  }
}
