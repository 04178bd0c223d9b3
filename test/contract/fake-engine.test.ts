import { FakeEngine } from '../fakes/fake-engine.js';
import {
  CONTRACT_LOG_LINES,
  dockerEngineContract,
  dockerEngineLossContract,
  FAILING_HEALTHCHECK,
  FAILING_HEALTHCHECK_OUTPUT,
} from './docker-engine.contract.js';

const image = '127.0.0.1:5151/ksad-test/busybox:contract';

dockerEngineContract('FakeEngine', () =>
  Promise.resolve({
    engine: new FakeEngine({
      images: { [image]: { local: true } },
      // The fake runs no processes: say what the contract's commands and healthchecks would do.
      behaviour: (spec) => {
        const failing =
          JSON.stringify(spec.healthcheck?.test) === JSON.stringify(FAILING_HEALTHCHECK);
        return {
          health: failing ? 'unhealthy' : 'healthy',
          healthOutput: failing ? FAILING_HEALTHCHECK_OUTPUT : '',
          logs: spec.command?.join(' ').includes(CONTRACT_LOG_LINES[0])
            ? `${CONTRACT_LOG_LINES.join('\n')}\n`
            : '',
        };
      },
    }),
    image,
    cleanup: () => Promise.resolve(),
  }),
);

dockerEngineLossContract('FakeEngine', () => {
  const engine = new FakeEngine();
  return Promise.resolve({
    engine,
    stopAnswering: () => Promise.resolve(engine.stopAnswering()),
    cleanup: () => Promise.resolve(),
  });
});
