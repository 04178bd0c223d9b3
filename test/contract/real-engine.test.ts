import { buildBusyboxImage, reachableEngine } from '../support/busybox-engine.js';
import { DockerodeEngine } from '../../src/adapters/dockerode-engine.js';
import { startEngineProxy } from '../support/engine-proxy.js';
import { dockerEngineContract, dockerEngineLossContract } from './docker-engine.contract.js';

const registry = process.env.KSAD_REGISTRY || '127.0.0.1:5151';
const image = `${registry}/ksad-test/busybox:contract`;

dockerEngineContract('DockerodeEngine on DOCKER_HOST', async () => {
  const engine = await reachableEngine();
  // Pushed, so that its reference names a registry the engine can reach.
  buildBusyboxImage(image, { push: true });
  return { engine, image, cleanup: () => Promise.resolve(engine.close()) };
});

dockerEngineLossContract('DockerodeEngine behind a proxy that dies', async () => {
  const probe = await reachableEngine();
  const { endpoint } = probe;
  probe.close();
  if (!endpoint.startsWith('unix://'))
    throw new Error(`the engine proxy needs a unix:// engine, got ${endpoint}`);
  const proxy = await startEngineProxy({ upstream: endpoint });
  const engine = DockerodeEngine.fromEnvironment({ flag: proxy.dockerHost, env: {} });
  return {
    engine,
    stopAnswering: () => proxy.die(),
    cleanup: async () => {
      engine.close();
      await proxy.close();
    },
  };
});
