import type { Catalog } from '../core/catalog-model.js';
import { KsadError } from '../core/errors.js';
import { hostProfileSchema, type HostProfile } from '../core/release.js';
import { regionFlag } from '../core/regions.js';
import type { Clock } from '../ports/clock.js';
import type { DockerEngine } from '../ports/docker-engine.js';
import type { Operator } from '../ports/identity.js';
import { HostState } from './host-state.js';

export interface HostInitRequest {
  region: string;
  name?: string | undefined;
  bindAddress?: string | undefined;
  historyLimit?: number | undefined;
  allowUnsigned?: boolean | undefined;
}

/**
 * Records on the Docker host which KSAD member region owns it, and its policy. The region must be
 * a member of the catalog (a finer code such as 52.04.01 belongs to its regency 52.04).
 */
export async function initHost(
  ctx: { engine: DockerEngine; catalog: Catalog; clock: Clock; operator: Operator },
  req: HostInitRequest,
): Promise<{ profile: HostProfile; replaced: boolean }> {
  const code = regionFlag(req.region);
  const regency = code.split('.').slice(0, 2).join('.');
  const member = ctx.catalog.members.find(
    (m) => m.member.code === code || m.member.code === regency,
  );
  if (!member) {
    throw new KsadError(
      'NOT_FOUND',
      `region ${code} is not a member of the catalog "${ctx.catalog.name}"`,
      {
        details: ctx.catalog.members.map((m) => `${m.member.code}  ${m.member.name}`),
        suggestions: [
          'pick one of the member regions above, or ask the catalog maintainers to add yours',
        ],
      },
    );
  }
  const state = new HostState(ctx.engine);
  await ctx.engine.info();
  const existing = await state.profile();
  const policy = {
    bindAddress: req.bindAddress ?? existing?.policy.bindAddress,
    historyLimit: req.historyLimit ?? existing?.policy.historyLimit,
    allowUnsigned: req.allowUnsigned ?? existing?.policy.allowUnsigned,
  };
  const profile = hostProfileSchema.parse({
    region: { code: member.member.code, name: member.member.name },
    name: req.name ?? existing?.name ?? member.member.agency ?? member.member.name,
    policy: Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)),
    initializedAt: ctx.clock.now().toISOString(),
    initializedBy: `${ctx.operator.user}@${ctx.operator.hostname}`,
  });
  await state.saveProfile(profile);
  return { profile, replaced: existing !== null };
}
