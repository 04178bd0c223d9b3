/**
 * A private copy of the sample catalog plus a three-service test app (`db` → `web`, `worker`) built
 * from the sample images, in versions chosen to exercise upgrades, failed upgrades and rollbacks,
 * with an MoU that grants it to Kabupaten Sumbawa (52.04).
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from 'node:http';
import { REPO_ROOT } from './cli.js';
import { cliProcess, type CliProcess } from './cli-process.js';
import { appManifest, sumbawaHostInit } from './deploy-fixture.js';
import { cleanupByLabel, requireEngine, type Engine } from './engine.js';

export interface AppVersion {
  version: string;
  /** Set in every service's environment, so each version recreates every service. */
  schema: string;
  /** The web health check asks for a page that does not exist: the version never becomes healthy. */
  brokenWeb?: boolean;
}

/** A manifest of the three-service app. */
export function lifecycleManifest(app: string, v: AppVersion): string {
  return appManifest({
    name: app,
    version: v.version,
    title: `Uji siklus ${app}`,
    regionName: 'Sumbawa',
    httpPort: 19190,
    env: { SCHEMA: v.schema },
    ...(v.brokenWeb
      ? {
          webHealth: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/no-such-page'],
          webRetries: 2,
        }
      : {}),
  });
}

export interface LifecycleCatalog {
  root: string;
  /** Writes (or overwrites) a manifest version; returns its path. */
  addVersion(v: AppVersion): Promise<string>;
  cleanup(): Promise<void>;
}

/** Copies the sample catalog into a temp dir and adds `app` in `versions`, granted to 52.04. */
export async function lifecycleCatalog(
  app: string,
  versions: AppVersion[],
  mouRange = '>=1.0.0 <3.0.0',
): Promise<LifecycleCatalog> {
  const root = await mkdtemp(join(tmpdir(), 'ksad-lifecycle-'));
  await cp(join(REPO_ROOT, 'catalog'), join(root, 'catalog'), { recursive: true });
  await cp(join(REPO_ROOT, 'manifests'), join(root, 'manifests'), { recursive: true });
  await writeFile(
    join(root, 'catalog/mous', `bandung-sumbawa-${app}.yaml`),
    `number: 900/${app}/KSAD/2025
title: Hibah aplikasi uji ${app} kepada Kabupaten Sumbawa
grantor: "32.73"
grantees: ["52.04"]
apps:
  - name: ${app}
    versions: "${mouRange}"
validFrom: "2025-01-01"
validUntil: "2030-12-31"
signedOn: "2024-12-20"
document:
  sha256: "0000000000000000000000000000000000000000000000000000000000000000"
  url: https://example.org/ksad/${app}.pdf
`,
  );
  const dir = join(root, 'manifests/kota-bandung', app);
  await mkdir(dir, { recursive: true });
  const addVersion = async (v: AppVersion): Promise<string> => {
    const file = join(dir, `${v.version}.yaml`);
    await writeFile(file, lifecycleManifest(app, v));
    return file;
  };
  for (const v of versions) await addVersion(v);
  return { root, addVersion, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** What a lifecycle test on the real engine works with; `close` removes all of it. */
export interface LifecycleSession {
  engine: Engine;
  catalog: LifecycleCatalog;
  /** The built CLI, run with the session's own KSAD_HOME. */
  cli: CliProcess;
  close(): Promise<void>;
}

/**
 * The engine, a fresh KSAD_HOME, a lifecycle catalog of `app` in `versions`, and the host profiled
 * for Kabupaten Sumbawa (52.04) accepting unsigned manifests, plus `hostFlags` for `host init`.
 */
export async function lifecycleSession(
  app: string,
  versions: AppVersion[],
  hostFlags: readonly string[] = [],
): Promise<LifecycleSession> {
  const engine = await requireEngine();
  const home = await mkdtemp(join(tmpdir(), 'ksad-home-'));
  const cli = cliProcess(home);
  const catalog = await lifecycleCatalog(app, versions);
  const close = async (): Promise<void> => {
    await cleanupByLabel(`id.ksad.app=${app}`);
    await catalog.cleanup();
    await rm(home, { recursive: true, force: true });
  };
  const init = cli.run([...sumbawaHostInit(catalog.root), ...hostFlags]);
  if (init.status !== 0) {
    await close();
    throw new Error(`ksad host init failed: ${init.stderr}`);
  }
  return { engine, catalog, cli, close };
}

/** The sample web page on 127.0.0.1:`port`: the version it runs and the database records it shows. */
export function samplePage(
  port: number,
): Promise<{ version: string; records: string[] } | undefined> {
  return new Promise((resolve) => {
    const req = get(`http://127.0.0.1:${port}/`, { timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const version = /id="APP_VERSION">([^<]*)</.exec(body)?.[1];
        const records = /<pre id="records">([^<]*)<\/pre>/.exec(body)?.[1];
        resolve(
          res.statusCode === 200 && version && records
            ? { version, records: records.split('\n') }
            : undefined,
        );
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}
