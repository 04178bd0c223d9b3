import { DockerHostReleaseStore } from '../../src/targets/docker-host/release-store.js';
import { FakeEngine } from '../fakes/fake-engine.js';
import { releaseStoreContract } from './release-store.contract.js';

releaseStoreContract('DockerHostReleaseStore on FakeEngine', () =>
  Promise.resolve({
    store: new DockerHostReleaseStore(new FakeEngine()),
    cleanup: () => Promise.resolve(),
  }),
);
