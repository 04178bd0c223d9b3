import { describe, expect, it } from 'vitest';
import {
  calendarFor,
  dateAtOffset,
  parseTimeZone,
  regionTimeZone,
  type TimeZone,
} from '../../../src/core/calendar.js';
import { isKsadError } from '../../../src/core/errors.js';
import { hostProfileSchema } from '../../../src/core/release.js';
import { catalogFileSchema } from '../../../src/core/schema/index.js';

describe('regionTimeZone', () => {
  // Every province of the 2022+ Kepmendagri list (38), by its code.
  const table: Array<[TimeZone, number[]]> = [
    ['WIB', [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 61, 62]],
    ['WITA', [51, 52, 53, 63, 64, 65, 71, 72, 73, 74, 75, 76]],
    ['WIT', [81, 82, 91, 92, 93, 94, 95, 96]],
  ];
  it.each(table)('%s: provinces %j', (zone, codes) => {
    for (const code of codes) expect(regionTimeZone(`${code}.01`), String(code)).toBe(zone);
  });

  it('covers all 38 provinces and nothing else', () => {
    expect(table.flatMap(([, codes]) => codes)).toHaveLength(38);
    for (const code of ['10', '20', '37', '50', '54', '60', '66', '77', '83', '90', '97', '99'])
      expect(regionTimeZone(`${code}.01`), code).toBeUndefined();
  });

  it('reads the province of finer codes too', () => {
    expect(regionTimeZone('52.04')).toBe('WITA');
    expect(regionTimeZone('33.07.01.2001')).toBe('WIB');
    expect(regionTimeZone('65.01')).toBe('WITA'); // Kalimantan Utara
    expect(regionTimeZone('94.01')).toBe('WIT'); // Papua Tengah
  });
});

describe('parseTimeZone', () => {
  it.each([
    ['WIB', 'WIB'],
    ['wita', 'WITA'],
    [' WIT ', 'WIT'],
    ['Asia/Jakarta', 'WIB'],
    ['Asia/Pontianak', 'WIB'],
    ['asia/makassar', 'WITA'],
    ['Asia/Jayapura', 'WIT'],
  ])('%j is %s', (text, zone) => {
    expect(parseTimeZone(text)).toBe(zone);
  });

  it.each(['UTC', 'Europe/Amsterdam', 'Asia/Singapore', '+08:00', ''])('%j is none', (text) => {
    expect(parseTimeZone(text)).toBeUndefined();
  });
});

describe('dateAtOffset', () => {
  it('turns the day at local midnight, not at UTC midnight', () => {
    // 23:30 and 00:30 local in WITA (UTC+8).
    expect(dateAtOffset(new Date('2026-06-30T15:30:00Z'), 480)).toBe('2026-06-30');
    expect(dateAtOffset(new Date('2026-06-30T16:30:00Z'), 480)).toBe('2026-07-01');
    // West of UTC as well.
    expect(dateAtOffset(new Date('2026-07-01T03:00:00Z'), -300)).toBe('2026-06-30');
  });
});

describe('calendarFor', () => {
  const at = new Date('2026-06-30T16:30:00Z'); // 23:30 WIB, 00:30 WITA, 01:30 WIT
  const machine = { name: 'Europe/Amsterdam', offsetMinutes: 120 };

  it('takes the host zone over everything else', () => {
    const host = { region: { code: '32.73' }, timeZone: 'WIT' as const };
    expect(calendarFor(at, { host, region: '35.22', catalog: 'WITA', machine })).toEqual({
      date: '2026-07-01',
      zone: 'WIT',
      utcOffset: '+09:00',
      source: 'host',
      fixed: false,
    });
  });

  it('derives the host zone from its province when the profile records none', () => {
    expect(calendarFor(at, { host: { region: { code: '32.73' } } })).toMatchObject({
      date: '2026-06-30',
      zone: 'WIB',
      source: 'host',
    });
  });

  it('without a host: --region, then the catalog, then the machine', () => {
    expect(calendarFor(at, { region: '52.04', catalog: 'WIB', machine })).toMatchObject({
      date: '2026-07-01',
      zone: 'WITA',
      source: 'region',
    });
    expect(calendarFor(at, { catalog: 'Asia/Jakarta', machine })).toMatchObject({
      date: '2026-06-30',
      zone: 'WIB',
      utcOffset: '+07:00',
      source: 'catalog',
    });
    expect(calendarFor(at, { machine })).toEqual({
      date: '2026-06-30',
      zone: 'Europe/Amsterdam',
      utcOffset: '+02:00',
      source: 'machine',
      fixed: false,
    });
    // A region code no province has says nothing about the zone.
    expect(calendarFor(at, { region: '99.01', machine })).toMatchObject({ source: 'machine' });
  });

  it('keeps a fixed date (audit --date) and says so', () => {
    const host = { region: { code: '52.04' } };
    expect(calendarFor(at, { host, date: '2027-01-15' })).toEqual({
      date: '2027-01-15',
      zone: 'WITA',
      utcOffset: '+08:00',
      source: 'host',
      fixed: true,
    });
  });

  it('refuses a host whose zone is neither recorded nor known, naming the fix', () => {
    let error: unknown;
    try {
      calendarFor(at, { host: { region: { code: '99.01' } } });
    } catch (e) {
      error = e;
    }
    expect(isKsadError(error) && error.code).toBe('USAGE');
    expect(isKsadError(error) && error.suggestions.join('\n')).toContain('--time-zone');
  });
});

describe('the host profile and catalog.yaml', () => {
  const profile = {
    region: { code: '52.04', name: 'Kabupaten Sumbawa' },
    name: 'host',
    policy: {},
    initializedAt: '2026-01-01T00:00:00.000Z',
    initializedBy: 'budi@host',
  };

  it('gives a profile written before zones were recorded its region’s zone', () => {
    expect(hostProfileSchema.parse(profile).timeZone).toBe('WITA');
    expect(hostProfileSchema.parse({ ...profile, timeZone: 'WIB' }).timeZone).toBe('WIB');
    expect(
      hostProfileSchema.parse({ ...profile, region: { code: '99.01', name: 'x' } }).timeZone,
    ).toBeUndefined();
    expect(hostProfileSchema.safeParse({ ...profile, timeZone: 'UTC' }).success).toBe(false);
  });

  it('lets catalog.yaml state a zone by abbreviation or IANA name', () => {
    const base = { schemaVersion: 1, id: 'c', title: 'C' };
    expect(catalogFileSchema.parse(base).timeZone).toBeUndefined();
    expect(catalogFileSchema.parse({ ...base, timeZone: 'Asia/Makassar' }).timeZone).toBe(
      'Asia/Makassar',
    );
    expect(catalogFileSchema.safeParse({ ...base, timeZone: 'UTC' }).success).toBe(false);
  });
});
