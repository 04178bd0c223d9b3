import { Args, Flags } from '@oclif/core';
import { rollbackApp, type RollbackResult } from '../app/rollback.js';
import { KsadCommand } from '../ui/base-command.js';
import { deployContext, dockerHostFlag } from '../ui/engine-context.js';
import { catalogFlag } from '../ui/flags.js';
import { rollbackText } from '../ui/lifecycle-text.js';

export default class Rollback extends KsadCommand {
  static override summary = 'Go back to an earlier revision of an app, as a new revision.';
  static override description =
    'Re-creates REVISION (default: the one that ran before the running one) exactly: the same manifest, found in the catalog by its digest, the same images and configuration, and the secrets stored on the host. It is recorded as a new revision "rollback to revision N"; the earlier record stays. The MoU must still grant that version. Like a deploy it is health-gated: if the services do not become healthy, the running revision comes back.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> antrean-daring',
    '<%= config.bin %> <%= command.id %> antrean-daring 3',
    '<%= config.bin %> <%= command.id %> antrean-daring 3 --override-mou "MoU renewal signed, letter 045/12"',
  ];
  static override args = {
    app: Args.string({ required: true, description: 'app name' }),
    revision: Args.integer({
      description: 'revision to go back to (see ksad history APP)',
      min: 1,
    }),
  };
  static override flags = {
    'override-mou': Flags.string({
      summary:
        'Roll back although no active MoU covers that version; the reason is recorded with the release.',
      helpValue: 'REASON',
    }),
    timeout: Flags.integer({
      summary: 'Seconds a service may take to become healthy.',
      default: 120,
      min: 1,
    }),
    catalog: catalogFlag,
    'docker-host': dockerHostFlag,
  };

  async run(): Promise<RollbackResult> {
    const { args, flags } = await this.parse(Rollback);
    const ctx = await deployContext({ ...flags, json: this.jsonEnabled() });
    try {
      const result = await rollbackApp(ctx, args.app, {
        ...(args.revision !== undefined ? { revision: args.revision } : {}),
        ...(flags['override-mou'] !== undefined ? { overrideReason: flags['override-mou'] } : {}),
        healthTimeoutMs: flags.timeout * 1000,
        command: `ksad rollback ${this.argv.join(' ')}`,
      });
      this.log(rollbackText(result));
      return result;
    } finally {
      ctx.close();
    }
  }
}
