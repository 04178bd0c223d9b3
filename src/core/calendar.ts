import { KsadError } from './errors.js';

/**
 * Indonesia's three time zones. None keeps daylight saving time, so each is a fixed offset from
 * UTC and the calendar date of an instant needs no time-zone database.
 */
export const TIME_ZONES = ['WIB', 'WITA', 'WIT'] as const;
export type TimeZone = (typeof TIME_ZONES)[number];

const OFFSET_MINUTES: Readonly<Record<TimeZone, number>> = {
  WIB: 7 * 60,
  WITA: 8 * 60,
  WIT: 9 * 60,
};

/** IANA names of the same zones, as `TZ` and `Intl` spell them. */
const IANA_ZONES = {
  'Asia/Jakarta': 'WIB',
  'Asia/Pontianak': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Jayapura': 'WIT',
} as const satisfies Record<string, TimeZone>;

/** Every spelling `host init --time-zone` and `catalog.yaml` accept for a zone. */
export const TIME_ZONE_NAMES = [
  ...TIME_ZONES,
  'Asia/Jakarta',
  'Asia/Pontianak',
  'Asia/Makassar',
  'Asia/Jayapura',
] as const satisfies readonly (TimeZone | keyof typeof IANA_ZONES)[];

/**
 * The zone of each province, by the first two digits of its Kemendagri code (the 38 provinces
 * since the 2022 Papua split, as listed by Kepmendagri and the `idn-area-data` set).
 */
const PROVINCE_ZONES: Readonly<Record<string, TimeZone>> = {
  // Sumatra: Aceh … Kepulauan Riau
  ...provinces('WIB', [11, 12, 13, 14, 15, 16, 17, 18, 19, 21]),
  // Jakarta, Jawa Barat, Jawa Tengah, Yogyakarta, Jawa Timur, Banten
  ...provinces('WIB', [31, 32, 33, 34, 35, 36]),
  // Kalimantan Barat, Kalimantan Tengah
  ...provinces('WIB', [61, 62]),
  // Bali, Nusa Tenggara Barat, Nusa Tenggara Timur
  ...provinces('WITA', [51, 52, 53]),
  // Kalimantan Selatan, Kalimantan Timur, Kalimantan Utara
  ...provinces('WITA', [63, 64, 65]),
  // Sulawesi Utara, Tengah, Selatan, Tenggara, Gorontalo, Sulawesi Barat
  ...provinces('WITA', [71, 72, 73, 74, 75, 76]),
  // Maluku, Maluku Utara
  ...provinces('WIT', [81, 82]),
  // Papua, Papua Barat, Papua Selatan, Papua Tengah, Papua Pegunungan, Papua Barat Daya
  ...provinces('WIT', [91, 92, 93, 94, 95, 96]),
};

function provinces(zone: TimeZone, codes: readonly number[]): Record<string, TimeZone> {
  return Object.fromEntries(codes.map((c) => [String(c), zone]));
}

/** The zone of a region (`PP.KK…`) by its province; undefined for a code no province has. */
export function regionTimeZone(regionCode: string): TimeZone | undefined {
  return PROVINCE_ZONES[regionCode.slice(0, 2)];
}

/** `WIB`, `wita`, `Asia/Jayapura` … as a zone; undefined for anything else. */
export function parseTimeZone(text: string): TimeZone | undefined {
  const upper = text.trim().toUpperCase();
  const abbreviation = TIME_ZONES.find((z) => z === upper);
  if (abbreviation !== undefined) return abbreviation;
  const iana = Object.entries(IANA_ZONES).find(([name]) => name.toUpperCase() === upper);
  return iana?.[1];
}

/** The zone a host goes by: the one its profile records, else its region's. */
export function hostTimeZone(host: {
  region: { code: string };
  timeZone?: TimeZone | undefined;
}): TimeZone | undefined {
  return host.timeZone ?? regionTimeZone(host.region.code);
}

/** The machine's own zone at an instant, as the system reports it. */
export interface LocalZone {
  /** e.g. `Asia/Makassar`, `UTC`. */
  name: string;
  /** Minutes east of UTC at that instant. */
  offsetMinutes: number;
}

export type CalendarSource = 'host' | 'region' | 'catalog' | 'machine';

/** The day a command judges MoUs on, and where its zone came from. */
export interface Calendar {
  /** `YYYY-MM-DD`. */
  date: string;
  /** `WIB`, `WITA`, `WIT`, or the machine's zone name. */
  zone: string;
  /** e.g. `+08:00`. */
  utcOffset: string;
  source: CalendarSource;
  /** The date was given (`audit --date`), not read from the clock in that zone. */
  fixed: boolean;
}

/** What a command knows to choose a zone by; see `calendarFor`. */
export interface CalendarClues {
  /** The host profile, for commands that talk to an engine. */
  host?: { region: { code: string }; timeZone?: TimeZone | undefined };
  /** `--region`, when the command has the flag and it was given. */
  region?: string | undefined;
  /** `timeZone` of the catalog's `catalog.yaml`, when it states one. */
  catalog?: string | undefined;
  /**
   * The machine's zone at the instant, the last resort; a function is asked only when no other
   * clue decides (the system's zone name costs a time-zone database lookup).
   */
  machine?: LocalZone | (() => LocalZone);
  /** A day fixed by the user (`audit --date`): it replaces the clock's date, the zone stays. */
  date?: string | undefined;
}

/**
 * The one rule for "today": an MoU runs by the calendar of the region that signed it, so the date
 * of `instant` is taken in the host's zone (recorded in its profile, else its province's); a
 * command without a host uses the zone of `--region`, else the catalog's, else the machine's.
 *
 * @throws KsadError('USAGE') when the host's zone is neither recorded nor known for its province.
 */
export function calendarFor(instant: Date, clues: CalendarClues): Calendar {
  const { zone, offsetMinutes, source } = pickZone(clues);
  return {
    date: clues.date ?? dateAtOffset(instant, offsetMinutes),
    zone,
    utcOffset: formatOffset(offsetMinutes),
    source,
    fixed: clues.date !== undefined,
  };
}

function pickZone(clues: CalendarClues): {
  zone: string;
  offsetMinutes: number;
  source: CalendarSource;
} {
  const fixed = (zone: TimeZone, source: CalendarSource): ReturnType<typeof pickZone> => ({
    zone,
    offsetMinutes: OFFSET_MINUTES[zone],
    source,
  });
  if (clues.host !== undefined) {
    const zone = hostTimeZone(clues.host);
    if (zone !== undefined) return fixed(zone, 'host');
    throw new KsadError(
      'USAGE',
      `the host profile records no time zone and province ${clues.host.region.code.slice(0, 2)} has none known`,
      {
        suggestions: [
          `record it: ksad host init --region ${clues.host.region.code} --time-zone WIB|WITA|WIT`,
        ],
      },
    );
  }
  const region = clues.region === undefined ? undefined : regionTimeZone(clues.region);
  if (region !== undefined) return fixed(region, 'region');
  const catalog = clues.catalog === undefined ? undefined : parseTimeZone(clues.catalog);
  if (catalog !== undefined) return fixed(catalog, 'catalog');
  if (clues.machine !== undefined) {
    const machine = typeof clues.machine === 'function' ? clues.machine() : clues.machine;
    return { zone: machine.name, offsetMinutes: machine.offsetMinutes, source: 'machine' };
  }
  // Every command gives a host or the machine's zone; reaching this is a bug in the caller.
  throw new Error('calendarFor: no host and no machine zone given');
}

/** The calendar date (`YYYY-MM-DD`) of `instant` at `offsetMinutes` east of UTC. */
export function dateAtOffset(instant: Date, offsetMinutes: number): string {
  return new Date(instant.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

function formatOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
