import { ServiceActionCommand } from '../ui/service-action-command.js';

export default class Stop extends ServiceActionCommand {
  static override summary = "Stop an app's services (or one), recorded on the host.";
  static override description =
    'Stops the services in reverse start order and records on the running revision who stopped them and when, so status and audit tell a stop by an operator with ksad from one made outside ksad. ksad start brings them back.';

  protected readonly action = 'stop' as const;
}
