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
  /** Give the host to another region although apps run on it; the earlier profile is kept. */
  force?: boolean | undefined;
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
  const former = await formerRegions(ctx, existing, member.member.code, req.force === true);
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
    name:
      req.name ??
      (existing?.region.code === member.member.code ? existing.name : undefined) ??
      member.member.agency ??
      member.member.name,
    target: ctx.target.kind,
    policy: Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)),
    initializedAt: ctx.clock.now().toISOString(),
    initializedBy: `${ctx.operator.user}@${ctx.operator.hostname}`,
    ...(former.length > 0 ? { formerRegions: former } : {}),
  });
  await ctx.store.saveProfile(profile);
  return { profile, replaced: existing !== null };
}

type FormerRegion = NonNullable<HostProfile['formerRegions']>[number];

/**
 * The regions the host belonged to, with the one it leaves now when `code` is another region. A
 * host with deployed apps changes region only with `force`: its MoUs, releases and audits all
 * speak for the region that owns it.
 */
async function formerRegions(
  ctx: { store: ReleaseStore; clock: Clock; operator: Operator },
  existing: HostProfile | null,
  code: string,
  force: boolean,
): Promise<FormerRegion[]> {
  const kept = existing?.formerRegions ?? [];
  if (existing === null || existing.region.code === code) return kept;
  const records = await ctx.store.releases();
  const apps = [
    ...new Set(records.filter((r) => r.status === 'deployed').map((r) => r.app)),
  ].sort();
  if (apps.length > 0 && !force) {
    const { region } = existing;
    throw new KsadError(
      'USAGE',
      `this host belongs to ${region.name} (${region.code}), which runs ${apps.length} app(s) on it: ${apps.join(', ')}; it is not given to ${code} by accident`,
      {
        suggestions: [
          `to keep the host's region, run: ksad host init --region ${region.code}`,
          `to hand it over (the earlier profile stays in the host's record): ksad host init --region ${code} --force`,
        ],
      },
    );
  }
  return [
    ...kept,
    {
      region: existing.region,
      name: existing.name,
      initializedAt: existing.initializedAt,
      initializedBy: existing.initializedBy,
      replacedAt: ctx.clock.now().toISOString(),
      replacedBy: `${ctx.operator.user}@${ctx.operator.hostname}`,
      apps,
    },
  ];
}

/** `--time-zone` as ksad records it (WIB, WITA or WIT); checked before the host is touched. */
function checkTimeZone(text: string): TimeZone {
  const zone = parseTimeZone(text);
  if (zone !== undefined) return zone;
  throw new KsadError('USAGE', `--time-zone "${text}" is not one of Indonesia's time zones`, {
    suggestions: [`use one of: ${TIME_ZONE_NAMES.join(', ')}`],
  });
}
