import { Label, names, PARKED_SUFFIX } from '../labels.js';
import type { ReleaseRecord } from '../release.js';
import { finding } from './finding.js';
import type { AuditFinding, AuditInput, RecordEntry } from './report-model.js';

// ---------------------------------------------------------------------------------------------
// Resources that belong to no release

export function orphanFindings(
  input: AuditInput,
  entries: readonly RecordEntry[],
  deployed: ReadonlyMap<string, ReleaseRecord>,
): AuditFinding[] {
  const out: AuditFinding[] = [];
  const latest = new Map<string, ReleaseRecord>();
  for (const e of entries) {
    if (!('record' in e)) continue;
    const seen = latest.get(e.record.app);
    if (!seen || seen.revision < e.record.revision) latest.set(e.record.app, e.record);
  }
  const hasRecords = (app: string): boolean =>
    entries.some((e) => ('record' in e ? e.record.app : e.app) === app);
  const about = (app: string): ReleaseRecord | string => deployed.get(app) ?? app;
  const whyNoRelease = (app: string): string => {
    if (app === '') return 'it has no id.ksad.app label';
    const last = latest.get(app);
    if (last?.status === 'uninstalled') return `${app} was uninstalled (revision ${last.revision})`;
    if (last)
      return `${app} has no deployed release (latest revision ${last.revision} is ${last.status})`;
    return `${app} has no release record on this host`;
  };

  for (const lock of input.locks) {
    // An unreadable holder is still a held lock.
    const h = lock.holder;
    const holder = h ? `${h.user}@${h.hostname} ("${h.command}") since ${h.since}` : 'someone';
    out.push(
      finding(
        about(lock.app),
        'orphan',
        'info',
        'lock-held',
        lock.where,
        `${lock.app} is locked by ${holder}; if no ksad command runs, clear it with: ksad unlock ${lock.app}`,
      ),
    );
  }

  for (const c of input.containers) {
    const app = c.labels[Label.app] ?? '';
    const kind = c.labels[Label.kind];
    const subject = `container ${c.name}`;
    if (kind !== 'container') {
      out.push(
        finding(
          about(app),
          'orphan',
          'warning',
          'orphan-container',
          subject,
          `orphan: container carries ksad's labels with kind "${kind ?? ''}", which ksad never gives a container`,
        ),
      );
      continue;
    }
    const record = deployed.get(app);
    if (!record) {
      out.push(
        finding(
          app,
          'orphan',
          'warning',
          'orphan-container',
          subject,
          `orphan: ${whyNoRelease(app)}`,
        ),
      );
      continue;
    }
    const names = Object.values(record.services).map((s) => s.containerName);
    if (names.includes(c.name)) continue;
    const parked = PARKED_SUFFIX.test(c.name);
    out.push(
      finding(
        record,
        'orphan',
        'warning',
        'orphan-container',
        subject,
        parked
          ? `orphan: left by an interrupted deploy; the next deploy of ${app} recovers or removes it`
          : `orphan: not part of release r${record.revision} (service "${c.labels[Label.service] ?? ''}")`,
      ),
    );
  }

  for (const n of input.networks) {
    const app = n.labels[Label.app] ?? '';
    const kind = n.labels[Label.kind];
    const subject = `network ${n.name}`;
    if (kind === 'network' && deployed.has(app) && n.name === names.network(app)) continue;
    out.push(
      finding(
        about(app),
        'orphan',
        'warning',
        'orphan-network',
        subject,
        kind === 'network'
          ? `orphan: ${deployed.has(app) ? `not the network of ${app}` : whyNoRelease(app)}`
          : `orphan: network carries ksad's labels with kind "${kind ?? ''}"`,
      ),
    );
  }

  for (const s of input.secrets) {
    if (hasRecords(s.app)) continue;
    out.push(
      finding(
        s.app,
        'orphan',
        'warning',
        'orphan-secrets',
        s.where,
        `orphan: secrets of ${s.app}, which has no release record on this host`,
      ),
    );
  }

  for (const v of input.volumes) {
    const app = v.labels[Label.app] ?? '';
    const kind = v.labels[Label.kind];
    const subject = `volume ${v.name}`;
    switch (kind) {
      case 'volume': {
        const record = deployed.get(app);
        if (record) {
          const manifest = input.catalog.manifests.find((m) => m.digest === record.manifestDigest);
          const used = manifest
            ? Object.values(manifest.manifest.services).some((s) =>
                s.volumes.some((x) => x.name !== undefined && names.volume(app, x.name) === v.name),
              )
            : true;
          if (!used) {
            out.push(
              finding(
                record,
                'orphan',
                'info',
                'unused-volume',
                subject,
                `no service of release r${record.revision} mounts it; its data is kept`,
              ),
            );
          }
        } else if (latest.get(app)?.status === 'uninstalled') {
          out.push(
            finding(
              app,
              'orphan',
              'info',
              'kept-data',
              subject,
              `data kept after ${app} was uninstalled; remove it with: ksad uninstall ${app} --purge-data`,
            ),
          );
        } else {
          out.push(
            finding(
              app,
              'orphan',
              'warning',
              'orphan-volume',
              subject,
              `orphan: ${whyNoRelease(app)}`,
            ),
          );
        }
        break;
      }
      default:
        out.push(
          finding(
            about(app),
            'orphan',
            'warning',
            'orphan-volume',
            subject,
            `orphan: volume carries ksad's labels with kind "${kind ?? ''}"`,
          ),
        );
    }
  }
  return out;
}
