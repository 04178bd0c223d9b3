import type { Catalog } from '../core/catalog-model.js';
import { hasErrors } from '../core/diagnostics.js';
import { isKsadError } from '../core/errors.js';
import type { DeployTarget } from '../ports/deploy-target.js';
import type { ReleaseStore } from '../ports/release-store.js';

export interface Check {
  name: 'engine' | 'host' | 'catalog';
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
