import type { Catalog } from '../core/catalog-model.js';
import { parseTimeZone, regionTimeZone, TIME_ZONE_NAMES, type TimeZone } from '../core/calendar.js';
import { KsadError } from '../core/errors.js';
import { hostProfileSchema, type HostProfile } from '../core/release.js';
import { regionFlag } from '../core/regions.js';
import type { Clock } from '../ports/clock.js';
import type { DeployTarget } from '../ports/deploy-target.js';
import type { Operator } from '../ports/identity.js';
import type { ReleaseStore } from '../ports/release-store.js';

export interface HostInitRequest {
  region: string;
  name?: string | undefined;
  bindAddress?: string | undefined;
  historyLimit?: number | undefined;
  allowUnsigned?: boolean | undefined;
  /** WIB, WITA, WIT or their IANA names; default: kept, else the region's province's zone. */
  timeZone?: string | undefined;
}

/**
 * Records on the Docker host which KSAD member region owns it, and its policy. The region must be
 * a member of the catalog (a finer code such as 52.04.01 belongs to its regency 52.04).
 */
export async function initHost(
  ctx: {
    store: ReleaseStore;
    target: DeployTarget;
    catalog: Catalog;
    clock: Clock;
    operator: Operator;
  },
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
  const given = req.timeZone === undefined ? undefined : checkTimeZone(req.timeZone);
  await ctx.target.facts();
  const existing = await ctx.store.profile();
  // A zone set by hand survives a later init of the same region without --time-zone.
  const timeZone =
    given ?? (existing?.region.code === member.member.code ? existing.timeZone : undefined);
  if (timeZone === undefined && regionTimeZone(member.member.code) === undefined) {
    const code = member.member.code;
    throw new KsadError(
      'USAGE',
      `no time zone is known for province ${code.slice(0, 2)} (region ${code})`,
      {
        suggestions: [
          `name the region's zone: ksad host init --region ${code} --time-zone WIB|WITA|WIT`,
        ],
      },
    );
  }
  const policy = {
    // A swarm publishes host-mode ports on every address of its nodes: the profile says so.
    bindAddress:
      req.bindAddress ??
      existing?.policy.bindAddress ??
      (ctx.target.kind === 'swarm' ? '0.0.0.0' : undefined),
    historyLimit: req.historyLimit ?? existing?.policy.historyLimit,
    allowUnsigned: req.allowUnsigned ?? existing?.policy.allowUnsigned,
  };
  const profile = hostProfileSchema.parse({
    region: { code: member.member.code, name: member.member.name },
    ...(timeZone === undefined ? {} : { timeZone }),
    name: req.name ?? existing?.name ?? member.member.agency ?? member.member.name,
    target: ctx.target.kind,
    policy: Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)),
    initializedAt: ctx.clock.now().toISOString(),
    initializedBy: `${ctx.operator.user}@${ctx.operator.hostname}`,
  });
  await ctx.store.saveProfile(profile);
  return { profile, replaced: existing !== null };
}

/** `--time-zone` as ksad records it (WIB, WITA or WIT); checked before the host is touched. */
function checkTimeZone(text: string): TimeZone {
  const zone = parseTimeZone(text);
  if (zone !== undefined) return zone;
  throw new KsadError('USAGE', `--time-zone "${text}" is not one of Indonesia's time zones`, {
    suggestions: [`use one of: ${TIME_ZONE_NAMES.join(', ')}`],
  });
}
