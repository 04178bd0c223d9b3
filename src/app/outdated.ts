import type { Calendar } from '../core/calendar.js';
import type { Catalog } from '../core/catalog-model.js';
import { outdatedEntry, type OutdatedEntry } from '../core/outdated.js';
import type { Clock } from '../ports/clock.js';
import type { ReleaseStore } from '../ports/release-store.js';
import { calendarOf } from './calendar.js';

export interface OutdatedReport {
  region: { code: string; name: string };
  catalog: string;
  /** The date MoUs were checked on (YYYY-MM-DD), in the host's zone. */
  checkedOn: string;
  /** That date, the host's zone and where the zone came from. */
  calendar: Calendar;
  apps: OutdatedEntry[];
}

/**
 * For every app deployed on the host: the newest catalog version its region is still granted by an
 * active MoU, and how big a step it is.
 */
export async function outdatedApps(ctx: {
  store: ReleaseStore;
  catalog: Catalog;
  clock: Clock;
}): Promise<OutdatedReport> {
  const [profile, records] = await Promise.all([ctx.store.requireProfile(), ctx.store.releases()]);
  const running = new Map<string, (typeof records)[number]>();
  for (const r of records) if (r.status === 'deployed') running.set(r.app, r);
  const calendar = calendarOf(ctx.clock, { host: profile });
  const day = calendar.date;
  return {
    region: profile.region,
    catalog: ctx.catalog.name,
    checkedOn: day,
    calendar,
    apps: [...running.values()]
      .sort((a, b) => a.app.localeCompare(b.app))
      .map((r) => outdatedEntry(ctx.catalog, r, profile.region.code, day)),
  };
}
