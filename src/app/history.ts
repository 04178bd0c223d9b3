import { KsadError } from '../core/errors.js';
import type { ReleaseRecord, RemovalRecord } from '../core/release.js';
import type { ReleaseStore } from '../ports/release-store.js';

/** One revision of an app as `ksad history` shows it. */
export interface HistoryEntry {
  revision: number;
  version: string;
  status: ReleaseRecord['status'];
  description: string;
  manifestDigest: string;
  manifestFile: string;
  configHash: string;
  /** Image reference (pinned by digest) per service. */
  images: Record<string, string>;
  mou: ReleaseRecord['mou'];
  deployedBy: string;
  deployedAt: string;
}

export interface AppHistory {
  app: string;
  /** The revision that runs now, if any. */
  running: number | null;
  /** Records kept per app (host policy); older ones are dropped, never the running one. */
  historyLimit: number;
  /** Oldest first. */
  revisions: HistoryEntry[];
  /** The evidence kept when the app was last uninstalled; null if it never was. */
  removal: RemovalRecord | null;
}

/** Every revision of `app` recorded on the host, oldest first, and its removal evidence. */
export async function appHistory(store: ReleaseStore, app: string): Promise<AppHistory> {
  const [profile, records, [removal]] = await Promise.all([
    store.requireProfile(),
    store.releases(app),
    store.removals(app),
  ]);
  if (records.length === 0 && !removal) {
    throw new KsadError('NOT_FOUND', `${app} has no release history on this host`, {
      suggestions: ['list what is deployed: ksad list', `deploy it: ksad deploy ${app}`],
    });
  }
  const running = [...records].reverse().find((r) => r.status === 'deployed');
  return {
    app,
    running: running?.revision ?? null,
    historyLimit: profile.policy.historyLimit,
    revisions: records.map(historyEntry),
    removal: removal ?? null,
  };
}

export function historyEntry(r: ReleaseRecord): HistoryEntry {
  const images: Record<string, string> = {};
  for (const [service, s] of Object.entries(r.services).sort(([a], [b]) => a.localeCompare(b)))
    images[service] = s.image;
  return {
    revision: r.revision,
    version: r.version,
    status: r.status,
    description: r.description,
    manifestDigest: r.manifestDigest,
    manifestFile: r.manifestFile,
    configHash: r.configHash,
    images,
    mou: r.mou,
    deployedBy: r.deployedBy,
    deployedAt: r.deployedAt,
  };
}
