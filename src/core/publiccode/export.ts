import semver from 'semver';
import { sortDiagnostics } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Manifest } from '../schema/index.js';
import { checkLicense } from '../spdx.js';
import { diagnosticAt } from '../yaml-doc.js';
import type { YamlDoc, YamlPath } from '../yaml-doc.js';
import { CATEGORY_TO_PC, DIMENSION_TO_SCOPE, PC_CATEGORIES } from './vocabulary.js';

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
  pc.categories = exportCategories(manifest.categories, warn);
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
    if (d.shortDescription.length > 150)
      warn(
        ['description', lang, 'shortDescription'],
        'publiccode.yml allows at most 150 characters',
        'publiccode-missing',
      );
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
  const licenseProblem = checkLicense(manifest.license);
  if (licenseProblem !== undefined)
    diagnostics.push(
      diagnosticAt(
        yaml,
        ['license'],
        licenseProblem.severity,
        'license-spdx',
        licenseProblem.message,
      ),
    );
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
  if (manifest.maintenance.type === 'contract') {
    // The standard names who maintains under contract as contractors; ksad keeps them as contacts.
    const m = pc.maintenance as Record<string, unknown>;
    const contractors = manifest.maintenance.contacts.map((c) => ({
      name: c.name,
      ...(c.email === undefined ? {} : { email: c.email }),
    }));
    delete m.contacts;
    if (contractors.length > 0) m.contractors = contractors;
    else
      warn(
        ['maintenance'],
        'publiccode.yml needs contractors for maintenance type contract: add the contractor as a contact',
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

/**
 * ksad categories → the standard's category list (`CATEGORY_TO_PC`); a category that maps to none
 * is reported and left out, and none at all is reported as missing (the standard needs one).
 */
function exportCategories(
  categories: readonly string[],
  warn: (path: YamlPath, message: string, rule?: string) => void,
): string[] {
  const out: string[] = [];
  categories.forEach((c, i) => {
    const mapped = PC_CATEGORIES.has(c) ? c : CATEGORY_TO_PC[c];
    if (mapped === undefined)
      warn(
        ['categories', i],
        `"${c}" is not a publiccode.yml category and maps to none: left out (see the README for the mapping)`,
        'publiccode-vocabulary',
      );
    else if (!out.includes(mapped)) out.push(mapped);
  });
  if (out.length === 0)
    warn(
      ['categories'],
      'publiccode.yml needs at least one category from its list; none given or mapped',
      'publiccode-missing',
    );
  return out;
}
