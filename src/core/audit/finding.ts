import type { ReleaseRecord } from '../release.js';
import {
  FINDING_CATEGORIES,
  type AuditFinding,
  type FindingCategory,
  type FindingCode,
  type FindingSeverity,
} from './report-model.js';

export type Add = (
  category: FindingCategory,
  severity: FindingSeverity,
  code: FindingCode,
  subject: string,
  message: string,
) => void;

const SEVERITY_ORDER: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };

export function byFindingOrder(a: AuditFinding, b: AuditFinding): number {
  return (
    a.app.localeCompare(b.app) ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    FINDING_CATEGORIES.indexOf(a.category) - FINDING_CATEGORIES.indexOf(b.category) ||
    a.subject.localeCompare(b.subject) ||
    a.message.localeCompare(b.message)
  );
}

export function finding(
  about: ReleaseRecord | string,
  category: FindingCategory,
  severity: FindingSeverity,
  code: FindingCode,
  subject: string,
  message: string,
): AuditFinding {
  const base =
    typeof about === 'string'
      ? { app: about, version: '', revision: null }
      : { app: about.app, version: about.version, revision: about.revision };
  return { ...base, category, severity, code, subject, message };
}
