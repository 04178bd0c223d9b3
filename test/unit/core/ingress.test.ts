import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintIngressOverlays } from '../../../src/app/ingress-lint.js';
import { isKsadError } from '../../../src/core/errors.js';
import {
  caddyConfig,
  checkProvidedCertificate,
  judgeCertificate,
  resolveRoute,
  routeConflicts,
  upstreamAlias,
  type Route,
} from '../../../src/core/ingress.js';
import { lintManifestFiles } from '../../../src/core/lint/index.js';
import { manifestSchema } from '../../../src/core/schema/manifest.js';
import { buildDesiredState } from '../../../src/core/service-specs.js';
import { planDeploy } from '../../../src/core/plan.js';
import { appManifest } from '../../support/deploy-fixture.js';
import { parse } from 'yaml';

const routed = (extra = ''): string =>
  appManifest({ name: 'uji', version: '1.0.0', services: ['web'], regionName: 'Sumbawa' }).replace(
    '        host: ${config.HTTP_PORT}\n',
    `        host: \${config.HTTP_PORT}\n        http:\n          health: /healthz\n${extra}`,
  );
const manifest = manifestSchema.parse(parse(routed()));
const origins = new Map([['ingress.hosts', 'o.yaml']]);

const route = (o: Partial<Route> = {}): Route => ({
  app: 'uji',
  service: 'web',
  hosts: ['antrean.sumbawakab.go.id'],
  path: '/',
  port: 8080,
  health: '/healthz',
  tls: 'internal',
  drainMs: 5000,
  ...o,
});

describe('resolveRoute', () => {
  it('routes the one service with an http port, path "/" and TLS from the internal CA by default', () => {
    expect(resolveRoute(manifest, { hosts: ['antrean.sumbawakab.go.id'] }, origins)).toEqual({
      route: route(),
      problems: [],
    });
  });

  it('names the problem: an unknown service, or no hosts after the layers', () => {
    expect(resolveRoute(manifest, { hosts: ['a.go.id'], service: 'db' }, origins).problems).toEqual(
      [
        expect.objectContaining({
          rule: 'ingress-service',
          message: 'uji 1.0.0 has no service "db"',
        }),
      ],
    );
    expect(
      resolveRoute(manifest, { tls: 'none' }, new Map([['ingress.tls', 'o.yaml']])).problems,
    ).toEqual([expect.objectContaining({ source: 'o.yaml', rule: 'ingress-hosts' })]);
  });
});

describe('routeConflicts', () => {
  it('refuses one host name and path for two apps, and allows another path', () => {
    const other = route({ app: 'sakip', hosts: ['x.go.id', 'antrean.sumbawakab.go.id'] });
    expect(routeConflicts(route(), [other], origins)).toEqual([
      expect.objectContaining({
        path: ['ingress', 'hosts', 0],
        rule: 'route-conflict',
        source: 'o.yaml',
      }),
    ]);
    expect(routeConflicts(route({ path: '/antrean' }), [other], origins)).toEqual([]);
  });
});

describe('desired state and plan with a route', () => {
  const build = (revision: number, hosts = ['antrean.sumbawakab.go.id']) =>
    buildDesiredState({
      manifest,
      manifestDigest: 'sha256:0',
      config: { REGION_NAME: 'Sumbawa', HTTP_PORT: 19099, WELCOME_MESSAGE: 'x' },
      secrets: {},
      region: { code: '52.04', name: 'Kabupaten Sumbawa' },
      revision,
      route: route({ hosts }),
    });

  it('publishes no host port for the routed port and gives the container its own alias', () => {
    const [web] = build(1).services;
    expect(web?.spec.ports).toEqual([]);
    expect(web?.ingress?.upstream).toBe(upstreamAlias('uji', 'web', web?.configHash ?? ''));
    expect(web?.spec.aliases).toEqual(['web', web?.ingress?.upstream]);
    // A new revision with the same configuration keeps the container (and its alias).
    expect(build(2).services[0]?.configHash).toBe(web?.configHash);
  });

  it('says which switch each service gets', () => {
    const first = planDeploy(build(1), { containers: [], networks: [], volumes: [] });
    expect(first.services[0]).toMatchObject({ action: 'create', switch: 'ingress' });
  });
});

describe('caddyConfig', () => {
  it('puts longer path prefixes first, redirects HTTP to HTTPS and serves tls none over HTTP', () => {
    const config = caddyConfig(
      [
        { route: route({ app: 'a' }), upstream: 'ksad-a-web-1:8080' },
        { route: route({ app: 'b', path: '/b' }), upstream: 'ksad-b-web-1:8080' },
        {
          route: route({ app: 'c', hosts: ['c.local'], tls: 'none' }),
          upstream: 'ksad-c-web-1:8080',
        },
      ],
      { httpPort: 80, httpsPort: 443 },
    ) as {
      apps: {
        http: { servers: Record<string, { routes: Array<Record<string, unknown>> }> };
        tls: { certificates: { automate: string[] } };
      };
    };
    const https = config.apps.http.servers['https']?.routes ?? [];
    expect(https.map((r) => r['@id'])).toEqual(['ksad-https-b', 'ksad-https-a', undefined]);
    const http = config.apps.http.servers['http']?.routes ?? [];
    expect(http[0]?.['@id']).toBe('ksad-http-c');
    expect(JSON.stringify(http[1])).toContain('https://{http.request.host}{http.request.uri}');
    expect(config.apps.tls.certificates.automate).toEqual(['antrean.sumbawakab.go.id']);
  });
});

describe('certificates', () => {
  const day = 86_400_000;
  const at = new Date('2027-01-01T00:00:00Z');
  const cert = (lifeDays: number, leftDays: number) => ({
    app: 'uji',
    host: 'a.go.id',
    subject: 'CN=a.go.id',
    issuer: 'CN=region CA',
    notBefore: new Date(at.getTime() - (lifeDays - leftDays) * day),
    notAfter: new Date(at.getTime() + leftDays * day),
  });

  it('warns within 30 days, errs once expired; short-lived internal ones only when renewal is overdue', () => {
    expect(judgeCertificate(cert(365, 31), at).severity).toBe('ok');
    expect(judgeCertificate(cert(365, 29), at)).toMatchObject({
      severity: 'warning',
      daysLeft: 29,
    });
    expect(judgeCertificate(cert(365, -1), at).severity).toBe('error');
    expect(judgeCertificate(cert(20, 19), at).severity).toBe('warning');
    expect(judgeCertificate(cert(3, 2), at, true).severity).toBe('ok');
    expect(judgeCertificate(cert(3, 0.5), at, true).severity).toBe('warning');
  });

  it("checks a region's certificate: PEM, its key, and every host it must name", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksad-cert-'));
    try {
      const make = (name: string, cn: string) => {
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'ec',
            '-pkeyopt',
            'ec_paramgen_curve:P-256',
            '-nodes',
            '-days',
            '30',
            '-subj',
            `/CN=${cn}`,
            '-addext',
            `subjectAltName=DNS:${cn}`,
            '-keyout',
            join(dir, `${name}.key`),
            '-out',
            join(dir, `${name}.crt`),
          ],
          { stdio: 'ignore' },
        );
        return {
          certificate: readFileSync(join(dir, `${name}.crt`), 'utf8'),
          key: readFileSync(join(dir, `${name}.key`), 'utf8'),
        };
      };
      const a = make('a', 'antrean.sumbawakab.go.id');
      const b = make('b', 'other.go.id');
      const good = checkProvidedCertificate(a, ['antrean.sumbawakab.go.id']);
      expect(good.problems).toEqual([]);
      expect(good.sha256).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(
        checkProvidedCertificate({ certificate: a.certificate, key: b.key }, ['other.go.id'])
          .problems,
      ).toEqual([
        'the key does not belong to the certificate',
        expect.stringContaining('the certificate does not name other.go.id'),
      ]);
      expect(checkProvidedCertificate({ certificate: 'x', key: a.key }, []).problems).toEqual([
        'the certificate file is not a PEM X.509 certificate',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lint', () => {
  it('reports an http port on udp, a second one, and one without a healthcheck, at file:line:col', () => {
    const text = routed(
      '      - name: admin\n        container: 8081\n        protocol: udp\n        http:\n          health: /\n',
    ).replace(/ {4}healthcheck:\n(?: {6}.*\n)+/, '');
    const out = lintManifestFiles([{ path: 'm.yaml', text }], null, { today: '2026-12-01' })
      .filter((d) => d.rule === 'http-port')
      .map((d) => `${d.line}:${d.col}: ${d.severity}: ${d.message}`);
    expect(out).toEqual([
      expect.stringMatching(/^\d+:11: warning: service web has no healthcheck/),
      expect.stringMatching(/^\d+:11: error: an http port must use protocol tcp$/),
      expect.stringMatching(/^\d+:11: error: service web marks more than one port as http/),
      expect.stringMatching(/^\d+:11: warning: service web has no healthcheck/),
    ]);
  });

  it("ingress lint places a route claimed by two apps' overlays at its line and column", () => {
    const files = [
      { file: 'a.yaml', text: 'app: antrean\ningress:\n  hosts: [antrean.go.id]\n' },
      {
        file: 'b.yaml',
        text: 'app: sakip\ningress:\n  hosts:\n    - sakip.go.id\n    - antrean.go.id\n',
      },
      { file: 'c.yaml', text: 'app: sakip2\ningress:\n  hosts: [antrean.go.id]\n  path: /sakip\n' },
    ];
    let caught: unknown;
    try {
      lintIngressOverlays(files);
    } catch (error) {
      caught = error;
    }
    expect(isKsadError(caught) && caught.details).toEqual([
      'b.yaml:5:7: error: ingress.hosts.1: antrean.go.id is already the route of antrean in these overlays; give this app another host name or path',
    ]);
    expect(lintIngressOverlays([files[0]!, files[2]!]).routes).toHaveLength(2);
  });
});
