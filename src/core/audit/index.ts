/*
 * `ksad audit`: evidence about a host, read from the host alone (release records, containers,
 * networks, volumes, images) and compared with the catalog as it is today. Pure: every input,
 * the date included, comes in as a value.
 */

export { auditHost, currentReleases } from './audit-host.js';
export {
  AUDIT_SCHEMA_VERSION,
  FINDING_CATEGORIES,
  FINDING_SEVERITIES,
  type AuditApp,
  type AuditFinding,
  type AuditInput,
  type AuditMou,
  type AuditMouStatus,
  type AuditReport,
  type AuditService,
  type AuditSummary,
  type FindingCategory,
  type FindingCode,
  type FindingSeverity,
  type RecordEntry,
  type ServiceDrift,
} from './report-model.js';
