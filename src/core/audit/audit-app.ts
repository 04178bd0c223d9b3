import type { Catalog, LoadedManifest } from '../catalog-model.js';
import type { ReleaseRecord } from '../release.js';
import { finding, type Add } from './finding.js';
import { auditRoutes } from './ingress-findings.js';
import { auditMou } from './mou-findings.js';
import { rebuild } from './rebuild.js';
import type {
  AuditApp,
  AuditFinding,
  AuditInput,
  FindingCategory,
  FindingCode,
  FindingSeverity,
} from './report-model.js';
import { auditServices } from './service-findings.js';
import { auditUpdates } from './update-findings.js';

// ---------------------------------------------------------------------------------------------
// One deployed app

export function auditApp(
  input: AuditInput,
  record: ReleaseRecord,
  storedSecrets: Record<string, string> | null | undefined,
): AuditApp {
  const findings: AuditFinding[] = [];
  const add = (
    category: FindingCategory,
    severity: FindingSeverity,
    code: FindingCode,
    subject: string,
    message: string,
  ): void => {
    findings.push(finding(record, category, severity, code, subject, message));
  };

  const { loaded, status: manifestStatus } = findManifest(input.catalog, record, add);
  const mou = auditMou(input, record, loaded, add);
  const rebuilt = rebuild(input, record, loaded, storedSecrets, add);
  const services = auditServices(input, record, loaded, rebuilt, add);
  const updates = auditUpdates(input, record, add);
  const routed = auditRoutes(record.app, input.containers, input.ingress);
  for (const f of routed.findings) add('ingress', f.severity, f.code, f.subject, f.message);
  const drifted =
    services.some((s) => s.drift !== 'in-sync') ||
    findings.some((f) => f.category === 'drift' && f.severity !== 'info');
  const unverified = findings.some((f) => f.code === 'drift-unverified');

  return {
    app: record.app,
    publisher: record.publisher,
    version: record.version,
    revision: record.revision,
    description: record.description,
    deployedBy: record.deployedBy,
    deployedAt: record.deployedAt,
    catalog: { name: record.catalog.name, commit: record.catalog.commit ?? null },
    manifest: { file: record.manifestFile, digest: record.manifestDigest, status: manifestStatus },
    mou,
    services,
    routes: routed.routes,
    drift: drifted ? 'drifted' : unverified ? 'unverified' : 'in-sync',
    updates,
    findings,
  };
}

function findManifest(
  catalog: Catalog,
  record: ReleaseRecord,
  add: Add,
): { loaded: LoadedManifest | undefined; status: AuditApp['manifest']['status'] } {
  const subject = `manifest ${record.manifestFile}`;
  const byDigest = catalog.manifests.find((m) => m.digest === record.manifestDigest);
  const atFile = catalog.manifests.find((m) => m.file === record.manifestFile);
  if (byDigest) {
    const { name, publisher, version } = byDigest.manifest;
    if (name !== record.app || publisher !== record.publisher || version !== record.version) {
      add(
        'integrity',
        'error',
        'manifest-changed',
        subject,
        `the manifest with the recorded digest describes ${publisher}/${name}@${version}, not ${record.publisher}/${record.app}@${record.version}`,
      );
    } else if (byDigest.file !== record.manifestFile) {
      add(
        'integrity',
        'info',
        'manifest-moved',
        subject,
        `manifest moved in catalog: now at ${byDigest.file} (same digest)`,
      );
    }
    return { loaded: byDigest, status: 'present' };
  }
  if (atFile) {
    add(
      'integrity',
      'error',
      'manifest-changed',
      subject,
      `manifest changed in catalog: ${atFile.file} now has digest ${atFile.digest}; the release was deployed from ${record.manifestDigest}`,
    );
    return { loaded: undefined, status: 'changed' };
  }
  add(
    'integrity',
    'error',
    'manifest-missing',
    subject,
    `manifest ${record.manifestDigest} (${record.manifestFile}) is not in catalog "${catalog.name}" (deployed from catalog "${record.catalog.name}")`,
  );
  return { loaded: undefined, status: 'missing' };
}
