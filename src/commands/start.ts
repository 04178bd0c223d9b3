import { ServiceActionCommand } from '../ui/service-action-command.js';

export default class Start extends ServiceActionCommand {
  static override summary = "Start an app's stopped services (or one), health-gated.";
  static override description =
    'Starts the services level by level along dependsOn, each ready (healthy, or running without a health check) before the next level, and clears the record of their stop.';

  protected readonly action = 'start' as const;
}
