import { PROVINCES, REGENCIES, REGION_DATA_SOURCE } from './region-data.js';
import { KsadError } from './errors.js';
import { nearest } from './suggest.js';

export { REGION_DATA_SOURCE };

/** A province of the official Kemendagri list. */
export interface Province {
  /** `PP`, e.g. `52`. */
  code: string;
  name: string;
}

/** A regency (kabupaten) or city (kota) of the official Kemendagri list. */
export interface Regency {
  /** `PP.KK`, e.g. `52.04`. */
  code: string;
  /** The official name, e.g. `Kabupaten Sumbawa`, `Kota Administrasi Jakarta Pusat`. */
  name: string;
  kind: 'kabupaten' | 'kota';
  province: Province;
}

interface Tables {
  provinces: Map<string, Province>;
  regencies: Map<string, Regency>;
  /** Normalised name → regency. */
  byName: Map<string, Regency>;
}

let tables: Tables | undefined;

/** Parsed on first use, so commands that never look up a region do not pay for it. */
function load(): Tables {
  if (tables) return tables;
  const provinces = new Map<string, Province>();
  for (const entry of PROVINCES.split(';')) {
    const [code = '', name = ''] = entry.split('=');
    provinces.set(code, { code, name });
  }
  const regencies = new Map<string, Regency>();
  const byName = new Map<string, Regency>();
  for (const entry of REGENCIES.split(';')) {
    const [code = '', name = ''] = entry.split('=');
    const province = provinces.get(code.slice(0, 2)) ?? { code: code.slice(0, 2), name: '' };
    const regency: Regency = {
      code,
      name,
      kind: name.startsWith('Kota ') ? 'kota' : 'kabupaten',
      province,
    };
    regencies.set(code, regency);
    byName.set(normaliseName(name), regency);
  }
  tables = { provinces, regencies, byName };
  return tables;
}

/**
 * A region name compared loosely: letter case, spacing, dots and the common abbreviations
 * (`Kab.`, `Kab`) do not matter; `Kota` and `Kabupaten` do (Kota Bandung is not Kabupaten Bandung).
 */
export function normaliseName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\./g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^kab /, 'kabupaten ');
}

/** The regency or city of a code; a finer code (`52.04.01`, `52.04.01.2001`) gives its regency. */
export function officialRegion(code: string): Regency | undefined {
  return load().regencies.get(code.split('.').slice(0, 2).join('.'));
}

/** The province of a region code (`52.04` → Nusa Tenggara Barat), or of a province code `52`. */
export function provinceOf(code: string): Province | undefined {
  return load().provinces.get(code.slice(0, 2));
}

/** The regency or city with this official name (compared with `normaliseName`). */
export function regionByName(name: string): Regency | undefined {
  return load().byName.get(normaliseName(name));
}

/** Every regency and city, in code order. */
export function allRegions(): Regency[] {
  return [...load().regencies.values()];
}

const CODE_LIKE = /^\d{2}\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?$/;

/** The result of checking a region code or name against the official list. */
export type RegionLookup =
  | { ok: true; code: string; region: Regency }
  | { ok: false; message: string; suggestions: string[] };

/**
 * Reads what a user typed for a region: a code (`52.04`, or a finer one such as `52.04.01`, kept
 * as typed) or an official name (`Kabupaten Sumbawa`, `kab. sumbawa`). Anything else is not found,
 * with the nearest official names or the regencies of the province suggested.
 */
export function lookupRegion(input: string): RegionLookup {
  const text = input.trim();
  if (CODE_LIKE.test(text)) {
    const region = officialRegion(text);
    if (region) return { ok: true, code: text, region };
    return { ok: false, message: unknownCodeMessage(text), suggestions: codeSuggestions(text) };
  }
  const region = regionByName(text);
  if (region) return { ok: true, code: region.code, region };
  const bare = normaliseName(text);
  const prefixed = allRegions().filter(
    (r) =>
      normaliseName(r.name) === `kabupaten ${bare}` || normaliseName(r.name) === `kota ${bare}`,
  );
  // A bare "Sumbawa" or "Bandung" is not taken: Kota Bandung and Kabupaten Bandung are two regions.
  if (prefixed.length > 0) {
    return {
      ok: false,
      message: `"${text}" is not an official region name: write it with Kabupaten or Kota, or give the code`,
      suggestions: prefixed.map((r) => `${r.code} (${r.name})`),
    };
  }
  const near = nearest(
    normaliseName(text),
    allRegions().map((r) => normaliseName(r.name)),
  );
  const named = near === undefined ? undefined : regionByName(near);
  return {
    ok: false,
    message: `"${text}" is neither a Kemendagri region code (PP.KK) nor the official name of a regency or city`,
    suggestions: named
      ? [`did you mean ${named.code} (${named.name})?`]
      : ['write the code as PP.KK, e.g. 52.04, or the official name, e.g. "Kabupaten Sumbawa"'],
  };
}

function unknownCodeMessage(code: string): string {
  const regency = code.split('.').slice(0, 2).join('.');
  const province = provinceOf(code);
  return province
    ? `${regency} is not a regency or city of ${province.name} (${province.code}) in the official Kemendagri list`
    : `${code.slice(0, 2)} is not a province code in the official Kemendagri list`;
}

function codeSuggestions(code: string): string[] {
  const province = provinceOf(code);
  if (!province) return ['province codes run 11–96, e.g. 52 for Nusa Tenggara Barat'];
  const inProvince = allRegions().filter((r) => r.province.code === province.code);
  const near = nearest(
    code.split('.').slice(0, 2).join('.'),
    inProvince.map((r) => r.code),
  );
  const pick = inProvince.find((r) => r.code === near);
  return pick ? [`did you mean ${pick.code} (${pick.name})?`] : [];
}

/**
 * The region code a `--region` flag means: a code in the official list (as typed, so a finer code
 * stays finer) or the code of an official name.
 *
 * @throws KsadError('USAGE') naming what was typed, with the nearest official region suggested.
 */
export function regionFlag(input: string, flag = '--region'): string {
  const found = lookupRegion(input);
  if (found.ok) return found.code;
  throw new KsadError('USAGE', `${flag} "${input}": ${found.message}`, {
    suggestions: found.suggestions,
  });
}
