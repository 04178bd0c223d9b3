import semver from 'semver';
import { sortDiagnostics } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { checkLicense } from '../spdx.js';
import { diagnosticAt } from '../yaml-doc.js';
import type { YamlDoc, YamlPath } from '../yaml-doc.js';
import {
  PC_CATEGORIES,
  PC_DEVELOPMENT_STATUS,
  PC_MAINTENANCE_TYPES,
  PC_PLATFORMS,
  PC_SCOPES,
  PC_SOFTWARE_TYPES,
  SCOPE_TO_DIMENSION,
} from './vocabulary.js';

/** publiccode.yml language keys → manifest description languages. */
const LANG_IN: Record<string, 'id' | 'en'> = {
  id: 'id',
  ind: 'id',
  'id-ID': 'id',
  en: 'en',
  eng: 'en',
  'en-US': 'en',
  'en-GB': 'en',
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function slugify(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

export interface PubliccodeImport {
  /** The manifest's descriptive fields; services, config and secrets are the publisher's to add. */
  manifest: Record<string, unknown>;
  /** Every field that breaks the standard (errors) or does not map (warnings), at its place. */
  diagnostics: Diagnostic[];
}

/** Reads fields by the standard's types, reporting each one that is missing or of another type. */
class Reader {
  readonly diagnostics: Diagnostic[];
  constructor(private readonly yaml: YamlDoc) {
    this.diagnostics = [...yaml.diagnostics];
  }
  report(
    path: YamlPath,
    severity: Diagnostic['severity'],
    rule: string,
    message: string,
    at: 'key' | 'value' = 'key',
  ): void {
    this.diagnostics.push(diagnosticAt(this.yaml, path, severity, rule, message, { at }));
  }
  warn(path: YamlPath, message: string, rule = 'publiccode-unmapped'): void {
    this.report(path, 'warning', rule, message);
  }
  error(path: YamlPath, message: string): void {
    this.report(path, 'error', 'publiccode', message);
  }
  /** A string field; `required` reports it missing at its parent. */
  string(
    obj: Record<string, unknown>,
    path: YamlPath,
    required: 'error' | 'warning' | false,
  ): string | undefined {
    const key = path.at(-1) as string;
    const v = obj[key];
    if (v === undefined || v === null || v === '') {
      if (required !== false)
        this.report(
          path.length > 1 ? path.slice(0, -1) : [],
          required,
          'publiccode',
          `${path.join('.')} is missing; the standard requires it`,
        );
      return undefined;
    }
    if (typeof v === 'number' && key === 'softwareVersion') return String(v);
    if (typeof v !== 'string') {
      this.report(path, 'error', 'publiccode', `must be a string, not ${typeName(v)}`, 'value');
      return undefined;
    }
    return v;
  }
  /** A list of strings; each other item, or a non-list, is an error. */
  list(obj: Record<string, unknown>, path: YamlPath): string[] | undefined {
    const v = obj[path.at(-1) as string];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.report(path, 'error', 'publiccode', `must be a list, not ${typeName(v)}`, 'value');
      return undefined;
    }
    const out: string[] = [];
    v.forEach((item, i) => {
      if (typeof item === 'string' && item !== '') out.push(item);
      else
        this.report(
          [...path, i],
          'error',
          'publiccode',
          `must be a string, not ${typeName(item)}`,
          'value',
        );
    });
    return out;
  }
  /** Each value of a list that is not in the standard's vocabulary. */
  vocabulary(values: readonly string[], path: YamlPath, allowed: ReadonlySet<string>): void {
    values.forEach((v, i) => {
      if (!allowed.has(v))
        this.report(
          [...path, i],
          'warning',
          'publiccode-vocabulary',
          `"${v}" is not one of the standard's values for ${path.join('.')}`,
          'value',
        );
    });
  }
}

function typeName(v: unknown): string {
  return Array.isArray(v) ? 'a list' : v === null ? 'null' : isRecord(v) ? 'a map' : typeof v;
}

/**
 * Pure: publiccode.yml (0.4) → the descriptive part of a manifest. Required fields that are
 * missing and values of the wrong type are errors at their place (never an invented value); values
 * outside the standard's lists and fields with no manifest counterpart are warnings.
 */
export function manifestFromPubliccode(
  yaml: YamlDoc,
  opts: { publisher: string; version?: string | undefined; name?: string | undefined },
): PubliccodeImport {
  const r = new Reader(yaml);
  const pc = yaml.value;
  if (!isRecord(pc)) {
    r.report([], 'error', 'publiccode', 'a publiccode.yml is a map of fields');
    return { manifest: {}, diagnostics: r.diagnostics };
  }
  const manifest: Record<string, unknown> = { schemaVersion: 1 };
  readVersionHeader(r, pc);
  const title = r.string(pc, ['name'], 'error');
  const name = opts.name ?? (title === undefined ? undefined : slugify(title));
  if (name !== undefined && name !== '') manifest.name = name;
  else if (title !== undefined)
    r.report(['name'], 'error', 'publiccode', `"${title}" gives no app slug: pass --name`, 'value');
  const version = readVersion(r, pc, opts.version);
  if (version !== undefined) manifest.version = version;
  manifest.publisher = opts.publisher;

  const { description, localisedTitle } = readDescription(r, pc);
  const shownTitle = localisedTitle ?? title;
  if (shownTitle !== undefined) manifest.title = shownTitle;
  manifest.description = description;

  readAudience(r, pc, manifest);
  const categories = r.list(pc, ['categories']);
  if (categories !== undefined) {
    r.vocabulary(categories, ['categories'], PC_CATEGORIES);
    const slugs = categories.map(slugify).filter((c) => c !== '');
    if (slugs.length > 0) manifest.categories = slugs;
  }
  for (const [key, allowed] of [
    ['developmentStatus', PC_DEVELOPMENT_STATUS],
    ['softwareType', PC_SOFTWARE_TYPES],
  ] as const) {
    const v = r.string(pc, [key], 'warning');
    if (v !== undefined && !allowed.has(v))
      r.report(
        [key],
        'error',
        'publiccode',
        `"${v}" is not one of ${[...allowed].join(', ')}`,
        'value',
      );
  }
  const platforms = r.list(pc, ['platforms']);
  if (platforms === undefined)
    r.warn([], 'platforms is missing; the standard requires it', 'publiccode');
  else r.vocabulary(platforms, ['platforms'], PC_PLATFORMS);

  readLegal(r, pc, manifest);
  const url = r.string(pc, ['url'], 'error');
  if (url !== undefined) manifest.url = url;
  const releaseDate = r.string(pc, ['releaseDate'], version !== undefined ? 'warning' : false);
  if (releaseDate !== undefined) {
    if (DATE.test(releaseDate)) manifest.releaseDate = releaseDate;
    else r.report(['releaseDate'], 'error', 'publiccode', 'must be a date YYYY-MM-DD', 'value');
  }
  readMaintenance(r, pc, manifest);
  for (const key of ['categories', 'localisation'])
    if (pc[key] === undefined)
      r.warn([], `${key} is missing; the standard requires it`, 'publiccode');
  reportUnmapped(r, pc);
  return { manifest, diagnostics: sortDiagnostics(r.diagnostics) };
}

function readVersionHeader(r: Reader, pc: Record<string, unknown>): void {
  const v = pc.publiccodeYmlVersion;
  const pcVersion =
    typeof v === 'number' ? String(v) : r.string(pc, ['publiccodeYmlVersion'], false);
  if (pcVersion === undefined)
    r.warn(['publiccodeYmlVersion'], 'is missing; read as 0.4', 'publiccode-version');
  else if (!/^0\.4(?:\.\d+)?$/.test(pcVersion))
    r.warn(
      ['publiccodeYmlVersion'],
      `version ${pcVersion} is read as 0.4; fields it does not share may be reported as unmapped`,
      'publiccode-version',
    );
}

function readVersion(
  r: Reader,
  pc: Record<string, unknown>,
  given: string | undefined,
): string | undefined {
  if (given !== undefined) return given;
  const sv = r.string(pc, ['softwareVersion'], false);
  if (sv === undefined) {
    r.warn(
      [],
      'there is no softwareVersion: the draft has no version; pass --version',
      'publiccode-missing',
    );
    return undefined;
  }
  const exact = semver.valid(sv.replace(/^v/, ''));
  const cleaned = semver.valid(semver.coerce(sv, { includePrerelease: true }) ?? '') ?? undefined;
  if (exact !== sv)
    r.warn(
      ['softwareVersion'],
      `"${sv}" is not a semantic version; read as ${exact ?? cleaned ?? '(none): pass --version'}`,
      'publiccode-changed',
    );
  return exact ?? cleaned;
}

function readDescription(
  r: Reader,
  pc: Record<string, unknown>,
): { description: Record<string, Record<string, unknown>>; localisedTitle: string | undefined } {
  const description: Record<string, Record<string, unknown>> = {};
  let localisedTitle: string | undefined;
  if (!isRecord(pc.description)) {
    if (pc.description === undefined)
      r.error([], 'description is missing; the standard requires it');
    else r.report(['description'], 'error', 'publiccode', 'must be a map of languages', 'value');
    return { description, localisedTitle };
  }
  for (const [lang, d] of Object.entries(pc.description)) {
    const target = LANG_IN[lang];
    if (!isRecord(d)) {
      r.report(['description', lang], 'error', 'publiccode', 'must be a map', 'value');
      continue;
    }
    const at = (k: string): YamlPath => ['description', lang, k];
    const short = r.string(d, at('shortDescription'), 'error');
    if (short !== undefined && short.length > 150)
      r.report(
        at('shortDescription'),
        'error',
        'publiccode',
        "is longer than 150 characters, the standard's limit",
        'value',
      );
    const long = r.string(d, at('longDescription'), 'warning');
    if (long !== undefined && long.trim().length < 150)
      r.report(
        at('longDescription'),
        'warning',
        'publiccode',
        'is shorter than the 150 characters the standard asks for',
        'value',
      );
    const features = r.list(d, at('features'));
    const localisedName = r.string(d, at('localisedName'), false);
    if (target === undefined) {
      r.warn(
        ['description', lang],
        `language "${lang}" has no place in a manifest (id and en only)`,
      );
      continue;
    }
    const entry: Record<string, unknown> = {};
    if (short !== undefined)
      entry.shortDescription = short.length > 150 ? `${short.slice(0, 149)}…` : short;
    if (long !== undefined) entry.longDescription = long.trim();
    if (features !== undefined && features.length > 0) entry.features = features;
    if (target === 'id') localisedTitle = localisedName;
    else if (localisedName !== undefined)
      r.warn(at('localisedName'), 'only the Bahasa Indonesia localisedName becomes the title');
    for (const k of Object.keys(d))
      if (
        ![
          'shortDescription',
          'longDescription',
          'features',
          'localisedName',
          'genericName',
          'documentation',
          'apiDocumentation',
          'screenshots',
          'videos',
          'awards',
        ].includes(k)
      )
        r.warn(at(k), `description.${k} is not a field of the standard`);
      else if (!['shortDescription', 'longDescription', 'features', 'localisedName'].includes(k))
        r.warn(at(k), `description.${k} has no place in a manifest`);
    description[target] = entry;
  }
  if (Object.keys(description).length > 0 && description.id === undefined)
    r.warn(
      ['description'],
      'there is no Bahasa Indonesia (id) description, which a manifest needs',
      'publiccode-missing',
    );
  return { description, localisedTitle };
}

function readAudience(
  r: Reader,
  pc: Record<string, unknown>,
  manifest: Record<string, unknown>,
): void {
  if (pc.intendedAudience === undefined) return;
  if (!isRecord(pc.intendedAudience)) {
    r.report(['intendedAudience'], 'error', 'publiccode', 'must be a map', 'value');
    return;
  }
  const scopes = r.list(pc.intendedAudience, ['intendedAudience', 'scope']) ?? [];
  r.vocabulary(scopes, ['intendedAudience', 'scope'], PC_SCOPES);
  const dimensions = [
    ...new Set(
      scopes.map((s) => SCOPE_TO_DIMENSION[s]).filter((d): d is string => d !== undefined),
    ),
  ];
  if (dimensions.length > 0) {
    manifest.dimensions = dimensions;
    r.warn(
      ['intendedAudience', 'scope'],
      `dimensions were inferred from the scope: ${dimensions.join(', ')}; check them`,
      'publiccode-changed',
    );
  }
  for (const k of Object.keys(pc.intendedAudience))
    if (k !== 'scope')
      r.warn(['intendedAudience', k], `intendedAudience.${k} has no place in a manifest`);
}

function readLegal(
  r: Reader,
  pc: Record<string, unknown>,
  manifest: Record<string, unknown>,
): void {
  if (!isRecord(pc.legal)) {
    if (pc.legal === undefined) r.error([], 'legal.license is missing; the standard requires it');
    else r.report(['legal'], 'error', 'publiccode', 'must be a map', 'value');
    return;
  }
  const license = r.string(pc.legal, ['legal', 'license'], 'error');
  if (license !== undefined) {
    const problem = checkLicense(license);
    if (problem !== undefined)
      r.report(['legal', 'license'], problem.severity, 'license-spdx', problem.message, 'value');
    if (problem?.severity !== 'error') manifest.license = license;
  }
  for (const k of Object.keys(pc.legal))
    if (k !== 'license') r.warn(['legal', k], `legal.${k} has no place in a manifest`);
}

function readContact(
  r: Reader,
  c: unknown,
  path: YamlPath,
  role?: string,
): Record<string, string> | undefined {
  if (!isRecord(c)) {
    r.report(path, 'error', 'publiccode', 'must be a map with a name', 'value');
    return undefined;
  }
  const name = r.string(c, [...path, 'name'], 'error');
  const email = r.string(c, [...path, 'email'], false);
  if (email !== undefined && !EMAIL.test(email))
    r.report(
      [...path, 'email'],
      'error',
      'publiccode',
      `"${email}" is not an email address`,
      'value',
    );
  if (name === undefined) return undefined;
  const out: Record<string, string> = { name };
  if (email !== undefined && EMAIL.test(email)) out.email = email;
  const phone = r.string(c, [...path, 'phone'], false);
  if (phone !== undefined) out.phone = phone;
  const affiliation = r.string(c, [...path, 'affiliation'], false);
  if (affiliation !== undefined) out.role = affiliation;
  else if (role !== undefined) out.role = role;
  for (const k of Object.keys(c))
    if (!['name', 'email', 'phone', 'affiliation', 'website', 'until'].includes(k))
      r.warn([...path, k], `contact ${k} has no place in a manifest`);
  return out;
}

function readMaintenance(
  r: Reader,
  pc: Record<string, unknown>,
  manifest: Record<string, unknown>,
): void {
  if (!isRecord(pc.maintenance)) {
    if (pc.maintenance === undefined)
      r.error([], 'maintenance.type is missing; the standard requires it');
    else r.report(['maintenance'], 'error', 'publiccode', 'must be a map', 'value');
    return;
  }
  const m = pc.maintenance;
  const type = r.string(m, ['maintenance', 'type'], 'error');
  if (type !== undefined && !PC_MAINTENANCE_TYPES.has(type))
    r.report(
      ['maintenance', 'type'],
      'error',
      'publiccode',
      `"${type}" is not one of internal, contract, community, none`,
      'value',
    );
  const read = (key: string, role?: string): Array<Record<string, string>> =>
    listOf(r, m, ['maintenance', key]).flatMap((c, i) => {
      const contact = readContact(r, c, ['maintenance', key, i], role);
      return contact === undefined ? [] : [contact];
    });
  const contacts = read('contacts');
  const contractors = read('contractors', 'contractor');
  // Entries present but invalid are reported where they stand, not again as missing.
  const given = (key: string): number => (Array.isArray(m[key]) ? m[key].length : 0);
  if ((type === 'internal' || type === 'community') && given('contacts') === 0)
    r.error(
      ['maintenance'],
      `maintenance type ${type} needs contacts (the standard requires at least one)`,
    );
  if (type === 'contract' && given('contractors') === 0)
    r.error(
      ['maintenance'],
      'maintenance type contract needs contractors (the standard requires at least one)',
    );
  if (type !== undefined && PC_MAINTENANCE_TYPES.has(type)) {
    const all = [...contacts, ...contractors];
    manifest.maintenance = { type, ...(all.length > 0 ? { contacts: all } : {}) };
  }
  for (const k of Object.keys(m))
    if (!['type', 'contacts', 'contractors'].includes(k))
      r.warn(['maintenance', k], `maintenance.${k} has no place in a manifest`);
}

function listOf(r: Reader, obj: Record<string, unknown>, path: YamlPath): unknown[] {
  const v = obj[path.at(-1) as string];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  r.report(path, 'error', 'publiccode', `must be a list, not ${typeName(v)}`, 'value');
  return [];
}

const UNMAPPED: Record<string, string> = {
  landingURL: 'a manifest has one url (the source repository)',
  roadmap: 'a manifest has no roadmap',
  isBasedOn: 'a manifest does not record what the software is based on',
  logo: 'a manifest has no logo',
  monochromeLogo: 'a manifest has no logo',
  platforms: 'every ksad app runs as containers on a Docker host',
  developmentStatus: 'a manifest says how stable a version is by its semver (pre-release or not)',
  softwareType: 'every ksad app is a set of containers',
  usedBy: 'which regions use an app is recorded by MoUs and deployments',
  fundedBy: 'a manifest does not record funding',
  localisation: 'a manifest does not record localisation; its descriptions are in id (and en)',
  dependsOn: 'a manifest lists the containers it runs under services, not software dependencies',
  inputTypes: 'a manifest does not record input types',
  outputTypes: 'a manifest does not record output types',
};

const MAPPED = [
  'publiccodeYmlVersion',
  'name',
  'softwareVersion',
  'description',
  'intendedAudience',
  'categories',
  'legal',
  'url',
  'releaseDate',
  'maintenance',
];

function reportUnmapped(r: Reader, pc: Record<string, unknown>): void {
  for (const k of Object.keys(pc)) {
    if (MAPPED.includes(k)) continue;
    r.warn([k], `${k} does not map: ${UNMAPPED[k] ?? 'a manifest has no such field'}`);
  }
}
