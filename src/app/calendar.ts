import { calendarFor, type Calendar, type CalendarClues } from '../core/calendar.js';
import type { Catalog } from '../core/catalog-model.js';
import type { Clock } from '../ports/clock.js';

const UTC = { name: 'UTC', offsetMinutes: 0 };

/** `calendarFor` the clock's instant, with the clock's own zone as the last resort. */
export function calendarOf(clock: Clock, clues: Omit<CalendarClues, 'machine'>): Calendar {
  const now = clock.now();
  return calendarFor(now, { ...clues, machine: () => clock.zone?.(now) ?? UTC });
}

/**
 * The calendar of a command that reads no host: the zone of `region` (its `--region`, when
 * given), else the zone `catalog.yaml` states, else the machine's.
 */
export function catalogCalendar(
  clock: Clock,
  catalog: Pick<Catalog, 'info'> | null,
  region?: string,
): Calendar {
  return calendarOf(clock, { region, catalog: catalog?.info?.timeZone });
}

/** A result that says which day it was judged on. */
export type Dated<T> = T & { calendar: Calendar };
