import semver from 'semver';
import { sortDiagnostics } from './diagnostics.js';
import type { Diagnostic } from './diagnostics.js';
import type { Manifest } from './schema/index.js';
import { diagnosticAt } from './yaml-doc.js';
import type { YamlDoc, YamlPath } from './yaml-doc.js';

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

/** intendedAudience.scope values (publiccode 0.4) that say which Smart City dimension an app serves. */
const SCOPE_TO_DIMENSION: Record<string, string> = {
  government: 'smart-governance',
  'local-authorities': 'smart-governance',
  justice: 'smart-governance',
  society: 'smart-society',
  welfare: 'smart-society',
  healthcare: 'smart-society',
  education: 'smart-society',
  'emergency-services': 'smart-living',
  transportation: 'smart-living',
  infrastructures: 'smart-living',
  security: 'smart-living',
  environment: 'smart-environment',
  energy: 'smart-environment',
  agriculture: 'smart-economy',
  'finance-and-economic-development': 'smart-economy',
  employment: 'smart-economy',
  manufacturing: 'smart-economy',
  tourism: 'smart-branding',
  culture: 'smart-branding',
};
const DIMENSION_TO_SCOPE: Record<string, string> = {
  'smart-governance': 'government',
  'smart-society': 'society',
  'smart-living': 'infrastructures',
  'smart-environment': 'environment',
  'smart-economy': 'finance-and-economic-development',
  'smart-branding': 'tourism',
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(str).filter((s): s is string => s !== undefined) : [];
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
  /** Every publiccode.yml field that does not map, at its line and column. */
  diagnostics: Diagnostic[];
}

/**
 * Pure: publiccode.yml (0.4) → the descriptive part of a manifest. Fields with no manifest
 * counterpart are reported as warnings where they stand, never dropped silently.
 */
export function manifestFromPubliccode(
  yaml: YamlDoc,
  opts: { publisher: string; version?: string | undefined; name?: string | undefined },
): PubliccodeImport {
  const diagnostics: Diagnostic[] = [...yaml.diagnostics];
  const warn = (path: YamlPath, message: string, rule = 'publiccode-unmapped'): void => {
    diagnostics.push(diagnosticAt(yaml, path, 'warning', rule, message, { at: 'key' }));
  };
  const pc = yaml.value;
  if (!isRecord(pc)) {
    diagnostics.push(
      diagnosticAt(yaml, [], 'error', 'publiccode', 'a publiccode.yml is a map of fields'),
    );
    return { manifest: {}, diagnostics };
  }
  const manifest: Record<string, unknown> = { schemaVersion: 1 };
  const pcVersion = str(pc.publiccodeYmlVersion);
  if (pcVersion === undefined)
    warn(['publiccodeYmlVersion'], 'is missing; read as 0.4', 'publiccode-version');
  else if (!/^0\.4(?:\.\d+)?$/.test(pcVersion))
    warn(
      ['publiccodeYmlVersion'],
      `version ${pcVersion} is read as 0.4; fields it does not share may be reported as unmapped`,
      'publiccode-version',
    );

  const title = str(pc.name);
  manifest.name = opts.name ?? slugify(title ?? '');
  let version = opts.version;
  const sv = str(pc.softwareVersion);
  if (version === undefined && sv !== undefined) {
    const cleaned = semver.valid(semver.coerce(sv, { includePrerelease: true }) ?? '') ?? undefined;
    const exact = semver.valid(sv.replace(/^v/, ''));
    version = exact ?? cleaned;
    if (exact !== sv)
      warn(
        ['softwareVersion'],
        `"${sv}" is not a semantic version; read as ${cleaned ?? '(none)'}`,
        'publiccode-changed',
      );
  }
  manifest.version = version ?? '0.1.0';
  manifest.publisher = opts.publisher;

  // description: each language → description.id / .en; localisedName of id (else name) → title.
  const description: Record<string, Record<string, unknown>> = {};
  let localisedTitle: string | undefined;
  if (isRecord(pc.description)) {
    for (const [lang, d] of Object.entries(pc.description)) {
      const target = LANG_IN[lang];
      if (target === undefined || !isRecord(d)) {
        warn(
          ['description', lang],
          `language "${lang}" has no place in a manifest (id and en only)`,
        );
        continue;
      }
      const entry: Record<string, unknown> = {};
      const short = str(d.shortDescription);
      if (short !== undefined)
        entry.shortDescription = short.length > 150 ? `${short.slice(0, 149)}…` : short;
      if (short !== undefined && short.length > 150)
        warn(
          ['description', lang, 'shortDescription'],
          'is longer than 150 characters; shortened',
          'publiccode-changed',
        );
      const long = str(d.longDescription);
      if (long !== undefined) entry.longDescription = long.trim();
      const features = strings(d.features);
      if (features.length > 0) entry.features = features;
      if (target === 'id') localisedTitle = str(d.localisedName);
      for (const k of Object.keys(d)) {
        if (!['shortDescription', 'longDescription', 'features', 'localisedName'].includes(k))
          warn(['description', lang, k], `description.${k} has no place in a manifest`);
        if (k === 'localisedName' && target !== 'id')
          warn(
            ['description', lang, k],
            'only the Bahasa Indonesia localisedName becomes the title',
          );
      }
      description[target] = entry;
    }
  }
  manifest.title = localisedTitle ?? title ?? manifest.name;
  manifest.description = description;

  // intendedAudience.scope → dimensions (a guess the publisher should confirm).
  const scopes = isRecord(pc.intendedAudience) ? strings(pc.intendedAudience.scope) : [];
  const dimensions = [
    ...new Set(
      scopes.map((s) => SCOPE_TO_DIMENSION[s]).filter((d): d is string => d !== undefined),
    ),
  ];
  if (dimensions.length > 0) {
    manifest.dimensions = dimensions;
    warn(
      ['intendedAudience', 'scope'],
      `dimensions were inferred from the scope: ${dimensions.join(', ')}; check them`,
      'publiccode-changed',
    );
  }
  if (isRecord(pc.intendedAudience)) {
    for (const k of Object.keys(pc.intendedAudience))
      if (k !== 'scope')
        warn(['intendedAudience', k], `intendedAudience.${k} has no place in a manifest`);
  }
  const categories = strings(pc.categories)
    .map(slugify)
    .filter((c) => c !== '');
  if (categories.length > 0) manifest.categories = categories;

  const legal = isRecord(pc.legal) ? pc.legal : {};
  const license = str(legal.license);
  if (license !== undefined) manifest.license = license;
  for (const k of Object.keys(legal))
    if (k !== 'license') warn(['legal', k], `legal.${k} has no place in a manifest`);

  const url = str(pc.url);
  if (url !== undefined) manifest.url = url;
  const releaseDate = str(pc.releaseDate);
  if (releaseDate !== undefined) manifest.releaseDate = releaseDate;

  if (isRecord(pc.maintenance)) {
    const type = str(pc.maintenance.type);
    const contacts = Array.isArray(pc.maintenance.contacts) ? pc.maintenance.contacts : [];
    const mapped = contacts.filter(isRecord).map((c, i) => {
      const out: Record<string, string> = { name: str(c.name) ?? '' };
      const email = str(c.email);
      if (email !== undefined) out.email = email;
      const phone = str(c.phone);
      if (phone !== undefined) out.phone = phone;
      const affiliation = str(c.affiliation);
      if (affiliation !== undefined) out.role = affiliation;
      for (const k of Object.keys(c))
        if (!['name', 'email', 'phone', 'affiliation'].includes(k))
          warn(['maintenance', 'contacts', i, k], `contact ${k} has no place in a manifest`);
      return out;
    });
    manifest.maintenance = {
      type: type ?? 'none',
      ...(mapped.length > 0 ? { contacts: mapped } : {}),
    };
    for (const k of Object.keys(pc.maintenance)) {
      if (k === 'contractors')
        warn(
          ['maintenance', k],
          'contractors have no place in a manifest: name the maintainer in contacts',
        );
      else if (k !== 'type' && k !== 'contacts')
        warn(['maintenance', k], `maintenance.${k} has no place in a manifest`);
    }
  }

  const unmapped: Record<string, string> = {
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
  for (const k of Object.keys(pc)) {
    const known = [
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
    if (known.includes(k)) continue;
    warn([k], `${k} does not map: ${unmapped[k] ?? 'a manifest has no such field'}`);
  }
  return { manifest, diagnostics: sortDiagnostics(diagnostics) };
}

export interface PubliccodeExport {
  publiccode: Record<string, unknown>;
  /** What the manifest cannot give publiccode.yml, or gives only as a guess. */
  diagnostics: Diagnostic[];
}

/**
 * Pure: a manifest → publiccode.yml 0.4. `yaml` is the manifest's parsed text, to place each
 * warning on the field it concerns.
 */
export function publiccodeFromManifest(manifest: Manifest, yaml: YamlDoc): PubliccodeExport {
  const diagnostics: Diagnostic[] = [];
  const warn = (path: YamlPath, message: string, rule = 'publiccode-unmapped'): void => {
    diagnostics.push(diagnosticAt(yaml, path, 'warning', rule, message, { at: 'key' }));
  };
  const pre = semver.prerelease(manifest.version) !== null;
  const pc: Record<string, unknown> = {
    publiccodeYmlVersion: '0.4',
    name: manifest.title,
    url: manifest.url,
    softwareVersion: manifest.version,
  };
  if (manifest.releaseDate !== undefined) pc.releaseDate = manifest.releaseDate;
  else
    warn(
      ['version'],
      'there is no releaseDate, which publiccode.yml requires: add "releaseDate: YYYY-MM-DD" to the manifest',
      'publiccode-missing',
    );
  pc.platforms = ['web'];
  pc.categories = manifest.categories;
  if (manifest.categories.length === 0)
    warn(
      ['categories'],
      'publiccode.yml needs at least one category from its list; none given',
      'publiccode-missing',
    );
  pc.developmentStatus = pre ? 'beta' : 'stable';
  pc.softwareType = 'standalone/web';
  warn(
    ['version'],
    `developmentStatus "${String(pc.developmentStatus)}", softwareType "standalone/web" and platforms [web] are inferred: check them`,
    'publiccode-changed',
  );
  pc.intendedAudience = {
    scope: [
      ...new Set(
        manifest.dimensions
          .map((d) => DIMENSION_TO_SCOPE[d])
          .filter((s): s is string => s !== undefined),
      ),
    ],
  };
  warn(
    ['dimensions'],
    'Smart City dimensions have no publiccode.yml field: they became a guess at intendedAudience.scope',
    'publiccode-changed',
  );
  const description: Record<string, unknown> = {};
  for (const [lang, d] of Object.entries(manifest.description)) {
    if (d === undefined) continue;
    const entry: Record<string, unknown> = {};
    if (lang === 'id' && manifest.title !== '') entry.localisedName = manifest.title;
    entry.shortDescription = d.shortDescription;
    if (d.longDescription !== undefined) entry.longDescription = d.longDescription;
    if (d.longDescription === undefined || d.longDescription.length < 150) {
      warn(
        ['description', lang],
        'publiccode.yml wants a longDescription of at least 150 characters',
        'publiccode-missing',
      );
    }
    entry.features = d.features;
    if (d.features.length === 0)
      warn(
        ['description', lang],
        'publiccode.yml wants at least one feature',
        'publiccode-missing',
      );
    description[lang] = entry;
  }
  pc.description = description;
  pc.legal = { license: manifest.license };
  pc.maintenance = {
    type: manifest.maintenance.type,
    ...(manifest.maintenance.contacts.length > 0
      ? {
          contacts: manifest.maintenance.contacts.map((c) => ({
            name: c.name,
            ...(c.email === undefined ? {} : { email: c.email }),
            ...(c.phone === undefined ? {} : { phone: c.phone }),
            ...(c.role === undefined ? {} : { affiliation: c.role }),
          })),
        }
      : {}),
  };
  if (
    (manifest.maintenance.type === 'internal' || manifest.maintenance.type === 'community') &&
    manifest.maintenance.contacts.length === 0
  ) {
    warn(
      ['maintenance'],
      `publiccode.yml needs contacts for maintenance type ${manifest.maintenance.type}`,
      'publiccode-missing',
    );
  }
  pc.localisation = {
    localisationReady: Object.keys(description).length > 1,
    availableLanguages: Object.keys(description),
  };
  warn(
    ['description'],
    'localisation is inferred from the description languages',
    'publiccode-changed',
  );
  for (const key of ['name', 'publisher', 'requires', 'config', 'secrets', 'services'] as const) {
    const message =
      key === 'name'
        ? `the app slug "${manifest.name}" does not map (publiccode.yml names software by its title)`
        : key === 'publisher'
          ? `the publisher "${manifest.publisher}" does not map: name the owner in legal.repoOwner by hand`
          : `${key} does not map: publiccode.yml describes software, not how it is deployed`;
    if (key === 'name' || key === 'publisher' || Object.keys(manifest[key]).length > 0)
      warn([key], message);
  }
  return { publiccode: pc, diagnostics: sortDiagnostics(diagnostics) };
}
