import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseAndValidate } from '../../../src/core/catalog-build.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import { manifestFromPubliccode, publiccodeFromManifest } from '../../../src/core/publiccode.js';
import { manifestSchema } from '../../../src/core/schema/index.js';
import { parseYaml } from '../../../src/core/yaml-doc.js';
import { REPO_ROOT } from '../../support/cli.js';

const PC = 'test/fixtures/publiccode/publiccode.yml';
const MANIFEST = 'manifests/kota-bandung/antrean-daring/2.0.0.yaml';

describe('publiccode.yml → manifest', () => {
  const imported = manifestFromPubliccode(
    parseYaml(PC, readFileSync(join(REPO_ROOT, PC), 'utf8')),
    { publisher: 'kota-bandung' },
  );

  it('maps the descriptive fields', () => {
    expect(imported.manifest).toEqual({
      schemaVersion: 1,
      name: 'antrean-daring',
      version: '2.1.0',
      publisher: 'kota-bandung',
      title: 'Antrean Daring',
      description: {
        id: {
          shortDescription: 'Antrean layanan publik secara daring.',
          longDescription:
            'Warga mengambil nomor antrean dari rumah dan memantau giliran secara langsung.',
          features: ['Pengambilan nomor antrean daring'],
        },
        en: { shortDescription: 'Online queueing for public service offices.' },
      },
      dimensions: ['smart-governance', 'smart-society'],
      categories: ['queue-management'],
      license: 'Apache-2.0',
      url: 'https://git.bandung.go.id/diskominfo/antrean-daring',
      releaseDate: '2026-02-16',
      maintenance: {
        type: 'internal',
        contacts: [{ name: 'Tim Antrean', email: 'antrean@bandung.go.id', role: 'Diskominfo' }],
      },
    });
  });

  it('reports what does not map, at its line and column', () => {
    expect(imported.diagnostics.map(formatDiagnostic)).toEqual([
      `${PC}:4:1: warning: landingURL: landingURL does not map: a manifest has one url (the source repository)`,
      `${PC}:5:1: warning: softwareVersion: "v2.1.0" is not a semantic version; read as 2.1.0`,
      `${PC}:7:1: warning: platforms: platforms does not map: every ksad app runs as containers on a Docker host`,
      `${PC}:10:5: warning: categories.0: "queue-management" is not one of the standard's values for categories`,
      `${PC}:11:1: warning: developmentStatus: developmentStatus does not map: a manifest says how stable a version is by its semver (pre-release or not)`,
      `${PC}:12:1: warning: softwareType: softwareType does not map: every ksad app is a set of containers`,
      `${PC}:14:3: warning: intendedAudience.scope: dimensions were inferred from the scope: smart-governance, smart-society; check them`,
      `${PC}:21:22: warning: description.id.longDescription: is shorter than the 150 characters the standard asks for`,
      `${PC}:24:3: warning: description.en: description.en.longDescription is missing; the standard requires it`,
      `${PC}:26:3: warning: description.it: description.it.longDescription is missing; the standard requires it`,
      `${PC}:26:3: warning: description.it: language "it" has no place in a manifest (id and en only)`,
      `${PC}:30:3: warning: legal.repoOwner: legal.repoOwner has no place in a manifest`,
      `${PC}:37:1: warning: localisation: localisation does not map: a manifest does not record localisation; its descriptions are in id (and en)`,
      `${PC}:40:1: warning: dependsOn: dependsOn does not map: a manifest lists the containers it runs under services, not software dependencies`,
    ]);
  });
});

describe('manifest → publiccode.yml', () => {
  const text = readFileSync(join(REPO_ROOT, MANIFEST), 'utf8');
  const manifest = parseAndValidate(MANIFEST, text, manifestSchema).data!;
  const exported = publiccodeFromManifest(manifest, parseYaml(MANIFEST, text));

  it('writes publiccode.yml 0.4', () => {
    expect(exported.publiccode).toMatchObject({
      publiccodeYmlVersion: '0.4',
      name: 'Antrean Daring',
      url: 'https://git.bandung.go.id/diskominfo/antrean-daring',
      softwareVersion: '2.0.0',
      releaseDate: '2026-02-16',
      platforms: ['web'],
      // ksad's categories mapped onto the standard's list (README: publiccode.yml).
      categories: ['appointment-scheduling', 'customer-service-and-support'],
      developmentStatus: 'stable',
      softwareType: 'standalone/web',
      legal: { license: 'Apache-2.0' },
      maintenance: {
        type: 'internal',
        contacts: [
          { name: 'Tim Antrean Daring Diskominfo Bandung', email: 'antrean@bandung.go.id' },
        ],
      },
      localisation: { localisationReady: true, availableLanguages: ['id', 'en'] },
      intendedAudience: { scope: ['government', 'society'] },
    });
    expect((exported.publiccode.description as Record<string, unknown>).id).toMatchObject({
      localisedName: 'Antrean Daring',
      features: ['Pengambilan nomor antrean daring', 'Panggilan loket dan papan antrean'],
    });
  });

  it('reports what does not map, at its line in the manifest', () => {
    const lines = exported.diagnostics.map(formatDiagnostic);
    expect(lines).toContain(
      `${MANIFEST}:30:1: warning: config: config does not map: publiccode.yml describes software, not how it is deployed`,
    );
    expect(lines).toContain(
      `${MANIFEST}:53:1: warning: services: services does not map: publiccode.yml describes software, not how it is deployed`,
    );
    expect(lines).toContain(
      `${MANIFEST}:15:3: warning: description.en: publiccode.yml wants at least one feature`,
    );
  });

  it('round-trips the descriptive fields', () => {
    const back = manifestFromPubliccode(parseYaml('pc.yml', stringify(exported.publiccode)), {
      publisher: 'kota-bandung',
      name: 'antrean-daring',
    });
    const m = back.manifest as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect([
      m.title,
      m.version,
      m.license,
      m.url,
      m.releaseDate,
      m.categories,
      m.dimensions,
    ]).toEqual([
      manifest.title,
      manifest.version,
      manifest.license,
      manifest.url,
      manifest.releaseDate,
      // Categories come back as the standard's names they were exported as.
      ['appointment-scheduling', 'customer-service-and-support'],
      manifest.dimensions,
    ]);
    expect(m.description.id.features).toEqual(manifest.description.id!.features);
    expect(m.maintenance).toEqual(manifest.maintenance);
  });
});
