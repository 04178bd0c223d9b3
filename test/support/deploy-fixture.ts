/**
 * Shared by the deploy tests that drive the built CLI against the real engine: a temp catalog (the
 * sample one plus the test's own apps and MoU), a runner that keeps a transcript of everything
 * the CLI printed (to prove no secret ever leaks), and a guard that puts the shared host profile
 * back the way the test found it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { readPins } from '../../scripts/build-images.js';
import { DockerodeEngine } from '../../src/adapters/dockerode-engine.js';
import { DockerHostReleaseStore } from '../../src/targets/docker-host/release-store.js';
import { mouYaml, writeFiles } from './catalog-fixture.js';
import { REPO_ROOT } from './cli.js';

/** The sample images pinned by digest (`127.0.0.1:5151/ksad-samples/<name>@sha256:…`). */
export function sampleImage(name: 'web' | 'db' | 'worker'): string {
  const ref = readPins().images?.[name];
  if (ref === undefined) throw new Error(`scripts/images/digests.json pins no "${name}" image`);
  return ref;
}

/** `prefix-<8 hex>`: an app name no other engineer's test uses, even across runs. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface AppManifestOptions {
  name: string;
  version: string;
  /** Services to include, in this order (default web, db, worker). */
  services?: ReadonlyArray<'web' | 'db' | 'worker'>;
  /** Image refs by service; default the pinned sample images. */
  images?: Partial<Record<'web' | 'db' | 'worker', string>>;
  /** The web service's healthcheck command (default: GET /healthz). */
  webHealth?: string[];
  /** Retries of the web healthcheck (default 30). */
  webRetries?: number;
  /** Default 'Uji Deploy'. */
  title?: string;
  /** Set in every service's environment (e.g. so that each version recreates every service). */
  env?: Record<string, string>;
  /** Default of config.REGION_NAME; without it the key is required. */
  regionName?: string;
  /** Default of config.HTTP_PORT (19099). */
  httpPort?: number;
}

/**
 * A manifest shaped like the sample antrean-daring (web → db, worker → db, a generated
 * DB_PASSWORD, a data volume on db) with 1 s health intervals so tests stay quick.
 */
export function appManifest(o: AppManifestOptions): string {
  const services = o.services ?? ['web', 'db', 'worker'];
  const image = (s: 'web' | 'db' | 'worker'): string => o.images?.[s] ?? sampleImage(s);
  const hasDb = services.includes('db');
  const dependsOnDb = hasDb
    ? '\n    dependsOn:\n      db:\n        condition: service_healthy'
    : '';
  const env = Object.entries(o.env ?? {})
    .map(([k, v]) => `\n      ${k}: ${JSON.stringify(v)}`)
    .join('');
  const blocks: Record<'web' | 'db' | 'worker', string> = {
    db: `  db:
    image: ${image('db')}
    environment:
      DB_PASSWORD: \${secret.DB_PASSWORD}${env}
    volumes:
      - name: data
        path: /data
    healthcheck:
      test: [wget, -q, -O, /dev/null, "http://127.0.0.1:5432/records"]
      interval: 1s
      timeout: 2s
      retries: 30
    init: true
    stopGracePeriod: 2s`,
    web: `  web:
    image: ${image('web')}
    environment:
      APP_TITLE: Uji Deploy
      APP_VERSION: ${o.version}
      REGION_NAME: \${config.REGION_NAME}
      REGION_CODE: \${region.code}
      WELCOME_MESSAGE: \${config.WELCOME_MESSAGE}${hasDb ? '\n      DB_HOST: ${service.db.host}\n      DB_PASSWORD: ${secret.DB_PASSWORD}' : ''}${env}
    ports:
      - name: http
        container: 8080
        host: \${config.HTTP_PORT}
    healthcheck:
      test: ${JSON.stringify(o.webHealth ?? ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/healthz'])}
      interval: 1s
      timeout: 2s
      retries: ${o.webRetries ?? 30}${dependsOnDb}
    resources:
      memory: 128m
    init: true
    stopGracePeriod: 2s`,
    worker: `  worker:
    image: ${image('worker')}
    environment:
      INTERVAL: "5"${hasDb ? '\n      DB_HOST: ${service.db.host}' : ''}${env}
    volumes:
      - name: worker-data
        path: /data${dependsOnDb}
    init: true
    stopGracePeriod: 2s`,
  };
  return `schemaVersion: 1
name: ${o.name}
version: ${o.version}
publisher: kota-bandung
title: ${o.title ?? 'Uji Deploy'}
description:
  id:
    shortDescription: Aplikasi uji untuk ksad deploy.
  en:
    shortDescription: A test app for ksad deploy.
dimensions: [smart-governance]
categories: [testing]
license: Apache-2.0
url: https://example.org/kota-bandung/${o.name}
maintenance:
  type: internal
  contacts:
    - name: Tim Uji ksad
      email: uji@example.org
config:
  REGION_NAME:
    type: string
    description: Nama daerah yang tampil di halaman.
    ${o.regionName === undefined ? 'required: true' : `default: ${o.regionName}`}
  HTTP_PORT:
    type: port
    description: Port di host tempat halaman diterbitkan.
    default: ${o.httpPort ?? 19099}
  WELCOME_MESSAGE:
    type: string
    description: Pesan sambutan.
    default: Selamat datang.
${
  hasDb
    ? `secrets:
  DB_PASSWORD:
    description: Kata sandi basis data, dibuat saat pemasangan pertama.
    source: generate
`
    : ''
}services:
${services.map((s) => blocks[s]).join('\n')}
`;
}

/** `catalog/mous/<slug>.yaml` granting `apps` (all versions) from Kota Bandung to `grantees`. */
export function grantFile(
  slug: string,
  options: {
    number: string;
    grantees: string[];
    apps: string[];
    validFrom?: string;
    validUntil?: string;
  },
): Record<string, string> {
  return {
    [`catalog/mous/${slug}.yaml`]: mouYaml({
      number: options.number,
      title: `Uji ksad deploy ${options.number}`,
      grantees: options.grantees,
      apps: options.apps.map((name) => ({ name })),
      validFrom: options.validFrom ?? '2025-01-01',
      validUntil: options.validUntil ?? '2099-12-31',
    }),
  };
}

/** `manifests/kota-bandung/<name>/<version>.yaml` → text, for writeFiles. */
export function manifestFile(options: AppManifestOptions): Record<string, string> {
  return {
    [`manifests/kota-bandung/${options.name}/${options.version}.yaml`]: appManifest(options),
  };
}

export interface TempCatalog {
  root: string;
  remove(): Promise<void>;
}

/** A copy of the sample catalog (catalog/ and manifests/) with `extra` files added. */
export async function tempCatalog(extra: Record<string, string>): Promise<TempCatalog> {
  const root = await mkdtemp(join(tmpdir(), 'ksad-deploy-catalog-'));
  await cp(join(REPO_ROOT, 'catalog'), join(root, 'catalog'), { recursive: true });
  await cp(join(REPO_ROOT, 'manifests'), join(root, 'manifests'), { recursive: true });
  await writeFiles(root, extra);
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, or undefined. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on the CLI's JSON freely
  json: any;
  /** For assertion messages. */
  said: string;
}

/**
 * Runs the built CLI (`npm run build` first) asynchronously, so a test can hold a port or serve
 * while it runs. Every output is kept in `transcript`.
 */
export class KsadCli {
  readonly transcript: string[] = [];

  constructor(readonly options: { home: string; dockerHost: string; cwd?: string }) {}

  run(
    args: readonly string[],
    {
      timeoutMs = 100_000,
      env: extraEnv = {},
    }: { timeoutMs?: number; env?: Record<string, string> } = {},
  ): Promise<RunResult> {
    const env: NodeJS.ProcessEnv = {};
    // Secrets supplied through the environment would change what is deployed; tests start clean.
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('KSAD_SECRET_')) env[k] = v;
    Object.assign(env, {
      KSAD_HOME: this.options.home,
      DOCKER_HOST: this.options.dockerHost,
      NO_COLOR: '1',
      ...extraEnv,
    });
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'run.js'), ...args], {
        cwd: this.options.cwd ?? REPO_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(timer);
        this.transcript.push(`$ ksad ${args.join(' ')}\n${stdout}\n${stderr}`);
        let json: unknown;
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
        const said = `ksad ${args.join(' ')} → exit ${status}\nstdout: ${stdout.slice(0, 4000)}\nstderr: ${stderr.slice(0, 4000)}`;
        resolve({ status, stdout, stderr, json, said });
      });
    });
  }
}

function statusCode(error: unknown): number | undefined {
  const code: unknown =
    typeof error === 'object' && error !== null && 'statusCode' in error
      ? error.statusCode
      : undefined;
  return typeof code === 'number' ? code : undefined;
}

const HOST_VOLUME = 'ksad-host';

/**
 * The host profile (`ksad-host` volume) is one per engine, shared by every test file. Snapshot it
 * before the test's `host init`; `restore()` puts it back when this test changed it (region, name
 * or policy), or removes it when it did not exist before. A profile another test wrote meanwhile
 * (not one this test wrote) is left alone.
 */
export async function guardHostProfile(docker: Docker): Promise<{
  /** Call with each `host init --json` result's profile (`json.profile`). */
  wrote(profile: unknown): void;
  restore(): Promise<void>;
}> {
  const inspect = async (): Promise<Record<string, string> | null> => {
    try {
      const v = await docker.getVolume(HOST_VOLUME).inspect();
      return v.Labels ?? {};
    } catch (error) {
      if (statusCode(error) === 404) return null;
      throw error;
    }
  };
  interface ProfileRecord {
    region?: unknown;
    name?: unknown;
    policy?: unknown;
    initializedAt?: unknown;
  }
  const record = (labels: Record<string, string> | null): ProfileRecord | null => {
    const raw = labels?.['id.ksad.record'];
    return raw === undefined ? null : (JSON.parse(raw) as ProfileRecord);
  };
  const before = await inspect();
  const ours = new Set<string>();
  return {
    wrote(profile) {
      const at = (profile as ProfileRecord | undefined)?.initializedAt;
      if (typeof at === 'string') ours.add(at);
    },
    async restore() {
      const now = await inspect();
      const current = record(now);
      if (current === null || !ours.has(String(current.initializedAt))) return;
      const old = record(before);
      const same = (a: ProfileRecord, b: ProfileRecord): boolean =>
        JSON.stringify([a.region, a.name, a.policy]) ===
        JSON.stringify([b.region, b.name, b.policy]);
      if (old !== null && same(old, current)) return;
      try {
        await docker.getVolume(HOST_VOLUME).remove();
      } catch (error) {
        if (statusCode(error) !== 404) throw error;
      }
      if (before !== null) await docker.createVolume({ Name: HOST_VOLUME, Labels: before });
    },
  };
}

/** GET `url`; resolves with status and body (never follows redirects). */
export function httpGet(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Names of what the engine has for `app` (by ksad's app label): containers, networks, volumes. */
export async function leftovers(
  docker: Docker,
  app: string,
): Promise<{ containers: string[]; running: string[]; networks: string[]; volumes: string[] }> {
  const filters = { label: [`id.ksad.app=${app}`] };
  // The secrets vault's never-started marker is the release store's, kept with its volume (listed).
  const containers = (await docker.listContainers({ all: true, filters })).filter(
    (c) => c.Labels['id.ksad.kind'] !== 'vault',
  );
  const networks = await docker.listNetworks({ filters });
  const { Volumes: volumes } = await docker.listVolumes({ filters });
  const bare = (n: string | undefined): string => (n ?? '').replace(/^\//, '');
  return {
    containers: containers.map((c) => bare(c.Names[0])).sort(),
    running: containers
      .filter((c) => c.State === 'running')
      .map((c) => bare(c.Names[0]))
      .sort(),
    networks: networks.map((n) => n.Name).sort(),
    volumes: (volumes ?? []).map((v) => v.Name).sort(),
  };
}

/** Container id by name, or null. */
export async function containerId(docker: Docker, name: string): Promise<string | null> {
  try {
    return (await docker.getContainer(name).inspect()).Id;
  } catch (error) {
    if (statusCode(error) === 404) return null;
    throw error;
  }
}

/** stdout of `cmd` run inside container `name` (docker exec). */
export async function execIn(docker: Docker, name: string, cmd: string[]): Promise<string> {
  const exec = await docker
    .getContainer(name)
    .exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  // Demultiplex the engine's 8-byte frame headers (no TTY).
  const all = Buffer.concat(chunks);
  let out = '';
  for (let i = 0; i + 8 <= all.length;) {
    const size = all.readUInt32BE(i + 4);
    if (all[i] === 1) out += all.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return out;
}

/**
 * `host init` for Kabupaten Sumbawa (52.04) reading `catalogRoot`. Test manifests carry no
 * signature, so the host allows unsigned ones (recorded with each release).
 */
export function sumbawaHostInit(catalogRoot: string): string[] {
  return [
    'host',
    'init',
    '--region',
    '52.04',
    '--allow-unsigned',
    '--catalog',
    catalogRoot,
    '--json',
  ];
}

/**
 * An app's stored secrets as the release store reads them from the host's vault (the files of
 * `ksad-vault-<app>`, not any label): how a test learns a generated password.
 */
export async function vaultSecrets(app: string): Promise<Record<string, string>> {
  const engine = DockerodeEngine.fromEnvironment({ env: process.env });
  try {
    return await new DockerHostReleaseStore(engine).secrets(app);
  } finally {
    engine.close();
  }
}
