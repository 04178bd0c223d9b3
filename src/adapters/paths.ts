import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
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
 * The package root, which holds the embedded sample catalog (`catalog/`, `manifests/`): the
 * nearest folder above this module with ksad's package.json. Searching up, rather than counting
 * levels, finds it from `src/`, from `dist/` and from the bundled commands' chunks alike, in a
 * checkout and in an installed package.
 */
export function sampleCatalogRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isKsadPackage(manifest)) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      return fileURLToPath(new URL('../../', import.meta.url)).replace(/[\\/]$/, '');
    dir = parent;
  }
}

/** The bundled entry of the threads that check a large catalog's manifests (scripts/bundle.js). */
export function manifestWorkerScript(packageRoot: string = sampleCatalogRoot()): string {
  return join(packageRoot, 'dist', 'ksad-worker.cjs');
}

function isKsadPackage(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'ksad';
  } catch {
    return false;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
