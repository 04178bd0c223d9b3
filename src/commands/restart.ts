import { ServiceActionCommand } from '../ui/service-action-command.js';

export default class Restart extends ServiceActionCommand {
  static override summary = "Restart an app's services (or one), health-gated.";
  static override description =
    'Stops the services in reverse start order, then starts them level by level along dependsOn, each ready before the next level.';

  protected readonly action = 'restart' as const;
}
