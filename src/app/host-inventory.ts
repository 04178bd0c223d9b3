import type { HostInventory } from './bundle-create.js';
import type { Clock } from '../ports/clock.js';
import type { DockerEngine } from '../ports/docker-engine.js';
import type { ReleaseStore } from '../ports/release-store.js';

/** What a host already has (images and their layers' diff ids), and whose host it is. */
export async function hostInventory(
  engine: DockerEngine,
  store: ReleaseStore,
  clock: Clock,
): Promise<HostInventory> {
  const [info, images, profile] = await Promise.all([
    engine.info(),
    engine.listImages(),
    store.profile(),
  ]);
  return {
    format: 'ksad-host-inventory-v1',
    createdAt: clock.now().toISOString(),
    host: { endpoint: info.endpoint, region: profile ? { ...profile.region } : null },
    images: images
      .filter((i) => (i.layers ?? []).length > 0)
      .map((i) => ({ id: i.id, repoDigests: [...i.repoDigests].sort(), layers: i.layers ?? [] }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}
