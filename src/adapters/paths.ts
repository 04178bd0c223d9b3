import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface KsadDirs {
  /** Settings the user made: `catalogs.json`, host profiles. */
  config: string;
  /** Things ksad can fetch again: catalog clones. */
  cache: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `KSAD_HOME` puts everything under one folder (tests and portable installs use it); otherwise
 * the XDG base directories, falling back to `~/.config/ksad` and `~/.cache/ksad`.
 */
export function ksadDirs(env: Env = process.env): KsadDirs {
  const home = nonEmpty(env.KSAD_HOME);
  if (home !== undefined) return { config: home, cache: join(home, 'cache') };
  const config = nonEmpty(env.XDG_CONFIG_HOME) ?? join(homedir(), '.config');
  const cache = nonEmpty(env.XDG_CACHE_HOME) ?? join(homedir(), '.cache');
  return { config: join(config, 'ksad'), cache: join(cache, 'ksad') };
}

/**
 * The package root, which holds the embedded sample catalog (`catalog/`, `manifests/`). This
 * module sits two levels below it both as `src/adapters/paths.ts` and as `dist/adapters/paths.js`,
 * in a checkout and in an installed package alike.
 */
export function sampleCatalogRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url)).replace(/[\\/]$/, '');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
