import { FakeEngine } from '../fakes/fake-engine.js';
import { fakeDigest } from '../support/catalog-fixture.js';
import { dockerHost } from '../support/host.js';
import { deployTargetContract, TARGET_FAILING_CHECK } from './deploy-target.contract.js';

const image = `127.0.0.1:5151/ksad-test/busybox@${fakeDigest('target-contract')}`;

deployTargetContract('DockerHostTarget on FakeEngine', () => {
  const engine = new FakeEngine({
    images: { [image]: { local: true } },
    failPull: [`127.0.0.1:5151/ksad-test/busybox@${fakeDigest('missing')}`],
    // The fake runs no processes: say what the contract's healthchecks would do.
    behaviour: (spec) => ({
      health:
        JSON.stringify(spec.healthcheck?.test) === JSON.stringify(TARGET_FAILING_CHECK)
          ? 'unhealthy'
          : 'healthy',
    }),
  });
  return Promise.resolve({
    target: dockerHost(engine).target,
    engine,
    image,
    missingImage: `127.0.0.1:5151/ksad-test/busybox@${fakeDigest('missing')}`,
    cleanup: () => Promise.resolve(),
  });
});
