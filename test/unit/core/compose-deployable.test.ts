import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { importCompose, pinImages } from '../../../src/core/compose-import.js';
import { resolveConfig } from '../../../src/core/config.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import { lintManifestFiles } from '../../../src/core/lint/index.js';
import { manifestSchema } from '../../../src/core/schema/index.js';
import { planSecrets } from '../../../src/core/secrets.js';
import { buildDesiredState } from '../../../src/core/service-specs.js';

/**
 * A pioneer's Compose project as they write it: a shared base in another file, the app's database
 * password under its own name and under the image's, a Redis URL, a health check with a variable.
 */
const COMPOSE = `name: antrean-daring
services:
  web:
    extends:
      file: common/services.yml
      service: app
    environment:
      DB_HOST: db
      DB_PASSWORD: \${DB_PASSWORD:-rahasia-dev}
      DATABASE_URL: postgres://antrean:\${DB_PASSWORD:-rahasia-dev}@db:5432/antrean
      REDIS_URL: redis://redis:6379/1
    ports:
      - "\${WEB_PORT:-8080}:8080"
    depends_on:
      db:
        condition: service_healthy
  db:
    image: registry.example.go.id/postgres:16
    environment:
      POSTGRES_USER: antrean
      POSTGRES_PASSWORD: rahasia-dev
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U $\${POSTGRES_USER} -p \${DB_PORT:-5432}"]
      interval: 5s
    volumes:
      - pgdata:/var/lib/postgresql/data
  redis:
    image: registry.example.go.id/redis:7
volumes:
  pgdata: {}
`;

const BASE = `services:
  app:
    image: registry.example.go.id/antrean/web:2.1.0
    env_file: app.env
    environment:
      TZ: Asia/Jakarta
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
`;

describe('a pioneer Compose project becomes a draft that deploys', () => {
  const draft = importCompose({
    file: 'compose.yaml',
    text: COMPOSE,
    extendsFiles: { 'common/services.yml': BASE },
    envFiles: { 'common/app.env': 'APP_NAME=Antrean Daring\n' },
    meta: {
      publisher: 'kota-bandung',
      version: '2.1.0',
      license: 'Apache-2.0',
      url: 'https://git.bandung.go.id/diskominfo/antrean-daring',
      dimensions: ['smart-governance'],
      description: 'Antrean layanan publik secara daring.',
    },
  });
  const digest = `sha256:${'c'.repeat(64)}`;
  const pinned = pinImages(
    draft,
    'compose.yaml',
    Object.fromEntries(
      draft.images.map((i) => [i.service, `${i.image.replace(/:[^:/]+$/, '')}@${digest}`]),
    ),
    {},
  ).draft;

  it('passes the manifest schema and every lint rule', () => {
    expect(manifestSchema.safeParse(pinned.manifest).error?.issues).toBeUndefined();
    const lint = lintManifestFiles(
      [{ path: 'draft.yaml', text: stringify(pinned.manifest) }],
      null,
      {
        today: '2026-12-01',
      },
    ).map(formatDiagnostic);
    expect(lint).toEqual([]);
  });

  it('gives the app and its database the same generated password', () => {
    const manifest = manifestSchema.parse(pinned.manifest);
    expect(Object.keys(manifest.secrets)).toEqual(['DB_PASSWORD']);
    const secrets = planSecrets(manifest, {
      supplied: {},
      existing: {},
      generate: () => 'generated-once-0123456789',
    });
    const config = resolveConfig(manifest, {}, new Map());
    expect(config.problems).toEqual([]);
    const state = buildDesiredState({
      manifest,
      manifestDigest: digest,
      config: config.values,
      secrets: secrets.values,
      region: { code: '52.04', name: 'Kabupaten Sumbawa' },
      revision: 1,
    });
    const env = (s: string) => state.services.find((x) => x.service === s)?.spec.env ?? {};
    expect(env('web')).toMatchObject({
      APP_NAME: 'Antrean Daring',
      TZ: 'Asia/Jakarta',
      DB_PASSWORD: 'generated-once-0123456789',
      DATABASE_URL: 'postgres://antrean:generated-once-0123456789@db:5432/antrean',
      REDIS_URL: 'redis://redis:6379/1',
    });
    expect(env('db')).toMatchObject({ POSTGRES_PASSWORD: 'generated-once-0123456789' });
    const db = state.services.find((x) => x.service === 'db');
    expect(db?.spec.healthcheck?.test).toEqual([
      'sh',
      '-c',
      'pg_isready -U ${POSTGRES_USER} -p 5432',
    ]);
    expect(draft.decisions.filter((d) => d.startsWith('secrets.'))).toEqual([
      'secrets.DB_PASSWORD: one credential, joined from services.web.environment.DB_PASSWORD, services.web.environment.DATABASE_URL, services.db.environment.POSTGRES_PASSWORD (the same variable ${DB_PASSWORD}; the same value): generated once at install and given to each of them',
    ]);
  });
});
