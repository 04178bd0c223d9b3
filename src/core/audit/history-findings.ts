import type { ReleaseRecord } from '../release.js';
import { finding } from './finding.js';
import type { AuditFinding, RecordEntry } from './report-model.js';

// ---------------------------------------------------------------------------------------------
// Revisions missing from the history

/**
 * Revisions that should be recorded and are not. The host drops the oldest records only past its
 * history limit, so while an app keeps fewer records than the limit every revision from 1 to the
 * newest must be there: a missing one was lost (or removed by hand).
 */
export function historyGaps(
  entries: readonly RecordEntry[],
  limit: number,
  deployed: ReadonlyMap<string, ReleaseRecord>,
): AuditFinding[] {
  const byApp = new Map<string, Set<number>>();
  for (const e of entries) {
    if (!('record' in e)) continue;
    const seen = byApp.get(e.record.app) ?? new Set<number>();
    seen.add(e.record.revision);
    byApp.set(e.record.app, seen);
  }
  const out: AuditFinding[] = [];
  for (const [app, revisions] of byApp) {
    if (revisions.size >= limit) continue;
    const newest = Math.max(...revisions);
    const missing = Array.from({ length: newest }, (_, i) => i + 1).filter(
      (r) => !revisions.has(r),
    );
    if (missing.length === 0) continue;
    const list = missing.join(', ');
    out.push(
      finding(
        deployed.get(app) ?? app,
        'integrity',
        'error',
        'history-gap',
        `history of ${app}`,
        `revision${missing.length === 1 ? '' : 's'} ${list} of ${app} ${missing.length === 1 ? 'is' : 'are'} missing from the host's history (${revisions.size} kept, limit ${limit}): a record was lost or removed by hand`,
      ),
    );
  }
  return out;
}
