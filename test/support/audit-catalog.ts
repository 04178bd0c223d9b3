/**
 * A catalog folder for `ksad audit` tests: the sample catalog plus `uji-audit-*` apps built from
 * the sample images, granted to Kabupaten Sumbawa (52.04) by one MoU valid 2025-01-01..2030-12-31.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';
import { appManifest } from './deploy-fixture.js';

export const AUDIT_MOU = {
  file: 'catalog/mous/bandung-sumbawa-uji-audit.yaml',
  number: '119/0001/UJI-AUDIT/2025',
  validUntil: '2030-12-31',
};

export interface AuditAppSpec {
  name: string;
  version: string;
  /** Host port of the web service (19200-19299). */
  port: number;
  /** web + db (with a generated DB_PASSWORD) + worker; otherwise web only. */
  threeServices?: boolean;
}

function manifest(app: AuditAppSpec): string {
  return appManifest({
    name: app.name,
    version: app.version,
    title: `Uji Audit ${app.name}`,
    regionName: 'Kabupaten Sumbawa',
    httpPort: app.port,
    ...(app.threeServices ? {} : { services: ['web'] as const }),
  });
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
