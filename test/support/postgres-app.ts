/**
 * A two-service test app whose database really checks its password: `db` is PostgreSQL built from
 * Debian's packages (scripts/postgres-image.js), initialised with the first DB_PASSWORD it is given
 * and keeping it; `app` answers `/cgi-bin/rows` with the database's records, read over TCP with
 * its own DB_PASSWORD (503 when the database refuses it). A regenerated or lost password therefore
 * shows as an app that does not answer, not as a healthy status.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';
import { execIn, httpGet } from './deploy-fixture.js';
import { requireEngine } from './engine.js';

let image: Promise<string> | undefined;

/**
 * Builds the image (debootstrap on the first run of a machine, about a minute; cached afterwards)
 * and pushes it to the test registry; returns its reference by digest. Once per test file.
 */
export function postgresImage(): Promise<string> {
  image ??= requireEngine().then(
    ({ registry }) =>
      new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [join(REPO_ROOT, 'scripts/postgres-image.js'), '--registry', registry],
          { timeout: 600_000, maxBuffer: 1 << 20 },
          (error, stdout, stderr) => {
            if (error)
              reject(new Error(`scripts/postgres-image.js failed: ${stderr || error.message}`));
            else resolve(stdout.trim());
          },
        );
      }),
  );
  return image;
}

export interface PostgresAppVersion {
  version: string;
  /** Also given to both services, so that a new value recreates both. */
  schema: string;
  /** The app gets a second generated secret, SMTP_PASSWORD. */
  smtp?: boolean;
  /** The app's health check asks for a page that does not exist: it never becomes healthy. */
  brokenApp?: boolean;
}

/** The manifest of `name` at `v`, publishing the app's page on config.HTTP_PORT. */
export function postgresAppManifest(name: string, v: PostgresAppVersion, imageRef: string): string {
  const page = v.brokenApp ? '/cgi-bin/no-such-page' : '/cgi-bin/rows';
  return `schemaVersion: 1
name: ${name}
version: ${v.version}
publisher: kota-bandung
title: Uji PostgreSQL ${name}
description:
  id:
    shortDescription: Aplikasi uji dengan PostgreSQL yang memeriksa kata sandi.
dimensions: [smart-governance]
categories: [testing]
license: Apache-2.0
url: https://example.org/kota-bandung/${name}
maintenance:
  type: internal
  contacts:
    - name: Tim Uji ksad
      email: uji@example.org
config:
  HTTP_PORT:
    type: port
    description: Port di host tempat halaman diterbitkan.
    default: 19170
secrets:
  DB_PASSWORD:
    description: Kata sandi basis data, dibuat saat pemasangan pertama.
    source: generate
${
  v.smtp
    ? `  SMTP_PASSWORD:
    description: Kata sandi relai surel.
    source: generate
`
    : ''
}services:
  db:
    image: ${imageRef}
    command: [/ksad/db.sh]
    environment:
      POSTGRES_PASSWORD: \${secret.DB_PASSWORD}
      SCHEMA: "${v.schema}"
    volumes:
      - name: data
        path: /var/lib/postgresql/data
    healthcheck:
      test: [/ksad/ready]
      interval: 200ms
      timeout: 2s
      retries: 100
    init: true
    stopGracePeriod: 5s
  app:
    image: ${imageRef}
    entrypoint: [/ksad/app.sh]
    environment:
      APP_VERSION: "${v.version}"
      SCHEMA: "${v.schema}"
      DB_HOST: \${service.db.host}
      DB_PASSWORD: \${secret.DB_PASSWORD}${v.smtp ? '\n      SMTP_PASSWORD: ${secret.SMTP_PASSWORD}' : ''}
    ports:
      - name: http
        container: 8080
        host: \${config.HTTP_PORT}
    healthcheck:
      test: [/ksad/busybox, wget, -q, -O, /dev/null, "http://127.0.0.1:8080${page}"]
      interval: 200ms
      timeout: 4s
      retries: ${v.brokenApp ? 2 : 100}
    dependsOn:
      db:
        condition: service_healthy
    init: true
    stopGracePeriod: 2s
`;
}

/** What the app's page says: the version it runs and the records it read with its password. */
export async function appPage(
  port: number,
): Promise<{ status: number; version?: string; records?: string[]; body: string }> {
  const r = await httpGet(`http://127.0.0.1:${port}/cgi-bin/rows`, 8000).catch((e: unknown) => ({
    status: 0,
    body: String(e),
  }));
  const version = /^version=(.*)$/m.exec(r.body)?.[1];
  const records = /^records=(.*)$/m.exec(r.body)?.[1];
  return {
    status: r.status,
    body: r.body,
    ...(version === undefined ? {} : { version }),
    ...(records === undefined ? {} : { records: records === '' ? [] : records.split(',') }),
  };
}

const PSQL =
  'psql() { "$(echo /usr/lib/postgresql/*/bin)/psql" -X -qtA -h /tmp -U postgres "$@"; }';

/** Runs SQL in the db container over its local socket (trusted), and returns what it printed. */
export async function sql(container: string, statement: string): Promise<string> {
  const { docker } = await requireEngine();
  const quoted = statement.replaceAll("'", "'\\''");
  return (await execIn(docker, container, ['sh', '-c', `${PSQL}; psql -c '${quoted}'`])).trim();
}

/** The database's records, straight from the db container. */
export async function dbRecords(container: string): Promise<string[]> {
  const out = await sql(
    container,
    "SELECT coalesce(string_agg(note, ',' ORDER BY id), '') FROM records",
  );
  return out === '' ? [] : out.split(',');
}
