/**
 * A private copy of the sample catalog plus a three-service test app (`db` → `web`, `worker`) built
 * from the sample images, in versions chosen to exercise upgrades, failed upgrades and rollbacks,
 * with an MoU that grants it to Kabupaten Sumbawa (52.04).
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from 'node:http';
import { REPO_ROOT } from './cli.js';

const IMAGES = {
  db: '127.0.0.1:5151/ksad-samples/db@sha256:ca6aa8ddf5a0f9921973d584a98dffb76b76d55114fa44321cc8136df5f036fb',
  web: '127.0.0.1:5151/ksad-samples/web@sha256:0bbef33c76ea0cbeeaafab346690495126f7e0156c911b8ae4e46fb3efc5a46a',
  worker:
    '127.0.0.1:5151/ksad-samples/worker@sha256:798aa0470cc17a11f0c5da632851f27b1c68b0f8ab9ec68973cd81ac1484321d',
};

export interface AppVersion {
  version: string;
  /** Set in every service's environment, so each version recreates every service. */
  schema: string;
  /** The web health check asks for a page that does not exist: the version never becomes healthy. */
  brokenWeb?: boolean;
}

/** A manifest of the three-service app. */
export function lifecycleManifest(app: string, v: AppVersion): string {
  const webCheck = v.brokenWeb
    ? 'http://127.0.0.1:8080/no-such-page'
    : 'http://127.0.0.1:8080/healthz';
  return `schemaVersion: 1
name: ${app}
version: ${v.version}
publisher: kota-bandung
title: Uji siklus ${app}
description:
  id:
    shortDescription: Aplikasi uji siklus rilis ksad.
dimensions: [smart-governance]
categories: [testing]
license: Apache-2.0
url: https://example.org/kota-bandung/${app}
maintenance:
  type: internal
  contacts:
    - name: Diskominfo Kota Bandung
      email: diskominfo@bandung.example.org
config:
  REGION_NAME:
    type: string
    description: Nama daerah.
    default: Sumbawa
  HTTP_PORT:
    type: port
    description: Port di host.
    default: 19190
secrets:
  DB_PASSWORD:
    description: Kata sandi basis data.
    source: generate
services:
  db:
    image: ${IMAGES.db}
    environment:
      DB_PASSWORD: \${secret.DB_PASSWORD}
      SCHEMA: "${v.schema}"
    volumes:
      - name: data
        path: /data
    healthcheck:
      test: [wget, -q, -O, /dev/null, "http://127.0.0.1:5432/records"]
      interval: 1s
      timeout: 2s
      retries: 20
    init: true
    stopGracePeriod: 5s
  web:
    image: ${IMAGES.web}
    environment:
      APP_TITLE: Uji Siklus
      APP_VERSION: ${v.version}
      REGION_NAME: \${config.REGION_NAME}
      DB_HOST: \${service.db.host}
      SCHEMA: "${v.schema}"
    ports:
      - name: http
        container: 8080
        host: \${config.HTTP_PORT}
    healthcheck:
      test: [wget, -q, -O, /dev/null, "${webCheck}"]
      interval: 1s
      timeout: 2s
      retries: ${v.brokenWeb ? 2 : 20}
    dependsOn:
      db:
        condition: service_healthy
    init: true
    stopGracePeriod: 5s
  worker:
    image: ${IMAGES.worker}
    environment:
      INTERVAL: "5"
      DB_HOST: \${service.db.host}
      SCHEMA: "${v.schema}"
    volumes:
      - name: worker-data
        path: /data
    dependsOn:
      db:
        condition: service_healthy
    init: true
    stopGracePeriod: 5s
`;
}

export interface LifecycleCatalog {
  root: string;
  /** Writes (or overwrites) a manifest version; returns its path. */
  addVersion(v: AppVersion): Promise<string>;
  cleanup(): Promise<void>;
}

/** Copies the sample catalog into a temp dir and adds `app` in `versions`, granted to 52.04. */
export async function lifecycleCatalog(
  app: string,
  versions: AppVersion[],
  mouRange = '>=1.0.0 <3.0.0',
): Promise<LifecycleCatalog> {
  const root = await mkdtemp(join(tmpdir(), 'ksad-lifecycle-'));
  await cp(join(REPO_ROOT, 'catalog'), join(root, 'catalog'), { recursive: true });
  await cp(join(REPO_ROOT, 'manifests'), join(root, 'manifests'), { recursive: true });
  await writeFile(
    join(root, 'catalog/mous', `bandung-sumbawa-${app}.yaml`),
    `number: 900/${app}/KSAD/2025
title: Hibah aplikasi uji ${app} kepada Kabupaten Sumbawa
grantor: "32.73"
grantees: ["52.04"]
apps:
  - name: ${app}
    versions: "${mouRange}"
validFrom: "2025-01-01"
validUntil: "2030-12-31"
signedOn: "2024-12-20"
document:
  sha256: "0000000000000000000000000000000000000000000000000000000000000000"
  url: https://example.org/ksad/${app}.pdf
`,
  );
  const dir = join(root, 'manifests/kota-bandung', app);
  await mkdir(dir, { recursive: true });
  const addVersion = async (v: AppVersion): Promise<string> => {
    const file = join(dir, `${v.version}.yaml`);
    await writeFile(file, lifecycleManifest(app, v));
    return file;
  };
  for (const v of versions) await addVersion(v);
  return { root, addVersion, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** The sample web page on 127.0.0.1:`port`: the version it runs and the database records it shows. */
export function samplePage(
  port: number,
): Promise<{ version: string; records: string[] } | undefined> {
  return new Promise((resolve) => {
    const req = get(`http://127.0.0.1:${port}/`, { timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const version = /id="APP_VERSION">([^<]*)</.exec(body)?.[1];
        const records = /<pre id="records">([^<]*)<\/pre>/.exec(body)?.[1];
        resolve(
          res.statusCode === 200 && version && records
            ? { version, records: records.split('\n') }
            : undefined,
        );
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}
