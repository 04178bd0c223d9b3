import { createHash } from 'node:crypto';
import type { DesiredService } from './service-specs.js';

/** One hash for a whole release: it changes when any service's config hash does. */
export function overallHash(
  services: readonly Pick<DesiredService, 'service' | 'configHash'>[],
): string {
  const h = createHash('sha256');
  for (const s of [...services].sort((a, b) => a.service.localeCompare(b.service))) {
    h.update(`${s.service}=${s.configHash}\n`);
  }
  return `sha256:${h.digest('hex')}`;
}
