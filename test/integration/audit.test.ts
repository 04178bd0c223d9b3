/**
 * `ksad audit` against the real engine, through the built CLI (`npm run build` first): deploy the
 * `uji-audit-*` apps, then break them the ways hosts break (a stopped container, a removed one, one
 * recreated by hand with another environment, resources nobody owns, an MoU past its date) and
 * check what the auditor is told, and that `--strict` exits 20 exactly when there is something
 * to act on. Needs DOCKER_HOST and the registry with the sample images (scripts/engine.sh start).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditFinding, AuditReport } from '../../src/core/audit/index.js';
import { AUDIT_MOU, writeAuditCatalog } from '../support/audit-catalog.js';
import { runCli, type CliResult } from '../support/cli.js';
import { cleanupByLabel, requireEngine, sessionLabel } from '../support/engine.js';
import { vaultSecrets } from '../support/deploy-fixture.js';

const A = 'uji-audit-a';
const B = 'uji-audit-b';
const GHOST = 'uji-audit-ghost';

const work = mkdtempSync(join(tmpdir(), 'ksad-audit-it-'));
const home = join(work, 'home');
const catalog = join(work, 'catalog');

function ksad(...args: string[]): CliResult {
  return runCli(args, { home });
}

function docker(...args: string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8', env: process.env, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

function audit(...args: string[]): { result: CliResult; report: AuditReport } {
  const result = ksad('audit', '--catalog', catalog, '--json', ...args);
  if (result.json === undefined || result.json.error !== undefined) {
    throw new Error(
      `ksad audit ${args.join(' ')} failed (${result.status}): ${result.stdout}${result.stderr}`,
    );
  }
  return { result, report: result.json as AuditReport };
}

function findingsOf(report: AuditReport): AuditFinding[] {
  return [...report.apps.flatMap((a) => a.findings), ...report.hostFindings];
}

function deploy(ref: string): void {
  const r = ksad('deploy', ref, '--catalog', catalog, '--json');
  if (r.status !== 0) throw new Error(`deploy ${ref} failed (${r.status}): ${r.stdout}${r.stderr}`);
}

async function cleanup(): Promise<void> {
  for (const app of [A, B, GHOST]) await cleanupByLabel(`id.ksad.app=${app}`);
  await cleanupByLabel(sessionLabel);
}

let dbPassword = '';

beforeAll(async () => {
  await requireEngine();
  await cleanup();
  writeAuditCatalog(catalog, [
    { name: A, version: '1.0.0', port: 19201, threeServices: true },
    { name: B, version: '1.0.0', port: 19202 },
    { name: B, version: '1.1.0', port: 19202 },
  ]);
  // The ksad-host volume is shared with other suites on this engine: (re)claim it for 52.04.
  const init = ksad('host', 'init', '--region', '52.04', '--allow-unsigned', '--json');
  expect(init.status, init.stderr).toBe(0);
  deploy(A);
  deploy(`${B}@1.0.0`);
  dbPassword = (await vaultSecrets(A)).DB_PASSWORD ?? '';
  expect(dbPassword.length).toBeGreaterThan(8);
});

afterAll(async () => {
  await cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('ksad audit on a real engine', () => {
  it('finds nothing on a clean deploy, and --strict exits 0', () => {
    const { result, report } = audit(A, '--strict', '--date', '2026-06-01');
    expect(result.status).toBe(0);
    expect(findingsOf(report)).toEqual([]);
    expect(report.summary).toMatchObject({ apps: 1, findings: 0, actionable: 0 });
    expect(report.host.region.code).toBe('52.04');
    const [app] = report.apps;
    expect(app).toMatchObject({
      app: A,
      version: '1.0.0',
      revision: 1,
      drift: 'in-sync',
      manifest: { file: `manifests/kota-bandung/${A}/1.0.0.yaml`, status: 'present' },
      mou: { kind: 'mou', status: 'active', number: AUDIT_MOU.number, covers: true },
      updates: { latestCovered: null, change: null, newestInCatalog: null },
    });
    expect(app?.services.map((s) => [s.service, s.state, s.drift])).toEqual([
      ['db', 'running', 'in-sync'],
      ['web', 'running', 'in-sync'],
      ['worker', 'running', 'in-sync'],
    ]);
  });

  it('never prints a secret, in any format', () => {
    for (const format of ['table', 'json', 'csv', 'html']) {
      const r = ksad('audit', A, '--catalog', catalog, '--format', format);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(format === 'csv' ? 50 : 500);
      expect(r.stdout).not.toContain(dbPassword);
      expect(r.stderr).not.toContain(dbPassword);
    }
  });

  it('reports a newer version an active MoU grants, with its semver change', () => {
    const { result, report } = audit(B, '--date', '2026-06-01');
    expect(result.status).toBe(0);
    expect(report.apps[0]?.updates).toEqual({
      latestCovered: '1.1.0',
      change: 'minor',
      newestInCatalog: '1.1.0',
    });
    expect(findingsOf(report)).toEqual([
      expect.objectContaining({
        app: B,
        version: '1.0.0',
        category: 'outdated',
        severity: 'warning',
        code: 'newer-version',
        message: `newer version 1.1.0 (minor) is available under MoU ${AUDIT_MOU.number}`,
      }),
    ]);
    expect(audit(B, '--strict', '--date', '2026-06-01').result.status).toBe(20);
  });

  it('judges the recorded MoU against the catalog as of --date: expiring, then expired', () => {
    const expiring = audit(A, '--date', '2030-11-15').report;
    expect(expiring.apps[0]?.mou).toMatchObject({ status: 'expiring', daysLeft: 46 });
    expect(findingsOf(expiring)).toEqual([
      expect.objectContaining({ category: 'mou', severity: 'warning', code: 'mou-expiring' }),
    ]);

    const expired = audit(A, '--strict', '--date', '2031-01-05');
    expect(expired.result.status).toBe(20);
    expect(expired.report.apps[0]?.mou).toMatchObject({ status: 'expired', daysLeft: -5 });
    expect(findingsOf(expired.report)).toEqual([
      expect.objectContaining({
        category: 'mou',
        severity: 'error',
        code: 'mou-expired',
        subject: `MoU ${AUDIT_MOU.number}`,
        message: `MoU ${AUDIT_MOU.number} expired on ${AUDIT_MOU.validUntil} (5 days ago)`,
      }),
    ]);
  });

  it('reports a stopped container', () => {
    docker('stop', '-t', '2', `ksad-${A}-worker`);
    const { result, report } = audit(A, '--strict', '--date', '2026-06-01');
    expect(result.status).toBe(20);
    expect(report.apps[0]?.drift).toBe('drifted');
    expect(report.apps[0]?.services.find((s) => s.service === 'worker')).toMatchObject({
      state: 'exited',
      drift: 'stopped',
    });
    expect(findingsOf(report)).toEqual([
      expect.objectContaining({
        category: 'drift',
        severity: 'error',
        code: 'container-stopped',
        subject: `service worker (ksad-${A}-worker)`,
        message: expect.stringMatching(/^stopped outside ksad: container exited with code \d+$/),
      }),
    ]);
  });

  it('reports a removed container as missing', () => {
    docker('rm', '-f', `ksad-${A}-worker`);
    const { report } = audit(A, '--date', '2026-06-01');
    expect(report.apps[0]?.services.find((s) => s.service === 'worker')).toMatchObject({
      state: 'missing',
      drift: 'missing',
    });
    expect(findingsOf(report)).toEqual([
      expect.objectContaining({
        code: 'container-missing',
        subject: `service worker (ksad-${A}-worker)`,
        message: `missing: container ksad-${A}-worker does not exist`,
      }),
    ]);
  });

  it('sees a container recreated by hand with another environment, though its labels were copied', () => {
    const name = `ksad-${A}-web`;
    const inspected = JSON.parse(docker('inspect', name))[0];
    const env = (inspected.Config.Env as string[]).map((e) =>
      e.startsWith('DB_HOST=') ? 'DB_HOST=db.elsewhere.example' : e,
    );
    const labels = Object.entries(inspected.Config.Labels as Record<string, string>).flatMap(
      ([k, v]) => ['--label', `${k}=${v}`],
    );
    docker('rm', '-f', name);
    docker(
      'run',
      '-d',
      '--name',
      name,
      '--init',
      // The host settings ksad gave it, so that only the environment differs.
      '--memory',
      '128m',
      '--restart',
      'unless-stopped',
      '--network',
      `ksad-${A}`,
      '--network-alias',
      'web',
      '-p',
      '127.0.0.1:19201:8080',
      ...labels,
      '--label',
      sessionLabel.filter,
      ...env.flatMap((e) => ['--env', e]),
      inspected.Config.Image as string,
    );
    // The label ksad would trust is unchanged: only the rebuilt spec shows the difference.
    expect(
      docker('inspect', '--format', '{{index .Config.Labels "id.ksad.config-hash"}}', name),
    ).toBe(inspected.Config.Labels['id.ksad.config-hash']);

    const { result, report } = audit(A, '--strict', '--date', '2026-06-01');
    expect(result.status).toBe(20);
    const web = findingsOf(report).filter((f) => f.subject === `service web (${name})`);
    expect(web).toEqual([
      expect.objectContaining({
        category: 'drift',
        severity: 'error',
        code: 'container-modified',
        message: 'modified: environment DB_HOST differs',
      }),
    ]);
    expect(report.apps[0]?.services.find((s) => s.service === 'web')).toMatchObject({
      drift: 'modified',
      differences: ['environment DB_HOST'],
    });
    expect(result.stdout).not.toContain('db.elsewhere.example');
    expect(result.stdout).not.toContain(dbPassword);
  });

  it('reports ksad-labelled resources that belong to no release', () => {
    const image = JSON.parse(docker('inspect', `ksad-${A}-db`))[0].Config.Image as string;
    docker(
      'create',
      '--name',
      `${A}-ghost`,
      '--label',
      'id.ksad.managed=true',
      '--label',
      'id.ksad.kind=container',
      '--label',
      `id.ksad.app=${A}`,
      '--label',
      'id.ksad.service=ghost',
      '--label',
      sessionLabel.filter,
      image,
    );
    docker(
      'volume',
      'create',
      '--label',
      'id.ksad.managed=true',
      '--label',
      'id.ksad.kind=volume',
      '--label',
      `id.ksad.app=${GHOST}`,
      '--label',
      sessionLabel.filter,
      `ksad-${GHOST}-data`,
    );

    const scoped = audit(A, '--date', '2026-06-01').report;
    expect(findingsOf(scoped)).toContainEqual(
      expect.objectContaining({
        app: A,
        category: 'orphan',
        severity: 'warning',
        code: 'orphan-container',
        subject: `container ${A}-ghost`,
        message: 'orphan: not part of release r1 (service "ghost")',
      }),
    );

    const whole = audit('--date', '2026-06-01').report;
    expect(whole.hostFindings).toContainEqual(
      expect.objectContaining({
        app: GHOST,
        version: '',
        revision: null,
        category: 'orphan',
        code: 'orphan-volume',
        subject: `volume ksad-${GHOST}-data`,
        message: `orphan: ${GHOST} has no release record on this host`,
      }),
    );
    expect(whole.apps.map((a) => a.app)).toEqual(expect.arrayContaining([A, B]));
  });

  it('writes the CSV evidence file with one row per finding', () => {
    const out = join(work, 'findings.csv');
    const r = ksad(
      'audit',
      A,
      '--catalog',
      catalog,
      '--date',
      '2026-06-01',
      '--format',
      'csv',
      '--out',
      out,
      '--strict',
    );
    expect(r.status).toBe(20);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(out);
    const lines = readFileSync(out, 'utf8')
      .split('\r\n')
      .filter((l) => l !== '');
    expect(lines[0]).toBe('app,version,revision,category,severity,subject,message,code');
    expect(lines.slice(1)).toEqual(
      expect.arrayContaining([
        `${A},1.0.0,1,drift,error,service web (ksad-${A}-web),modified: environment DB_HOST differs,container-modified`,
        `${A},1.0.0,1,drift,error,service worker (ksad-${A}-worker),missing: container ksad-${A}-worker does not exist,container-missing`,
        `${A},1.0.0,1,orphan,warning,container ${A}-ghost,"orphan: not part of release r1 (service ""ghost"")",orphan-container`,
      ]),
    );
    expect(lines).toHaveLength(4);
  });

  it('refuses a date that is not a calendar day, with the usage exit code', () => {
    const r = ksad('audit', A, '--catalog', catalog, '--date', '2027-02-30');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--date must be a calendar date YYYY-MM-DD, got "2027-02-30"');
  });
});
