import { DockerHostReleaseStore } from '../../src/targets/docker-host/release-store.js';
import { reachableEngine } from '../support/busybox-engine.js';
import { releaseStoreContract } from './release-store.contract.js';

releaseStoreContract('DockerHostReleaseStore on DOCKER_HOST', async () => {
  const engine = await reachableEngine();
  const store = new DockerHostReleaseStore(engine);
  // The host's profile is shared by every test file: put it back afterwards.
  const before = await store.profile();
  return {
    store,
    cleanup: async () => {
      if (before) await store.saveProfile(before);
      engine.close();
    },
  };
});
