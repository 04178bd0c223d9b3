import type { ReleaseRecord } from '../core/release.js';
import type { DroppedValue } from '../core/remembered-values.js';
import type { Operator } from '../ports/identity.js';
import type { DeployContext, Prepared } from './prepare.js';

/** What every deploy result says, whatever its outcome. */
export interface DeploySummary {
  app: string;
  version: string;
  previousVersion: string | null;
  mou: ReleaseRecord['mou'];
  services: Array<{ service: string; action: string; reason: string }>;
  /** Published endpoints, e.g. http://127.0.0.1:18080 for service web. */
  endpoints: Array<{ service: string; name: string | null; url: string }>;
  secretsGenerated: string[];
  /** What the target warns about this release, when anything (a swarm's node-local volumes). */
  warnings?: string[];
  /** The revision whose values were reused (null: none, or `--reset-values`), and what was left out. */
  values: { reusedFrom: number | null; dropped: DroppedValue[] };
}

/** The revision a deploy records, as `deployed`; a failure records it with status `failed`. */
export function releaseRecord(
  ctx: Pick<DeployContext, 'catalog' | 'clock'> & { operator: Operator },
  p: Prepared,
  configHash: string,
  description?: string,
): ReleaseRecord {
  const { manifest } = p.loaded;
  const services: ReleaseRecord['services'] = {};
  for (const s of p.desired.services) {
    services[s.service] = {
      configHash: s.configHash,
      image: s.spec.image,
      containerName: s.spec.name,
    };
  }
  const catalog: ReleaseRecord['catalog'] = { name: ctx.catalog.name };
  if (ctx.catalog.commit !== undefined) catalog.commit = ctx.catalog.commit;
  if (ctx.catalog.origin !== undefined)
    catalog.bundle = { ...ctx.catalog.origin, images: { ...ctx.catalog.origin.images } };
  return {
    app: manifest.name,
    publisher: manifest.publisher,
    version: manifest.version,
    revision: p.desired.app.revision,
    manifestDigest: p.loaded.digest,
    manifestFile: p.loaded.file,
    catalog,
    configHash,
    services,
    levels: p.desired.levels,
    config: p.config,
    suppliedConfig: p.suppliedConfig,
    secretNames: Object.keys(manifest.secrets).sort(),
    mou: p.grant,
    signature: p.signature,
    deployedBy: `${ctx.operator.user}@${ctx.operator.hostname}`,
    deployedAt: ctx.clock.now().toISOString(),
    status: 'deployed',
    ...(Object.keys(p.serviceOverrides).length > 0 ? { serviceOverrides: p.serviceOverrides } : {}),
    ...(p.ingress !== undefined ? { ingress: p.ingress } : {}),
    description: description ?? defaultDescription(p),
  };
}

function defaultDescription(p: Prepared): string {
  const { version } = p.loaded.manifest;
  if (p.current === null) return `install ${version}`;
  if (p.current.version === version) return `update ${version} (configuration)`;
  return `upgrade ${p.current.version} → ${version}`;
}

export function deploySummary(p: Prepared): DeploySummary {
  return {
    app: p.loaded.manifest.name,
    version: p.loaded.manifest.version,
    previousVersion: p.current?.version ?? null,
    mou: p.grant,
    services: p.plan.services.map((s) => ({
      service: s.service,
      action: s.action,
      reason: s.reason,
    })),
    endpoints: endpoints(p),
    secretsGenerated: p.secrets.generated,
    ...(p.warnings.length > 0 ? { warnings: p.warnings } : {}),
    values: { reusedFrom: p.valuesFrom, dropped: p.droppedValues },
  };
}

function endpoints(p: Prepared): DeploySummary['endpoints'] {
  const out: DeploySummary['endpoints'] = [];
  for (const s of p.desired.services) {
    const declared = p.loaded.manifest.services[s.service]?.ports ?? [];
    for (const port of s.spec.ports) {
      const name = declared.find((d) => d.container === port.container)?.name ?? null;
      const scheme =
        name === 'http' || name === 'web' ? 'http' : name === 'https' ? 'https' : 'tcp';
      out.push({ service: s.service, name, url: `${scheme}://${port.hostIp}:${port.hostPort}` });
    }
  }
  return out;
}
