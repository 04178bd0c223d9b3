import { KsadError } from '../core/errors.js';
import type { ReleaseRecord } from '../core/release.js';
import { deployApp, type DeployResult, type DeployRunContext } from './deploy.js';
import { manifestByDigest, type DeployRequest } from './prepare.js';

export interface RollbackOptions {
  /** The revision to go back to; default: the one that ran before the running one. */
  revision?: number;
  /** Roll back although no active MoU covers that version any more; recorded with the release. */
  overrideReason?: string;
  healthTimeoutMs: number;
  command: string;
}

export interface RollbackResult {
  app: string;
  /** `rolled-back`, or `unchanged` when the host already runs exactly the target's configuration. */
  outcome: 'rolled-back' | 'unchanged';
  /** The revision whose manifest, images and configuration were re-created. */
  target: { revision: number; version: string; manifestDigest: string };
  /** What ran before. */
  from: { revision: number; version: string };
  /** The new revision recorded for the rollback. */
  revision: number;
  version: string;
  mou: ReleaseRecord['mou'];
  services: DeployResult['services'];
  endpoints: DeployResult['endpoints'];
  durationMs: number;
}

/**
 * Goes back to an earlier revision: the same manifest (found in the catalog by its digest), images
 * and configuration, with the secrets stored on the host. It is a new revision described
 * "rollback to revision N"; the replaced one is marked rolled-back and the target record stays.
 * The MoU must still grant that version, unless overridden. Health-gated like any deploy.
 */
export async function rollbackApp(
  ctx: DeployRunContext,
  app: string,
  opts: RollbackOptions,
): Promise<RollbackResult> {
  const records = await ctx.store.releases(app);
  const current = [...records].reverse().find((r) => r.status === 'deployed');
  if (!current) {
    throw new KsadError(
      'NOT_FOUND',
      `${app} is not deployed on this host, so there is nothing to roll back`,
      {
        suggestions:
          records.length > 0
            ? [
                `see its history: ksad history ${app}`,
                `deploy a version: ksad deploy ${app}@VERSION`,
              ]
            : ['list what is deployed: ksad list'],
      },
    );
  }
  const target = pickTarget(app, records, current, opts.revision);
  // Checked here too, so a missing manifest is reported before the lock is taken.
  manifestByDigest(ctx.catalog, target);

  const req: DeployRequest = {
    ref: `${target.publisher}/${target.app}@${target.version}`,
    overlays: [],
    sets: [],
    suppliedSecrets: {},
    pinned: {
      manifestDigest: target.manifestDigest,
      manifestFile: target.manifestFile,
      config: target.config,
      ...(target.ingress !== undefined ? { ingress: target.ingress } : {}),
      ...(target.suppliedConfig !== undefined ? { suppliedConfig: target.suppliedConfig } : {}),
      ...(target.serviceOverrides !== undefined
        ? { serviceOverrides: target.serviceOverrides }
        : {}),
    },
  };
  if (opts.overrideReason !== undefined) req.overrideReason = opts.overrideReason;
  const result = await deployApp(ctx, req, {
    healthTimeoutMs: opts.healthTimeoutMs,
    command: opts.command,
    description: `rollback to revision ${target.revision}`,
    replacedStatus: 'rolled-back',
  });
  return {
    app,
    outcome: result.outcome === 'unchanged' ? 'unchanged' : 'rolled-back',
    target: {
      revision: target.revision,
      version: target.version,
      manifestDigest: target.manifestDigest,
    },
    from: { revision: current.revision, version: current.version },
    revision: result.revision,
    version: result.version,
    mou: result.mou,
    services: result.services,
    endpoints: result.endpoints,
    durationMs: result.durationMs,
  };
}

/** Revisions that ran (not failed ones), so they can be returned to. */
const RAN: ReadonlySet<ReleaseRecord['status']> = new Set([
  'superseded',
  'rolled-back',
  'uninstalled',
]);

/** The requested revision, or the newest one before the running one that ran. */
export function pickTarget(
  app: string,
  records: readonly ReleaseRecord[],
  current: ReleaseRecord,
  revision: number | undefined,
): ReleaseRecord {
  const candidates = records.filter((r) => RAN.has(r.status) && r.revision !== current.revision);
  const listed =
    candidates.map((r) => `${r.revision} (${r.version}, ${r.status})`).join(', ') || 'none';
  if (revision === undefined) {
    const previous = [...candidates].reverse().find((r) => r.revision < current.revision);
    if (previous) return previous;
    throw new KsadError(
      'NOT_FOUND',
      `${app} has no earlier revision to roll back to (running: revision ${current.revision})`,
      {
        suggestions: [`see its history: ksad history ${app}`],
      },
    );
  }
  const found = records.find((r) => r.revision === revision);
  if (!found) {
    throw new KsadError(
      'NOT_FOUND',
      `${app} has no revision ${revision} on this host; revisions to roll back to: ${listed}`,
      {
        suggestions: [
          `see its history: ksad history ${app}`,
          'older revisions are dropped past the host policy historyLimit',
        ],
      },
    );
  }
  if (found.revision === current.revision) {
    throw new KsadError(
      'USAGE',
      `revision ${revision} of ${app} is the one running; nothing to roll back to`,
      {
        suggestions: [`revisions to roll back to: ${listed}`],
      },
    );
  }
  if (found.status === 'failed') {
    throw new KsadError(
      'USAGE',
      `revision ${revision} of ${app} failed to deploy and never ran; roll back to one that ran`,
      {
        suggestions: [`revisions to roll back to: ${listed}`],
      },
    );
  }
  return found;
}
