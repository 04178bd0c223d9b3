/**
 * The host ingress against the real engine and the real proxy (Debian's caddy, built by
 * scripts/ingress-image.js), through the built CLI (`npm run build` first): two apps on one host
 * by host name over HTTPS from the internal CA, checked by a client that trusts only its root;
 * an upgrade, a failed upgrade and a rollback under a load loop with zero failed requests and no
 * answer from the rejected version; route conflicts refused at file:line:col; certificate expiry
 * found by audit with the date given.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoad } from '../../bench/load.js';
import {
  appManifest,
  guardHostProfile,
  KsadCli,
  sumbawaHostInit,
  tempCatalog,
  uniqueName,
  type RunResult,
  type TempCatalog,
} from '../support/deploy-fixture.js';
import { cleanupByLabel, requireEngine, type Engine } from '../support/engine.js';

const A = uniqueName('uji-ing-a');
const B = uniqueName('uji-ing-b');
const HOST_A = `${A}.sumbawakab.go.id`;
const HOST_B = `${B}.sumbawakab.go.id`;
const HTTP_PORT = 19480;
const HTTPS_PORT = 19443;

let engine: Engine;
let catalog: TempCatalog;
let work: string;
let cli: KsadCli;
let ca: string;
let guard: Awaited<ReturnType<typeof guardHostProfile>>;

/** A web-only app whose port is marked http; `broken` never answers its health check. */
function routedManifest(name: string, version: string, broken = false): string {
  const text = appManifest({
    name,
    version,
    services: ['web'],
    title: `Uji ingress ${name}`,
    regionName: 'Sumbawa',
    env: { REV: version },
    ...(broken
      ? {
          webHealth: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/no-such-page'],
          webRetries: 2,
        }
      : {}),
  });
  return text.replace(
    '        host: ${config.HTTP_PORT}\n',
    '        host: ${config.HTTP_PORT}\n        http:\n          health: /healthz\n',
  );
}

function ksad(args: string[], timeoutMs?: number): Promise<RunResult> {
  const catalogCommands = new Set(['deploy', 'rollback', 'plan', 'render', 'audit', 'host']);
  const withCatalog = catalogCommands.has(args[0] ?? '')
    ? [...args, '--catalog', catalog.root]
    : args;
  return cli.run(withCatalog, timeoutMs === undefined ? {} : { timeoutMs });
}

/** GET / of `host` through the ingress over HTTPS, trusting only `trust` (the internal root). */
function page(host: string, trust: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: HTTPS_PORT,
        path: '/',
        servername: host,
        headers: { host },
        agent: false,
        timeout: 5000,
        ...(trust !== undefined ? { ca: trust } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const appsOf = (r: RunResult): string[] =>
  (r.json.routes as Array<{ app: string }>).map((x) => x.app);
const ingressFindings = (r: RunResult): Array<{ category: string }> =>
  (r.json.apps[0].findings as Array<{ category: string }>).filter((f) => f.category === 'ingress');

const versionOf = (body: string): string | undefined => /id="APP_VERSION">([^<]*)</.exec(body)?.[1];

/** Runs `args` under a 20 req/s load loop on HOST_A and returns the CLI result with the counts. */
async function underLoad(args: string[]) {
  const load = startLoad({
    url: `https://127.0.0.1:${HTTPS_PORT}/`,
    host: HOST_A,
    ca,
    rate: 20,
  });
  await new Promise((r) => setTimeout(r, 500));
  const result = await ksad(args);
  // The load goes on a moment after the command: by then only the new containers answer.
  await new Promise((r) => setTimeout(r, 1500));
  return { result, stats: await load.stop() };
}

beforeAll(async () => {
  engine = await requireEngine();
  const image = process.env['KSAD_INGRESS_IMAGE'];
  if (image === undefined)
    throw new Error('KSAD_INGRESS_IMAGE is not set: run scripts/engine.sh start');
  guard = await guardHostProfile(engine.docker);
  work = await mkdtemp(join(tmpdir(), 'ksad-ingress-'));
  const files: Record<string, string> = {
    [`manifests/kota-bandung/${A}/1.0.0.yaml`]: routedManifest(A, '1.0.0'),
    [`manifests/kota-bandung/${A}/1.1.0.yaml`]: routedManifest(A, '1.1.0'),
    [`manifests/kota-bandung/${A}/1.2.0.yaml`]: routedManifest(A, '1.2.0', true),
    [`manifests/kota-bandung/${B}/1.0.0.yaml`]: routedManifest(B, '1.0.0'),
    'catalog/mous/uji-ingress.yaml': `number: 900/uji-ingress/KSAD/2025
title: Hibah aplikasi uji ingress kepada Kabupaten Sumbawa
grantor: "32.73"
grantees: ["52.04"]
apps:
  - name: ${A}
  - name: ${B}
validFrom: "2025-01-01"
validUntil: "2099-12-31"
signedOn: "2024-12-20"
document:
  sha256: "0000000000000000000000000000000000000000000000000000000000000000"
  url: https://example.org/ksad/uji-ingress.pdf
`,
  };
  catalog = await tempCatalog(files);
  await mkdir(join(work, 'home'));
  cli = new KsadCli({ home: join(work, 'home'), dockerHost: engine.dockerHost });
  await writeFile(
    join(work, 'a.yaml'),
    `app: ${A}\nconfig:\n  WELCOME_MESSAGE: Halaman ${A}\ningress:\n  hosts: [${HOST_A}]\n  drain: 2s\n`,
  );
  await writeFile(
    join(work, 'b.yaml'),
    `app: ${B}\nconfig:\n  WELCOME_MESSAGE: Halaman ${B}\ningress:\n  hosts: [${HOST_B}]\n  drain: 2s\n`,
  );
  await writeFile(
    join(work, 'b-conflict.yaml'),
    `app: ${B}\ningress:\n  hosts:\n    - ${HOST_B}\n    - ${HOST_A}\n`,
  );
  const init = await ksad(sumbawaHostInit(catalog.root).slice(0, -3).concat(['--json']));
  expect(init.status, init.said).toBe(0);
  guard.wrote(init.json.profile);
  const installed = await ksad([
    'ingress',
    'install',
    '--image',
    image,
    '--http-port',
    String(HTTP_PORT),
    '--https-port',
    String(HTTPS_PORT),
    '--json',
  ]);
  expect(installed.status, installed.said).toBe(0);
  for (const [app, overlay] of [
    [A, 'a.yaml'],
    [B, 'b.yaml'],
  ] as const) {
    const d = await ksad(['deploy', `${app}@1.0.0`, '-f', join(work, overlay), '--json']);
    expect(d.status, d.said).toBe(0);
  }
  const exported = await ksad(['ingress', 'ca', '--out', join(work, 'root.crt'), '--json']);
  expect(exported.status, exported.said).toBe(0);
  ca = await readFile(join(work, 'root.crt'), 'utf8');
}, 240_000);

afterAll(async () => {
  // The proxy first: an app network it is attached to cannot be removed.
  await cleanupByLabel('id.ksad.kind=ingress');
  await cleanupByLabel(`id.ksad.app=${A}`);
  await cleanupByLabel(`id.ksad.app=${B}`);
  await guard.restore();
  await catalog.remove();
  await rm(work, { recursive: true, force: true });
}, 60_000);

describe('the host ingress', () => {
  it('serves two apps on one port by host name, over HTTPS from the internal CA', async () => {
    const a = await page(HOST_A, ca);
    const b = await page(HOST_B, ca);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body).toContain(`Halaman ${A}`);
    expect(b.body).toContain(`Halaman ${B}`);
    // A client that does not trust the exported root refuses the certificate.
    await expect(page(HOST_A, undefined)).rejects.toThrow(/certificate/i);
    const unknown = await page(`other.sumbawakab.go.id`, ca).catch((e: Error) => e);
    expect(unknown instanceof Error ? unknown.message : unknown.status).toMatch(
      /404|certificate|alert/,
    );
    // The web containers publish no host port: only the proxy's ports answer.
    const status = await ksad(['status', A, '--json']);
    expect(status.json[0].services[0]).toMatchObject({
      ports: [],
      route: { hosts: [HOST_A], path: '/', tls: 'internal' },
    });
    const shown = await ksad(['ingress', 'status', '--json']);
    expect(appsOf(shown).sort()).toEqual([A, B].sort());
    // Plain HTTP redirects to HTTPS.
    const http = execFileSync(
      'curl',
      [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code} %{redirect_url}',
        '-H',
        `Host: ${HOST_A}`,
        `http://127.0.0.1:${HTTP_PORT}/x`,
      ],
      { encoding: 'utf8' },
    );
    expect(http).toBe(`308 https://${HOST_A}:${HTTPS_PORT}/x`);
  });

  it('refuses two apps claiming one host name, at file:line:col, in lint and in plan', async () => {
    const lint = await ksad([
      'ingress',
      'lint',
      join(work, 'a.yaml'),
      join(work, 'b-conflict.yaml'),
      '--json',
    ]);
    expect(lint.status, lint.said).toBe(3);
    expect(lint.json.error.details).toEqual([
      `${join(work, 'b-conflict.yaml')}:5:7: error: ingress.hosts.1: ${HOST_A} is already the route of ${A} in these overlays; give this app another host name or path`,
    ]);
    const plan = await ksad(['plan', B, '-f', join(work, 'b-conflict.yaml'), '--json']);
    expect(plan.status, plan.said).toBe(3);
    expect((plan.json.error.details as string[]).join('\n')).toContain(
      `${join(work, 'b-conflict.yaml')}:5:7: error: ingress.hosts.1: ${HOST_A} is already the route of ${A} on this host`,
    );
  });

  it('upgrades through the ingress with no failed request', async () => {
    const plan = await ksad(['plan', `${A}@1.1.0`, '-f', join(work, 'a.yaml'), '--json']);
    expect(plan.json.plan.services[0]).toMatchObject({ action: 'recreate', switch: 'ingress' });
    const { result, stats } = await underLoad([
      'deploy',
      `${A}@1.1.0`,
      '-f',
      join(work, 'a.yaml'),
      '--json',
    ]);
    expect(result.status, result.said).toBe(0);
    expect(stats.failed, JSON.stringify(stats.errors)).toBe(0);
    expect(Object.keys(stats.versions).sort()).toEqual(['1.0.0', '1.1.0']);
    expect(versionOf((await page(HOST_A, ca)).body)).toBe('1.1.0');
  }, 120_000);

  it('never sends a request to an upgrade that does not become healthy', async () => {
    const { result, stats } = await underLoad([
      'deploy',
      `${A}@1.2.0`,
      '-f',
      join(work, 'a.yaml'),
      '--timeout',
      '15',
      '--json',
    ]);
    expect(result.status, result.said).toBe(9);
    expect(stats.failed, JSON.stringify(stats.errors)).toBe(0);
    expect(stats.versions).not.toHaveProperty('1.2.0');
    expect(Object.keys(stats.versions)).toEqual(['1.1.0']);
  }, 120_000);

  it('rolls back through the ingress with no failed request', async () => {
    const { result, stats } = await underLoad(['rollback', A, '--json']);
    expect(result.status, result.said).toBe(0);
    expect(stats.failed, JSON.stringify(stats.errors)).toBe(0);
    expect(versionOf((await page(HOST_A, ca)).body)).toBe('1.0.0');
  }, 120_000);

  it("audit reports each route's certificate, and its expiry once the date passes it", async () => {
    const now = await ksad(['audit', A, '--json']);
    const route = now.json.apps[0].routes[0];
    expect(route).toMatchObject({ hosts: [HOST_A], served: true, tls: 'internal' });
    expect(route.certificates[0]).toMatchObject({ host: HOST_A, severity: 'ok' });
    expect(ingressFindings(now)).toEqual([]);
    const later = await ksad(['audit', A, '--date', '2030-01-01', '--json']);
    const found = ingressFindings(later);
    expect(found).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'certificate-expired',
        subject: `certificate of ${HOST_A}`,
      }),
    ]);
  }, 60_000);

  it('uninstall takes the route out of the proxy first', async () => {
    const gone = await ksad(['uninstall', B, '--json']);
    expect(gone.status, gone.said).toBe(0);
    const shown = await ksad(['ingress', 'status', '--json']);
    expect(appsOf(shown)).toEqual([A]);
    const ingress = await engine.docker.getContainer('ksad-ingress').inspect();
    expect(Object.keys(ingress.NetworkSettings.Networks)).not.toContain(`ksad-${B}`);
  }, 60_000);
});
