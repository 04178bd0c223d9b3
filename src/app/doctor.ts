import type { Catalog } from '../core/catalog-model.js';
import { hasErrors } from '../core/diagnostics.js';
import { isKsadError } from '../core/errors.js';
import type { DeployTarget } from '../ports/deploy-target.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { SwarmNode } from '../core/swarm-model.js';

export interface Check {
  name: 'engine' | 'swarm' | 'host' | 'catalog';
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** Checks, in order, what a deploy needs: the engine, the host profile, the catalog. */
export async function runDoctor(ctx: {
  store: ReleaseStore;
  target: DeployTarget;
  openCatalog: () => Promise<Catalog>;
}): Promise<Check[]> {
  const checks: Check[] = [];
  try {
    const info = await ctx.target.facts();
    checks.push({
      name: 'engine',
      status: 'ok',
      detail: `Docker ${info.version} (API ${info.apiVersion}, ${info.os}/${info.arch}) at ${info.endpoint}`,
    });
    const nodes = await ctx.target.nodes?.();
    if (nodes) checks.push(swarmCheck(nodes));
    const profile = await ctx.store.profile();
    checks.push(
      profile
        ? profile.timeZone === undefined
          ? {
              name: 'host',
              status: 'warn',
              detail: `${profile.name}: ${profile.region.name} (${profile.region.code}) has no time zone, so MoUs cannot be dated`,
              fix: `ksad host init --region ${profile.region.code} --time-zone WIB|WITA|WIT`,
            }
          : {
              name: 'host',
              status: 'ok',
              detail: `${profile.name}: ${profile.region.name} (${profile.region.code}), MoUs dated in ${profile.timeZone}, ports bind to ${profile.policy.bindAddress}`,
            }
        : {
            name: 'host',
            status: 'fail',
            detail: 'no ksad profile on this host',
            fix: 'ksad host init --region <CODE>',
          },
    );
  } catch (error) {
    checks.push({
      name: 'engine',
      status: 'fail',
      detail: error instanceof Error ? error.message : String(error),
      fix: isKsadError(error)
        ? (error.suggestions[0] ?? 'start the Docker engine')
        : 'start the Docker engine',
    });
  }
  try {
    const catalog = await ctx.openCatalog();
    const errors = hasErrors(catalog.diagnostics);
    checks.push({
      name: 'catalog',
      status: errors ? 'warn' : 'ok',
      detail: `${catalog.name}${catalog.commit ? ` @ ${catalog.commit.slice(0, 12)}` : ''}: ${catalog.members.length} members, ${catalog.mous.length} MoUs, ${catalog.manifests.length} manifests${errors ? '; some files do not parse' : ''}`,
      ...(errors ? { fix: 'ksad catalog lint' } : {}),
    });
  } catch (error) {
    checks.push({
      name: 'catalog',
      status: 'fail',
      detail: error instanceof Error ? error.message : String(error),
      fix: 'ksad catalog list; ksad catalog sync',
    });
  }
  return checks;
}

/** A swarm's nodes: a node that is down, or not ready, can hold no task. */
function swarmCheck(nodes: readonly SwarmNode[]): Check {
  const text = (n: SwarmNode): string =>
    `${n.hostname} (${n.role}${n.leader ? ', leader' : ''}, ${n.availability}, ${n.state})`;
  const down = nodes.filter((n) => n.state !== 'ready');
  const managers = nodes.filter((n) => n.role === 'manager').length;
  const detail = `${nodes.length} node(s), ${managers} manager(s): ${nodes.map(text).join('; ')}`;
  return down.length === 0
    ? { name: 'swarm', status: 'ok', detail }
    : {
        name: 'swarm',
        status: 'warn',
        detail,
        fix: `bring back or remove ${down.map((n) => n.hostname).join(', ')}: docker node ls; docker node rm`,
      };
}
