import { z } from 'zod';
import semver from 'semver';
import { TIME_ZONE_NAMES, TIME_ZONES } from '../calendar.js';
import { rememberByText } from '../memo.js';

/** Kemendagri region code: `PP.KK` (province.regency), optionally `.DD` district and `.VVVV` village. */
export const REGION_CODE_PATTERN = /^\d{2}\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?$/;
export const regionCode = z
  .string()
  .regex(REGION_CODE_PATTERN, 'must be a Kemendagri region code such as "32.73" (PP.KK)');

/** A zone as a file may name it: WIB, WITA, WIT, or its IANA name (Asia/Makassar …). */
export const timeZoneName = z.enum(TIME_ZONE_NAMES);

/** A zone as ksad records it on a host. */
export const timeZone = z.enum(TIME_ZONES);

/** Lower-case slug used for member files, app names, service and volume names. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const slug = z
  .string()
  .regex(SLUG_PATTERN, 'must be lower-case letters, digits and dashes, e.g. "antrean-daring"');

/**
 * A version written exactly as semver prints it: no leading "v" or "=", no spaces, no build
 * metadata (which `semver.valid` drops). One parse: the parsed version must print back as given.
 */
export const semverString = z.string().refine((v) => semver.parse(v)?.version === v, {
  message: 'must be a semantic version such as "1.2.3" (no leading "v")',
});

/**
 * Whether `v` is a semver range, remembered per text: a catalog repeats the same few ranges in
 * thousands of manifests, and parsing a range is the dearest check of a manifest's schema.
 */
const isRange = rememberByText((v) => semver.validRange(v) !== null, 4096);

export const semverRange = z.string().refine(isRange, {
  message: 'must be a semver range such as ">=1.0.0 <2.0.0" or "^1.2"',
});

/** Calendar date `YYYY-MM-DD`; kept as a string so comparisons never depend on a time zone. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(isCalendarDate, { message: 'is not a real date (no such day in that month)' });

/**
 * Whether `YYYY-MM-DD` names a day of the Gregorian calendar: `Date.parse` takes 2028-02-30 and
 * rolls it over to 1 March, so the day is checked against its month (leap years included).
 */
export function isCalendarDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

export const sha256Hex = z.string().regex(/^[a-f0-9]{64}$/, 'must be 64 lower-case hex digits');

export const contact = z.strictObject({
  name: z.string().min(1),
  email: z.email().optional(),
  phone: z.string().optional(),
  role: z.string().optional(),
});
export type Contact = z.infer<typeof contact>;

export const SMART_CITY_DIMENSIONS = [
  'smart-governance',
  'smart-branding',
  'smart-economy',
  'smart-living',
  'smart-society',
  'smart-environment',
] as const;
export const dimension = z.enum(SMART_CITY_DIMENSIONS);
export type Dimension = z.infer<typeof dimension>;
