import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAndValidate } from '../../../src/core/catalog-build.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import { manifestFromPubliccode, publiccodeFromManifest } from '../../../src/core/publiccode.js';
import {
  PC_CATEGORIES,
  PC_DEVELOPMENT_STATUS,
  PC_PLATFORMS,
  PC_SCOPES,
  PC_SOFTWARE_TYPES,
} from '../../../src/core/publiccode/vocabulary.js';
import { manifestSchema } from '../../../src/core/schema/index.js';
import { parseYaml } from '../../../src/core/yaml-doc.js';
import { REPO_ROOT } from '../../support/cli.js';

/** A publiccode.yml 0.4 that follows the standard, written from its field reference. */
const VALID = [
  "publiccodeYmlVersion: '0.4'", // 1
  'name: Antrean Daring', // 2
  'url: https://git.bandung.go.id/diskominfo/antrean-daring', // 3
  "softwareVersion: '2.1.0'", // 4
  "releaseDate: '2026-02-16'", // 5
  'platforms: [web]', // 6
  'categories: [appointment-scheduling]', // 7
  'developmentStatus: stable', // 8
  'softwareType: standalone/web', // 9
  'description:', // 10
  '  id:', // 11
  '    shortDescription: Antrean layanan publik secara daring.', // 12
  `    longDescription: ${'Warga mengambil nomor antrean dari rumah. '.repeat(5)}`, // 13
  '    features: [Nomor antrean daring]', // 14
  'legal:', // 15
  '  license: Apache-2.0', // 16
  'maintenance:', // 17
  '  type: internal', // 18
  '  contacts:', // 19
  '    - name: Tim Antrean', // 20
  '      email: antrean@bandung.go.id', // 21
  'localisation:', // 22
  '  localisationReady: false', // 23
  '  availableLanguages: [id]', // 24
  '',
].join('\n');

const F = 'publiccode.yml';
function problems(text: string, severity?: 'error' | 'warning'): string[] {
  return manifestFromPubliccode(parseYaml(F, text), { publisher: 'kota-bandung' })
    .diagnostics.filter(
      (d) =>
        d.rule !== 'publiccode-unmapped' && (severity === undefined || d.severity === severity),
    )
    .map(formatDiagnostic);
}
const edit = (from: string, to: string): string => {
  expect(VALID).toContain(from);
  return VALID.replace(from, to);
};

describe("publiccode.yml import: the standard's required fields and types", () => {
  it('imports a valid file with no error and no invented value', () => {
    expect(problems(VALID, 'error')).toEqual([]);
    const { manifest } = manifestFromPubliccode(parseYaml(F, VALID), { publisher: 'kota-bandung' });
    expect(manifest).toMatchObject({
      name: 'antrean-daring',
      version: '2.1.0',
      license: 'Apache-2.0',
      maintenance: { type: 'internal', contacts: [{ name: 'Tim Antrean' }] },
    });
  });

  it.each([
    [
      'a missing name',
      'name: Antrean Daring\n',
      '',
      `${F}:1:1: error: name is missing; the standard requires it`,
    ],
    [
      'a name that is a list',
      'name: Antrean Daring',
      'name: [Antrean, Daring]',
      `${F}:2:7: error: name: must be a string, not a list`,
    ],
    [
      'a missing legal.license',
      '  license: Apache-2.0\n',
      '  mainCopyrightOwner: Kota Bandung\n',
      `${F}:15:1: error: legal: legal.license is missing; the standard requires it`,
    ],
    [
      'a licence that is not SPDX',
      'license: Apache-2.0',
      'license: Apache 2',
      `${F}:16:12: error: legal.license: "Apache 2" is not an SPDX licence expression: did you mean "Apache-2.0"?`,
    ],
    [
      'a missing maintenance.type',
      '  type: internal\n',
      '',
      `${F}:17:1: error: maintenance: maintenance.type is missing; the standard requires it`,
    ],
    [
      'an unknown maintenance.type',
      'type: internal',
      'type: outsourced',
      `${F}:18:9: error: maintenance.type: "outsourced" is not one of internal, contract, community, none`,
    ],
    [
      'internal maintenance without contacts',
      '  contacts:\n    - name: Tim Antrean\n      email: antrean@bandung.go.id\n',
      '',
      `${F}:17:1: error: maintenance: maintenance type internal needs contacts (the standard requires at least one)`,
    ],
    [
      'contract maintenance without contractors',
      'type: internal',
      'type: contract',
      `${F}:17:1: error: maintenance: maintenance type contract needs contractors (the standard requires at least one)`,
    ],
    [
      'a contact without a name',
      '    - name: Tim Antrean\n      email',
      '    - email',
      `${F}:20:7: error: maintenance.contacts.0: maintenance.contacts.0.name is missing; the standard requires it`,
    ],
    [
      'an invalid email',
      'email: antrean@bandung.go.id',
      'email: antrean-at-bandung',
      `${F}:21:14: error: maintenance.contacts.0.email: "antrean-at-bandung" is not an email address`,
    ],
    [
      'categories that are not a list',
      'categories: [appointment-scheduling]',
      'categories: appointment-scheduling',
      `${F}:7:13: error: categories: must be a list, not string`,
    ],
    [
      'features that are not a list',
      'features: [Nomor antrean daring]',
      'features: Nomor antrean daring',
      `${F}:14:15: error: description.id.features: must be a list, not string`,
    ],
    [
      'a missing shortDescription',
      '    shortDescription: Antrean layanan publik secara daring.\n',
      '',
      `${F}:11:3: error: description.id: description.id.shortDescription is missing; the standard requires it`,
    ],
    [
      'an unknown developmentStatus',
      'developmentStatus: stable',
      'developmentStatus: production',
      `${F}:8:20: error: developmentStatus: "production" is not one of concept, development, beta, stable, obsolete`,
    ],
    [
      'an unknown softwareType',
      'softwareType: standalone/web',
      'softwareType: web-app',
      `${F}:9:15: error: softwareType: "web-app" is not one of standalone/mobile, standalone/iot, standalone/desktop, standalone/web, standalone/backend, standalone/other, addon, library, configurationFiles`,
    ],
    [
      'a releaseDate that is not a date',
      "releaseDate: '2026-02-16'",
      'releaseDate: 16/02/2026',
      `${F}:5:14: error: releaseDate: must be a date YYYY-MM-DD`,
    ],
  ])('reports %s at its line', (_what, from, to, expected) => {
    expect(problems(edit(from, to), 'error')).toEqual([expected]);
  });

  it('never writes name: "", maintenance.type: none or 0.1.0 of its own', () => {
    const text = edit('name: Antrean Daring\n', '')
      .replace("softwareVersion: '2.1.0'\n", '')
      .replace('maintenance:\n  type: internal\n', 'maintenance:\n');
    const { manifest, diagnostics } = manifestFromPubliccode(parseYaml(F, text), {
      publisher: 'kota-bandung',
    });
    expect(manifest.name).toBeUndefined();
    expect(manifest.version).toBeUndefined();
    expect(manifest.maintenance).toBeUndefined();
    expect(diagnostics.map(formatDiagnostic)).toContain(
      `${F}:1:1: warning: there is no softwareVersion: the draft has no version; pass --version`,
    );
  });

  it("warns about values outside the standard's lists and a deprecated licence", () => {
    const text = edit('categories: [appointment-scheduling]', 'categories: [antrean]')
      .replace('platforms: [web]', 'platforms: [web, docker]')
      .replace('license: Apache-2.0', 'license: GPL-3.0');
    expect(problems(text, 'warning')).toEqual([
      `${F}:6:18: warning: platforms.1: "docker" is not one of the standard's values for platforms`,
      `${F}:7:14: warning: categories.0: "antrean" is not one of the standard's values for categories`,
      `${F}:16:12: warning: legal.license: "GPL-3.0" is a deprecated SPDX identifier: write "GPL-3.0-only"`,
    ]);
  });

  it('warns about a missing categories or localisation, which the standard requires', () => {
    const text = edit('categories: [appointment-scheduling]\n', '').replace(
      'localisation:\n  localisationReady: false\n  availableLanguages: [id]\n',
      '',
    );
    expect(problems(text, 'warning')).toEqual([
      `${F}:1:1: warning: categories is missing; the standard requires it`,
      `${F}:1:1: warning: localisation is missing; the standard requires it`,
    ]);
  });

  it('maps contractors of contract maintenance to contacts', () => {
    const text = edit(
      '  type: internal\n  contacts:\n    - name: Tim Antrean\n      email: antrean@bandung.go.id\n',
      '  type: contract\n  contractors:\n    - name: PT Solusi Daerah\n      until: "2027-12-31"\n      email: ops@solusi.co.id\n',
    );
    expect(problems(text, 'error')).toEqual([]);
    const { manifest } = manifestFromPubliccode(parseYaml(F, text), { publisher: 'kota-bandung' });
    expect(manifest.maintenance).toEqual({
      type: 'contract',
      contacts: [{ name: 'PT Solusi Daerah', email: 'ops@solusi.co.id', role: 'contractor' }],
    });
  });
});

describe("publiccode.yml export: the standard's vocabularies", () => {
  const MANIFEST = 'manifests/kota-bandung/antrean-daring/2.0.0.yaml';
  const text = readFileSync(join(REPO_ROOT, MANIFEST), 'utf8');
  const manifest = parseAndValidate(MANIFEST, text, manifestSchema).data!;

  it("writes only values from the standard's lists", () => {
    const { publiccode: pc } = publiccodeFromManifest(manifest, parseYaml(MANIFEST, text));
    for (const c of pc.categories as string[]) expect(PC_CATEGORIES.has(c)).toBe(true);
    for (const p of pc.platforms as string[]) expect(PC_PLATFORMS.has(p)).toBe(true);
    for (const s of (pc.intendedAudience as { scope: string[] }).scope)
      expect(PC_SCOPES.has(s)).toBe(true);
    expect(PC_SOFTWARE_TYPES.has(pc.softwareType as string)).toBe(true);
    expect(PC_DEVELOPMENT_STATUS.has(pc.developmentStatus as string)).toBe(true);
  });

  it('reports a category that maps to none, and a missing one', () => {
    const other = { ...manifest, categories: ['budgeting', 'msme'] };
    const out = publiccodeFromManifest(other, parseYaml(MANIFEST, text));
    expect(out.publiccode.categories).toEqual(['budgeting']);
    expect(
      out.diagnostics.filter((d) => d.rule === 'publiccode-vocabulary').map((d) => d.message),
    ).toEqual([
      '"msme" is not a publiccode.yml category and maps to none: left out (see the README for the mapping)',
    ]);
    const none = publiccodeFromManifest(
      { ...manifest, categories: ['msme'] },
      parseYaml(MANIFEST, text),
    );
    expect(none.diagnostics.map((d) => d.message)).toContain(
      'publiccode.yml needs at least one category from its list; none given or mapped',
    );
  });

  it('names contractors for contract maintenance', () => {
    const contract = {
      ...manifest,
      maintenance: {
        type: 'contract' as const,
        contacts: [{ name: 'PT Solusi Daerah', email: 'ops@solusi.co.id' }],
      },
    };
    const { publiccode } = publiccodeFromManifest(contract, parseYaml(MANIFEST, text));
    expect(publiccode.maintenance).toEqual({
      type: 'contract',
      contractors: [{ name: 'PT Solusi Daerah', email: 'ops@solusi.co.id' }],
    });
  });
});
