import type { SourceFile } from '../../../src/core/catalog-model.js';
import { officialRegion } from '../../../src/core/regions.js';

/** A digest-pinned image reference that passes `image-not-pinned`. */
export const PINNED = (repo: string, fill = 'a'): string => `${repo}@sha256:${fill.repeat(64)}`;

export const catalogYaml = (): SourceFile => ({
  path: 'catalog/catalog.yaml',
  text: 'schemaVersion: 1\nid: ksad-test\ntitle: KSAD test catalog\n',
});

export interface MemberOpts {
  slug: string;
  code: string;
  name?: string;
  kind?: 'kota' | 'kabupaten' | 'provinsi';
  publisher?: boolean;
}

export const member = (o: MemberOpts): SourceFile => ({
  path: `catalog/members/${o.slug}.yaml`,
  text: [
    `code: "${o.code}"`,
    // The official name of the code, so that region lint is clean unless a test says otherwise.
    `name: ${o.name ?? officialRegion(o.code)?.name ?? o.slug}`,
    `kind: ${o.kind ?? 'kota'}`,
    'contacts:',
    '  - name: Diskominfo',
    '    email: diskominfo@example.go.id',
    `publisher: ${String(o.publisher ?? false)}`,
    '',
  ].join('\n'),
});

export interface MouOpts {
  slug: string;
  grantor: string;
  grantees: string[];
  apps: Array<{ name: string; versions?: string }>;
  validFrom?: string;
  validUntil?: string;
  number?: string;
}

export const mou = (o: MouOpts): SourceFile => ({
  path: `catalog/mous/${o.slug}.yaml`,
  text: [
    `number: "${o.number ?? `NK/${o.slug}`}"`,
    `title: Kerja sama ${o.slug}`,
    `grantor: "${o.grantor}"`,
    'grantees:',
    ...o.grantees.map((g) => `  - "${g}"`),
    'apps:',
    ...o.apps.flatMap((a) => [
      `  - name: ${a.name}`,
      ...(a.versions === undefined ? [] : [`    versions: "${a.versions}"`]),
    ]),
    `validFrom: ${o.validFrom ?? '2024-01-01'}`,
    `validUntil: ${o.validUntil ?? '2028-12-31'}`,
    'document:',
    `  sha256: ${'b'.repeat(64)}`,
    '',
  ].join('\n'),
});

export interface ManifestOpts {
  publisher?: string;
  name?: string;
  version?: string;
  /** Overrides the path; defaults to manifests/<publisher>/<name>/<version>.yaml. */
  path?: string;
  /** YAML lines for the `services:` map, indented by two spaces; a default single web service otherwise. */
  services?: string[];
  /** YAML lines appended at the top level (config, secrets, requires …). */
  extra?: string[];
}

/** A manifest in the shape a publisher writes it; line numbers in tests are counted from here. */
export const manifest = (o: ManifestOpts = {}): SourceFile => {
  const publisher = o.publisher ?? 'kota-bandung';
  const name = o.name ?? 'antrean-daring';
  const version = o.version ?? '1.0.0';
  return {
    path: o.path ?? `manifests/${publisher}/${name}/${version}.yaml`,
    text: [
      'schemaVersion: 1', // 1
      `name: ${name}`, // 2
      `version: ${version}`, // 3
      `publisher: ${publisher}`, // 4
      'title: Antrean Daring', // 5
      'description:', // 6
      '  id:', // 7
      '    shortDescription: Antrean layanan publik secara daring', // 8
      'dimensions: [smart-governance]', // 9
      'license: Apache-2.0', // 10
      'url: https://example.go.id/antrean', // 11
      'maintenance:', // 12
      '  type: internal', // 13
      ...(o.extra ?? []),
      'services:',
      ...(o.services ?? [
        '  web:',
        `    image: ${PINNED('registry.example.go.id/antrean/web')}`,
        '    ports:',
        '      - container: 8080',
        '        host: 8080',
      ]),
      '',
    ].join('\n'),
  };
};

/** The line a `services:` entry line lands on in `manifest()` output, given the `extra` lines. */
export const serviceLine = (indexInServices: number, extraLines = 0): number =>
  15 + extraLines + indexInServices;

/** A small valid catalog: two publishers, two recipients, one MoU. */
export const baseCatalog = (): SourceFile[] => [
  catalogYaml(),
  member({ slug: 'kota-bandung', code: '32.73', publisher: true }),
  member({ slug: 'kota-tangerang', code: '36.71', publisher: true }),
  member({ slug: 'kab-sumbawa', code: '52.04', kind: 'kabupaten' }),
  member({ slug: 'kab-wonosobo', code: '33.07', kind: 'kabupaten' }),
  manifest({ version: '1.0.0' }),
  manifest({ version: '1.2.0' }),
  manifest({ version: '2.0.0-beta.1' }),
  mou({
    slug: 'bandung-sumbawa',
    grantor: '32.73',
    grantees: ['52.04'],
    apps: [{ name: 'antrean-daring', versions: '^1.0.0' }],
  }),
];

/** Replaces (by path) or adds files. */
export const withFiles = (files: SourceFile[], ...more: SourceFile[]): SourceFile[] => {
  const paths = new Set(more.map((f) => f.path));
  return [...files.filter((f) => !paths.has(f.path)), ...more];
};

/** A realistic larger manifest for the benchmark: three services, config, secrets. */
export const benchManifest = (publisher: string, name: string, version: string): SourceFile =>
  manifest({
    publisher,
    name,
    version,
    extra: [
      'requires:',
      '  ksad: ">=0.1.0 <1.0.0"',
      '  dockerApi: "1.41"',
      'config:',
      '  HTTP_PORT:',
      '    type: port',
      '    description: Port published on the host',
      '    default: 8080',
      '  REGION_NAME:',
      '    type: string',
      '    description: Region shown in the header',
      '    required: true',
      'secrets:',
      '  DB_PASSWORD:',
      '    description: Database password',
      '    source: generate',
    ],
    services: [
      '  web:',
      `    image: ${PINNED(`registry.example.go.id/${name}/web`)}`,
      '    environment:',
      '      DB_HOST: ${service.db.host}',
      '      DB_PASSWORD: ${secret.DB_PASSWORD}',
      '      REGION: ${config.REGION_NAME}',
      '    ports:',
      '      - name: http',
      '        container: 8080',
      '        host: ${config.HTTP_PORT}',
      '    dependsOn:',
      '      db:',
      '        condition: service_healthy',
      '    healthcheck:',
      '      test: [CMD, wget, -q, -O-, http://localhost:8080/health]',
      '      interval: 5s',
      '    resources:',
      '      cpus: 0.5',
      '      memory: 256m',
      '  db:',
      `    image: ${PINNED('docker.io/library/postgres', 'c')}`,
      '    environment:',
      '      POSTGRES_PASSWORD: ${secret.DB_PASSWORD}',
      '    volumes:',
      '      - name: data',
      '        path: /var/lib/postgresql/data',
      '    healthcheck:',
      '      test: [CMD, pg_isready]',
      '  worker:',
      `    image: ${PINNED(`registry.example.go.id/${name}/worker`, 'd')}`,
      '    command: [worker, --db, "${service.db.host}"]',
      '    dependsOn:',
      '      db: {}',
    ],
  });
