/**
 * The swarm the Swarm tests use: the engine on DOCKER_HOST, which `scripts/engine.sh start` makes
 * a single-node swarm. Never a skip: an engine that is no swarm manager fails the tests, saying how
 * to get one.
 */
import { DockerodeSwarm } from '../../src/adapters/dockerode-swarm.js';
import type { DockerodeEngine } from '../../src/adapters/dockerode-engine.js';
import { Label } from '../../src/core/labels.js';
import { reachableEngine } from './busybox-engine.js';

export async function reachableSwarm(): Promise<{
  engine: DockerodeEngine;
  swarm: DockerodeSwarm;
}> {
  const engine = await reachableEngine();
  const swarm = new DockerodeSwarm(engine);
  const membership = await swarm.membership();
  if (membership.state !== 'active' || !membership.manager) {
    engine.close();
    throw new Error(
      `the Swarm tests need the engine at ${engine.endpoint} to be a swarm manager (it is ${membership.state}); ` +
        '`bash scripts/engine.sh start` makes it one (docker swarm init --advertise-addr 127.0.0.1)',
    );
  }
  return { engine, swarm };
}

/** Removes every swarm service, secret and config ksad made for `app`, and waits for its tasks to stop. */
export async function removeSwarmApp(
  engine: DockerodeEngine,
  swarm: DockerodeSwarm,
  app: string,
): Promise<void> {
  const mine = { [Label.app]: app };
  for (const s of await swarm.listServices(mine)) await swarm.removeService(s.id);
  for (let i = 0; i < 120; i++) {
    if ((await engine.listContainers({ [Label.stackNamespace]: app })).length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  for (const s of await swarm.listSecrets(mine)) await swarm.removeSecret(s.name);
  for (const c of await swarm.listConfigs(mine)) await swarm.removeConfig(c.name);
}
