import type { DeployTarget } from '../../src/ports/deploy-target.js';
import type { Clock } from '../../src/ports/clock.js';
import type { DockerEngine } from '../../src/ports/docker-engine.js';
import type { ReleaseStore } from '../../src/ports/release-store.js';
import { DockerHostReleaseStore } from '../../src/targets/docker-host/release-store.js';
import { DockerHostTarget } from '../../src/targets/docker-host/target.js';
import { RegistryImageSource } from '../../src/targets/images/registry-source.js';

/** A Docker host's release store and deploy target over `engine` (a fake or a real one). */
export function dockerHost(
  engine: DockerEngine,
  clock: Clock = { now: () => new Date() },
): { store: ReleaseStore; target: DeployTarget } {
  return {
    store: new DockerHostReleaseStore(engine),
    target: new DockerHostTarget(engine, new RegistryImageSource(engine), clock),
  };
}
