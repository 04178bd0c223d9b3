import {
  manifestSchema,
  type Manifest,
  type ManifestInput,
} from '../../../src/core/schema/manifest.js';

const DIGEST = (c: string) => `sha256:${c.repeat(64)}`;

/** A web + db + worker app: web and worker wait for a healthy db; web publishes `${config.HTTP_PORT}`. */
export function antreanManifest(patch: (m: ManifestInput) => void = () => undefined): Manifest {
  const input: ManifestInput = {
    schemaVersion: 1,
    name: 'antrean-daring',
    version: '1.2.0',
    publisher: 'kota-bandung',
    title: 'Antrean Daring',
    description: { id: { shortDescription: 'Antrean layanan publik secara daring' } },
    dimensions: ['smart-governance'],
    license: 'Apache-2.0',
    url: 'https://github.com/kota-bandung/antrean-daring',
    maintenance: { type: 'internal' },
    config: {
      REGION_NAME: { type: 'string', description: 'Nama daerah', required: true },
      HTTP_PORT: { type: 'port', description: 'Host port of the web UI', default: 8080 },
      WORKERS: {
        type: 'integer',
        description: 'Worker threads',
        default: 2,
        minimum: 1,
        maximum: 16,
      },
      DEBUG: { type: 'boolean', description: 'Verbose logs', default: false },
      LOG_LEVEL: {
        type: 'string',
        description: 'Log level',
        default: 'info',
        enum: ['debug', 'info', 'warn'],
      },
      ADMIN_EMAIL: { type: 'email', description: 'Administrator' },
      PUBLIC_URL: { type: 'url', description: 'Public address' },
      RATIO: {
        type: 'number',
        description: 'Sampling ratio',
        default: 0.5,
        minimum: 0,
        maximum: 1,
      },
      SLUG: { type: 'string', description: 'Short name', pattern: '^[a-z]+$' },
    },
    secrets: {
      DB_PASSWORD: { description: 'Database password' },
      SMTP_PASSWORD: { description: 'Mail relay password', source: 'supplied' },
    },
    services: {
      web: {
        image: `ghcr.io/kota-bandung/antrean-web@${DIGEST('a')}`,
        environment: {
          REGION_NAME: '${config.REGION_NAME}',
          REGION_CODE: '${region.code}',
          DATABASE_URL: 'postgres://antrean:${secret.DB_PASSWORD}@${service.db.host}:5432/antrean',
          LITERAL: 'price $${NOT_A_REF}',
        },
        ports: [{ name: 'http', container: 80, host: '${config.HTTP_PORT}' }],
        healthcheck: {
          test: ['wget', '-qO-', 'http://localhost/health'],
          interval: '5s',
          startPeriod: '1m30s',
        },
        dependsOn: { db: { condition: 'service_healthy' } },
        resources: { cpus: 0.5, memory: '256m' },
        stopGracePeriod: '15s',
      },
      db: {
        image: `docker.io/library/postgres@${DIGEST('b')}`,
        environment: { POSTGRES_PASSWORD: '${secret.DB_PASSWORD}', POSTGRES_DB: 'antrean' },
        volumes: [{ name: 'pgdata', path: '/var/lib/postgresql/data' }],
        healthcheck: { test: ['pg_isready', '-U', 'postgres'] },
        init: true,
      },
      worker: {
        image: `ghcr.io/kota-bandung/antrean-worker@${DIGEST('c')}`,
        command: ['worker', '--threads', '${config.WORKERS}', '--app', '${release.name}'],
        environment: { DB_HOST: '${service.db.host}', SMTP_PASSWORD: '${secret.SMTP_PASSWORD}' },
        dependsOn: { db: {} },
        readOnlyRootFilesystem: true,
        restart: 'on-failure',
      },
    },
  };
  patch(input);
  return manifestSchema.parse(input);
}

export const MANIFEST_DIGEST = `sha256:${'d'.repeat(64)}`;
export const SECRETS = {
  DB_PASSWORD: 'pw-0123456789abcdef',
  SMTP_PASSWORD: 'smtp-fedcba9876543210',
};
export const CONFIG = {
  REGION_NAME: 'Sumbawa',
  HTTP_PORT: 8080,
  WORKERS: 2,
  DEBUG: false,
  LOG_LEVEL: 'info',
  RATIO: 0.5,
};
export const SUMBAWA = { code: '52.04', name: 'Kabupaten Sumbawa' };
