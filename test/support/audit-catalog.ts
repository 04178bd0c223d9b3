/**
 * A catalog folder for `ksad audit` tests: the sample catalog plus `uji-audit-*` apps built from
 * the sample images, granted to Kabupaten Sumbawa (52.04) by one MoU valid 2025-01-01..2030-12-31.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

export const AUDIT_MOU = {
  file: 'catalog/mous/bandung-sumbawa-uji-audit.yaml',
  number: '119/0001/UJI-AUDIT/2025',
  validUntil: '2030-12-31',
};

const images = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'scripts/images/digests.json'), 'utf8')) as {
    images: Record<'web' | 'db' | 'worker', string>;
  }
).images;

export interface AuditAppSpec {
  name: string;
  version: string;
  /** Host port of the web service (19200-19299). */
  port: number;
  /** web + db (with a generated DB_PASSWORD) + worker; otherwise web only. */
  threeServices?: boolean;
}

function manifest(app: AuditAppSpec): string {
  const head = `schemaVersion: 1
name: ${app.name}
version: ${app.version}
publisher: kota-bandung
title: Uji Audit ${app.name}
description:
  id:
    shortDescription: Aplikasi uji untuk audit ksad.
dimensions: [smart-governance]
license: Apache-2.0
url: https://git.bandung.go.id/diskominfo/${app.name}
maintenance:
  type: internal
config:
  REGION_NAME:
    type: string
    description: Nama daerah.
    default: Kabupaten Sumbawa
  HTTP_PORT:
    type: port
    description: Port di host.
    default: ${app.port}
`;
  const web = (db: boolean) => `  web:
    image: ${images.web}
    environment:
      APP_TITLE: Uji Audit
      APP_VERSION: ${app.version}
      REGION_NAME: \${config.REGION_NAME}
      REGION_CODE: \${region.code}
${db ? '      DB_HOST: ${service.db.host}\n      DB_PASSWORD: ${secret.DB_PASSWORD}\n' : ''}    ports:
      - name: http
        container: 8080
        host: \${config.HTTP_PORT}
    healthcheck:
      test: [wget, -q, -O, /dev/null, "http://127.0.0.1:8080/healthz"]
      interval: 1s
      timeout: 2s
      retries: 30
${db ? '    dependsOn:\n      db:\n        condition: service_healthy\n' : ''}    init: true
    stopGracePeriod: 2s
`;
  if (!app.threeServices) return `${head}services:\n${web(false)}`;
  return `${head}secrets:
  DB_PASSWORD:
    description: Kata sandi basis data.
    source: generate
services:
  db:
    image: ${images.db}
    environment:
      DB_PASSWORD: \${secret.DB_PASSWORD}
    volumes:
      - name: data
        path: /data
    healthcheck:
      test: [wget, -q, -O, /dev/null, "http://127.0.0.1:5432/records"]
      interval: 1s
      timeout: 2s
      retries: 30
    init: true
    stopGracePeriod: 2s
${web(true)}  worker:
    image: ${images.worker}
    environment:
      INTERVAL: "5"
      DB_HOST: \${service.db.host}
    dependsOn:
      db:
        condition: service_healthy
    init: true
    stopGracePeriod: 2s
`;
}

/** Writes the catalog under `dir` (which must not exist yet) and returns `dir`. */
export function writeAuditCatalog(dir: string, apps: readonly AuditAppSpec[]): string {
  cpSync(join(REPO_ROOT, 'catalog'), join(dir, 'catalog'), { recursive: true });
  cpSync(join(REPO_ROOT, 'manifests'), join(dir, 'manifests'), { recursive: true });
  for (const app of apps) {
    const folder = join(dir, 'manifests/kota-bandung', app.name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `${app.version}.yaml`), manifest(app));
  }
  const names = [...new Set(apps.map((a) => a.name))];
  writeFileSync(
    join(dir, AUDIT_MOU.file),
    `number: ${AUDIT_MOU.number}
title: Hibah aplikasi uji audit Kota Bandung kepada Kabupaten Sumbawa
grantor: "32.73"
grantees: ["52.04"]
apps:
${names.map((n) => `  - name: ${n}`).join('\n')}
validFrom: "2025-01-01"
validUntil: "${AUDIT_MOU.validUntil}"
document:
  sha256: ${'ab'.repeat(32)}
`,
  );
  return dir;
}
