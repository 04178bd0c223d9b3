import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A deterministic fake digest per name, so manifests pin images like real ones do. */
export function fakeDigest(name: string): string {
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}

export const REGISTRY = '127.0.0.1:5151/ksad-samples';

export interface ManifestOptions {
  publisher?: string;
  title?: string;
  shortDescription?: string;
  shortDescriptionEn?: string;
  dimensions?: string[];
  categories?: string[];
}

/** A valid manifest: a web service backed by a database, with config keys and a secret. */
export function manifestYaml(name: string, version: string, options: ManifestOptions = {}): string {
  const publisher = options.publisher ?? 'kota-bandung';
  return `schemaVersion: 1
name: ${name}
version: ${version}
publisher: ${publisher}
title: ${options.title ?? name}
description:
  id:
    shortDescription: ${options.shortDescription ?? `Aplikasi ${name} untuk pemerintah daerah`}
  en:
    shortDescription: ${options.shortDescriptionEn ?? `The ${name} app for regional government`}
dimensions: [${(options.dimensions ?? ['smart-governance']).join(', ')}]
categories: [${(options.categories ?? []).join(', ')}]
license: Apache-2.0
url: https://example.org/${publisher}/${name}
maintenance:
  type: internal
  contacts:
    - name: Diskominfo Kota Bandung
      email: diskominfo@bandung.example.org
config:
  HTTP_PORT:
    type: port
    description: Port published on the host
    default: 8080
  REGION_NAME:
    type: string
    description: Region name shown on every page
    required: true
secrets:
  DB_PASSWORD:
    description: Password of the app database
services:
  web:
    image: ${REGISTRY}/web@${fakeDigest(`${name}-${version}-web`)}
    environment:
      REGION_NAME: \${config.REGION_NAME}
      DB_HOST: \${service.db.host}
      DB_PASSWORD: \${secret.DB_PASSWORD}
    ports:
      - name: http
        container: 8080
        host: \${config.HTTP_PORT}
    healthcheck:
      test: [wget, -q, -O, /dev/null, http://localhost:8080/health]
    dependsOn:
      db:
        condition: service_healthy
  db:
    image: ${REGISTRY}/db@${fakeDigest(`${name}-${version}-db`)}
    environment:
      DB_PASSWORD: \${secret.DB_PASSWORD}
    volumes:
      - name: data
        path: /var/lib/db
    healthcheck:
      test: [db-ready]
`;
}

function memberYaml(
  code: string,
  name: string,
  kind: string,
  province: string,
  publisher: boolean,
): string {
  return `code: "${code}"
name: ${name}
kind: ${kind}
province: ${province}
agency: Diskominfo ${name}
contacts:
  - name: Diskominfo ${name}
    email: diskominfo@${name.toLowerCase().replaceAll(' ', '-')}.example.org
publisher: ${publisher}
`;
}

export function mouYaml(options: {
  number: string;
  title: string;
  grantees: string[];
  apps: { name: string; versions?: string }[];
  validFrom: string;
  validUntil: string;
}): string {
  const apps = options.apps
    .map(
      (a) =>
        `  - name: ${a.name}${a.versions === undefined ? '' : `\n    versions: "${a.versions}"`}`,
    )
    .join('\n');
  return `number: "${options.number}"
title: ${options.title}
grantor: "32.73"
grantees: [${options.grantees.map((g) => `"${g}"`).join(', ')}]
apps:
${apps}
validFrom: "${options.validFrom}"
validUntil: "${options.validUntil}"
document:
  sha256: ${createHash('sha256').update(options.number).digest('hex')}
`;
}

/**
 * A small valid catalog: Kota Bandung (32.73) publishes antrean-daring 1.0.0, 1.1.0, 2.0.0 and
 * e-budgeting 1.4.2, 2.0.0; Kabupaten Sumbawa (52.04) holds an MoU valid until 2099 for both
 * (e-budgeting ^2.0.0 only); Kabupaten Bojonegoro (35.22) held one that expired in 2021.
 * Paths are relative to the catalog root.
 */
export function catalogFixtureFiles(): Record<string, string> {
  const antrean = {
    title: 'Antrean Daring',
    shortDescription: 'Layanan antrean daring untuk pelayanan publik',
    shortDescriptionEn: 'Online queue for public services',
    dimensions: ['smart-governance', 'smart-society'],
    categories: ['queue', 'public-service'],
  };
  const budgeting = {
    title: 'E-Budgeting',
    shortDescription: 'Penyusunan anggaran daerah secara elektronik',
    shortDescriptionEn: 'Electronic regional budget planning',
    dimensions: ['smart-governance'],
    categories: ['budgeting', 'finance'],
  };
  return {
    'catalog/catalog.yaml': `schemaVersion: 1
id: ksad-test
title: KSAD test catalog
description: Fixture catalog for ksad tests
`,
    'catalog/members/kota-bandung.yaml': memberYaml(
      '32.73',
      'Kota Bandung',
      'kota',
      'Jawa Barat',
      true,
    ),
    'catalog/members/kabupaten-sumbawa.yaml': memberYaml(
      '52.04',
      'Kabupaten Sumbawa',
      'kabupaten',
      'Nusa Tenggara Barat',
      false,
    ),
    'catalog/members/kabupaten-bojonegoro.yaml': memberYaml(
      '35.22',
      'Kabupaten Bojonegoro',
      'kabupaten',
      'Jawa Timur',
      false,
    ),
    'catalog/mous/bandung-sumbawa-2024.yaml': mouYaml({
      number: '119/KSAD/2024',
      title: 'Kerjasama aplikasi smart city Kota Bandung dan Kabupaten Sumbawa',
      grantees: ['52.04'],
      apps: [{ name: 'antrean-daring' }, { name: 'e-budgeting', versions: '^2.0.0' }],
      validFrom: '2024-01-15',
      validUntil: '2099-12-31',
    }),
    'catalog/mous/bandung-bojonegoro-2019.yaml': mouYaml({
      number: '045/KSAD/2019',
      title: 'Hibah aplikasi antrean daring Kota Bandung untuk Kabupaten Bojonegoro',
      grantees: ['35.22'],
      apps: [{ name: 'antrean-daring' }],
      validFrom: '2019-03-01',
      validUntil: '2021-02-28',
    }),
    'manifests/kota-bandung/antrean-daring/1.0.0.yaml': manifestYaml(
      'antrean-daring',
      '1.0.0',
      antrean,
    ),
    'manifests/kota-bandung/antrean-daring/1.1.0.yaml': manifestYaml(
      'antrean-daring',
      '1.1.0',
      antrean,
    ),
    'manifests/kota-bandung/antrean-daring/2.0.0.yaml': manifestYaml(
      'antrean-daring',
      '2.0.0',
      antrean,
    ),
    'manifests/kota-bandung/e-budgeting/1.4.2.yaml': manifestYaml(
      'e-budgeting',
      '1.4.2',
      budgeting,
    ),
    'manifests/kota-bandung/e-budgeting/2.0.0.yaml': manifestYaml(
      'e-budgeting',
      '2.0.0',
      budgeting,
    ),
  };
}

/** Writes `files` (catalog-relative paths) under `root`. */
export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const target = join(root, ...path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text, 'utf8');
  }
}

/** Writes the fixture catalog under `root`. */
export async function writeCatalogFixture(root: string): Promise<void> {
  await writeFiles(root, catalogFixtureFiles());
}
