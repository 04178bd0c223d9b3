import { buildBusyboxImage, reachableEngine } from '../support/busybox-engine.js';
import { dockerEngineContract } from './docker-engine.contract.js';

const registry = process.env.KSAD_REGISTRY || '127.0.0.1:5151';
const image = `${registry}/ksad-test/busybox:contract`;

dockerEngineContract('DockerodeEngine on DOCKER_HOST', async () => {
  const engine = await reachableEngine();
  // Pushed, so that its reference names a registry the engine can reach.
  buildBusyboxImage(image, { push: true });
  return { engine, image, cleanup: () => Promise.resolve(engine.close()) };
});
