import * as os from 'node:os';
import type { Clock } from '../ports/clock.js';
import type { Operator, ProcessProbe } from '../ports/identity.js';

/** The system's clock, in the machine's own time zone (`TZ`, else the system's setting). */
export const systemClock: Clock = {
  now: () => new Date(),
  zone: (at) => ({
    name: Intl.DateTimeFormat().resolvedOptions().timeZone || 'local',
    // getTimezoneOffset counts minutes west of UTC; 0 - keeps UTC from printing as -0.
    offsetMinutes: 0 - at.getTimezoneOffset(),
  }),
};

/** The operator as the OS knows them; KSAD_OPERATOR names a person when accounts are shared. */
export function currentOperator(env: NodeJS.ProcessEnv): Operator {
  let user = env.KSAD_OPERATOR ?? env.USER ?? '';
  if (user === '') {
    try {
      user = os.userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return { user, hostname: os.hostname(), pid: process.pid };
}

export const processProbe: ProcessProbe = {
  isAlive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: the process exists but belongs to someone else.
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};
