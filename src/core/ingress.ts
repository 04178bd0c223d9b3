/**
 * The host ingress in ksad's terms, pure: an app's route (host names, path prefix, the HTTP
 * service and port behind them, TLS), the rules two routes must keep, the label that carries a
 * route on its container, and the proxy's whole configuration (Caddy's JSON) from the live routes.
 */
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import type { Problem } from './config.js';
import { parseDuration } from './duration.js';
import { pathKey } from './overlay-merge.js';
import type { Manifest } from './schema/manifest.js';
import type { OverlayIngress } from './schema/overlay.js';

export const TLS_MODES = ['internal', 'provided', 'none'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

/** How long old containers keep serving after a switch, unless the overlay says. */
export const DEFAULT_DRAIN = '5s';

/** One app's route through the ingress. */
export const routeSchema = z.strictObject({
  app: z.string(),
  service: z.string(),
  hosts: z.array(z.string()).min(1),
  path: z.string(),
  /** The container port the ingress sends requests to. */
  port: z.number().int(),
  /** Path the ingress asks (200-399) before a new container gets requests. */
  health: z.string(),
  tls: z.enum(TLS_MODES),
  drainMs: z.number().int().min(0),
  /** sha256 of the region's certificate (tls: provided), so a new certificate is a change. */
  certificate: z.string().optional(),
});
export type Route = z.infer<typeof routeSchema>;

/** A route with the address the proxy sends its requests to (`alias:port` on the app's network). */
export interface LiveRoute {
  route: Route;
  upstream: string;
}

/** The ingress's own settings, recorded on its container. */
export interface IngressSettings {
  httpPort: number;
  httpsPort: number;
}

/** Where the proxy's files live inside its container (a volume: they survive an upgrade). */
export const INGRESS_PATHS = {
  data: '/data',
  configDir: '/data/ksad',
  configFile: 'caddy.json',
  tlsDir: (app: string) => `/data/ksad/tls/${app}`,
  /** Caddy's internal CA, which it keeps under its data directory. */
  caRootDir: '/data/caddy/pki/authorities/local',
  caRootFile: 'root.crt',
} as const;

/** The serialised route on its container (`id.ksad.route`). */
export function routeLabel(route: Route): string {
  return JSON.stringify(route);
}

/** The route a container's label names, or undefined when it has none (or not one ksad wrote). */
export function parseRouteLabel(text: string | undefined): Route | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = routeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The network alias of one container's configuration: a new configuration is a new alias, so
 * the proxy names exactly the container it means while an old and a new one both run.
 */
export function upstreamAlias(app: string, service: string, configHash: string): string {
  return `ksad-${app}-${service}-${configHash.slice(0, 12)}`;
}

/** The services of a manifest with a port marked `http`, with that port. */
export function httpPorts(
  manifest: Manifest,
): Array<{ service: string; port: number; health: string }> {
  const out: Array<{ service: string; port: number; health: string }> = [];
  for (const [service, def] of Object.entries(manifest.services)) {
    const port = def.ports.find((p) => p.http !== undefined);
    if (port?.http) out.push({ service, port: port.container, health: port.http.health });
  }
  return out;
}

/**
 * The app's route from its merged overlay, or the problems that keep it from being one: a service
 * that is not there or has no HTTP port, or several HTTP services and none chosen.
 */
export function resolveRoute(
  manifest: Manifest,
  ingress: OverlayIngress | undefined,
  origins: ReadonlyMap<string, string>,
  certificate?: string,
): { route?: Route; problems: Problem[] } {
  if (ingress === undefined) return { problems: [] };
  const at = (path: (string | number)[], rule: string, message: string): Problem => ({
    source: origins.get(pathKey(path)) ?? origins.get(pathKey(['ingress', 'hosts'])) ?? '',
    path,
    rule,
    message,
  });
  if (ingress.hosts === undefined) {
    const source = [...origins.entries()].find(([k]) => k.startsWith('ingress.'))?.[1] ?? '';
    return {
      problems: [
        {
          source,
          path: ['ingress'],
          rule: 'ingress-hosts',
          message: 'ingress needs hosts: the host names the app answers at',
        },
      ],
    };
  }
  const hosts = ingress.hosts;
  const candidates = httpPorts(manifest);
  let chosen = candidates[0];
  if (ingress.service !== undefined) {
    chosen = candidates.find((c) => c.service === ingress.service);
    if (chosen === undefined) {
      const why = Object.hasOwn(manifest.services, ingress.service)
        ? `service "${ingress.service}" has no port marked http in ${manifest.name} ${manifest.version}`
        : `${manifest.name} ${manifest.version} has no service "${ingress.service}"`;
      return { problems: [at(['ingress', 'service'], 'ingress-service', why)] };
    }
  } else if (candidates.length !== 1) {
    const message =
      candidates.length === 0
        ? `${manifest.name} ${manifest.version} marks no port as http, so the ingress cannot route it`
        : `several services have an http port (${candidates.map((c) => c.service).join(', ')}); name one in ingress.service`;
    return { problems: [at(['ingress', 'hosts'], 'ingress-service', message)] };
  }
  if (chosen === undefined) return { problems: [] };
  const tls = ingress.tls ?? 'internal';
  const route: Route = {
    app: manifest.name,
    service: chosen.service,
    hosts: [...new Set(hosts)],
    path: normalisePrefix(ingress.path ?? '/'),
    port: chosen.port,
    health: chosen.health,
    tls,
    drainMs: parseDuration(ingress.drain ?? DEFAULT_DRAIN),
    ...(tls === 'provided' && certificate !== undefined ? { certificate } : {}),
  };
  return { route, problems: [] };
}

export function normalisePrefix(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/**
 * Problems with `route` among the other apps' routes on the host: one host name and path prefix
 * belongs to one app. Each is placed at the host name in the overlay that claimed it.
 */
export function routeConflicts(
  route: Pick<Route, 'app' | 'hosts' | 'path'>,
  others: ReadonlyArray<Pick<Route, 'app' | 'hosts' | 'path'>>,
  origins: ReadonlyMap<string, string>,
): Problem[] {
  const problems: Problem[] = [];
  route.hosts.forEach((host, i) => {
    const taken = others.find(
      (o) => o.app !== route.app && o.path === route.path && o.hosts.includes(host),
    );
    if (taken === undefined) return;
    problems.push({
      source: origins.get(pathKey(['ingress', 'hosts'])) ?? '',
      path: ['ingress', 'hosts', i],
      rule: 'route-conflict',
      message: `${host}${route.path === '/' ? '' : route.path} is already the route of ${taken.app} on this host; give this app another host name or path`,
    });
  });
  return problems;
}

/** Problems with routes taken together, in the order given (lint of several overlays). */
export function conflictsAmong(
  routes: ReadonlyArray<{
    route: Pick<Route, 'app' | 'hosts' | 'path'>;
    origins: ReadonlyMap<string, string>;
  }>,
): Problem[] {
  return routes.flatMap((r, i) =>
    routeConflicts(
      r.route,
      routes.slice(0, i).map((o) => o.route),
      r.origins,
    ),
  );
}

/** The route's address as text: `host[,host]/path`. */
export function routeText(route: Pick<Route, 'hosts' | 'path'>): string {
  return `${route.hosts.join(',')}${route.path === '/' ? '' : route.path}`;
}

/** The URL a route answers at, on the ingress's ports. */
export function routeUrl(route: Route, host: string, settings: IngressSettings): string {
  const https = route.tls !== 'none';
  const port = https ? settings.httpsPort : settings.httpPort;
  const standard = https ? port === 443 : port === 80;
  return `${https ? 'https' : 'http'}://${host}${standard ? '' : `:${port}`}${route.path === '/' ? '/' : `${route.path}/`}`;
}

function matcher(route: Route): Record<string, string[]> {
  const match: Record<string, string[]> = { host: route.hosts };
  if (route.path !== '/') match['path'] = [route.path, `${route.path}/*`];
  return match;
}

function proxyRoute(live: LiveRoute, kind: string): Record<string, unknown> {
  return {
    '@id': `ksad-${kind}-${live.route.app}`,
    match: [matcher(live.route)],
    handle: [
      {
        handler: 'reverse_proxy',
        upstreams: [{ dial: live.upstream }],
        // A request that could not reach the new container is retried, never lost: the switch
        // happens only once the container answered its health path through this proxy.
        load_balancing: { try_duration: '5s', try_interval: '100ms' },
      },
    ],
    terminal: true,
  };
}

const notFound = {
  handle: [
    { handler: 'static_response', status_code: 404, body: 'no app is served at this address\n' },
  ],
};

/**
 * Caddy's whole JSON configuration for the live routes: an HTTPS server (certificates from the
 * internal CA, or the region's files) and an HTTP server that redirects to it, or serves the apps
 * without TLS. Longer path prefixes come first, so `/antrean/admin` wins over `/antrean`.
 * Caddy's automatic HTTPS is off: ksad says which names get which certificate. The admin API
 * listens on localhost inside the proxy's container only.
 */
export function caddyConfig(live: readonly LiveRoute[], settings: IngressSettings): unknown {
  const ordered = [...live].sort(
    (a, b) => b.route.path.length - a.route.path.length || a.route.app.localeCompare(b.route.app),
  );
  const secure = ordered.filter((l) => l.route.tls !== 'none');
  const plain = ordered.filter((l) => l.route.tls === 'none');
  const internalHosts = [
    ...new Set(secure.filter((l) => l.route.tls === 'internal').flatMap((l) => l.route.hosts)),
  ].sort();
  const provided = secure.filter((l) => l.route.tls === 'provided');
  const portPart = settings.httpsPort === 443 ? '' : `:${settings.httpsPort}`;
  const redirects = secure.map((l) => ({
    match: [matcher(l.route)],
    handle: [
      {
        handler: 'static_response',
        status_code: 308,
        headers: { Location: [`https://{http.request.host}${portPart}{http.request.uri}`] },
      },
    ],
    terminal: true,
  }));
  return {
    admin: { listen: 'localhost:2019' },
    logging: { logs: { default: { level: 'WARN' } } },
    apps: {
      http: {
        // In-flight requests finish on the old configuration after a switch.
        grace_period: '30s',
        servers: {
          https: {
            listen: [`:${settings.httpsPort}`],
            routes: [...secure.map((l) => proxyRoute(l, 'https')), notFound],
            tls_connection_policies: [{}],
            automatic_https: { disable: true },
          },
          http: {
            listen: [`:${settings.httpPort}`],
            routes: [...plain.map((l) => proxyRoute(l, 'http')), ...redirects, notFound],
            automatic_https: { disable: true },
          },
        },
      },
      tls: {
        certificates: {
          ...(internalHosts.length > 0 ? { automate: internalHosts } : {}),
          ...(provided.length > 0
            ? {
                load_files: provided.map((l) => ({
                  certificate: `${INGRESS_PATHS.tlsDir(l.route.app)}/cert.pem`,
                  key: `${INGRESS_PATHS.tlsDir(l.route.app)}/key.pem`,
                  tags: [l.route.app],
                })),
              }
            : {}),
        },
        automation: {
          policies: [
            {
              ...(internalHosts.length > 0 ? { subjects: internalHosts } : {}),
              // Caddy's intermediate lives 7 days; leaves of 3 days are renewed when one is left.
              issuers: [{ module: 'internal', ca: 'local', lifetime: '72h' }],
            },
          ],
        },
      },
      pki: {
        certificate_authorities: {
          local: {
            name: 'ksad internal CA',
            root_common_name: 'ksad internal root CA',
            intermediate_common_name: 'ksad internal intermediate CA',
            install_trust: false,
          },
        },
      },
    },
  };
}

/** What audit says of a certificate the ingress serves for one route's host. */
export interface CertificateCheck {
  app: string;
  host: string;
  subject: string;
  issuer: string;
  notAfter: string;
  daysLeft: number;
  severity: 'ok' | 'warning' | 'error';
}

/** Warn when a certificate expires within this many days. */
export const CERTIFICATE_WARN_DAYS = 30;

/**
 * Judges a served certificate's expiry at `now`: expired is an error; within 30 days a warning.
 * The internal CA's short-lived leaves (`renewedByProxy`), which the proxy renews itself when a
 * third of their life is left, are a warning only within a quarter of their life, when a renewal
 * is overdue.
 */
export function judgeCertificate(
  cert: {
    app: string;
    host: string;
    subject: string;
    issuer: string;
    notBefore: Date;
    notAfter: Date;
  },
  now: Date,
  renewedByProxy = false,
): CertificateCheck {
  const left = cert.notAfter.getTime() - now.getTime();
  const life = cert.notAfter.getTime() - cert.notBefore.getTime();
  const daysLeft = Math.floor(left / 86_400_000);
  const warnWithinMs = renewedByProxy
    ? Math.min(life / 4, CERTIFICATE_WARN_DAYS * 86_400_000)
    : CERTIFICATE_WARN_DAYS * 86_400_000;
  const severity = left <= 0 ? 'error' : left < warnWithinMs ? 'warning' : 'ok';
  return {
    app: cert.app,
    host: cert.host,
    subject: cert.subject,
    issuer: cert.issuer,
    notAfter: cert.notAfter.toISOString(),
    daysLeft,
    severity,
  };
}

/**
 * Checks a region's certificate and key before the proxy gets them: both PEM, the key the
 * certificate's, and the certificate naming every host of the route. Returns the problems and
 * the certificate's sha256 (what the route records; the key is never recorded).
 */
export function checkProvidedCertificate(
  pem: { certificate: string; key: string },
  hosts: readonly string[],
): { sha256?: string; problems: string[] } {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem.certificate);
  } catch {
    return { problems: ['the certificate file is not a PEM X.509 certificate'] };
  }
  const problems: string[] = [];
  try {
    if (!cert.checkPrivateKey(createPrivateKey(pem.key)))
      problems.push('the key does not belong to the certificate');
  } catch {
    problems.push('the key file is not a PEM private key');
  }
  for (const host of hosts) {
    if (cert.checkHost(host.replace(/^\*\./, 'wildcard.')) === undefined)
      problems.push(
        `the certificate does not name ${host} (subject: ${cert.subject.replace(/\n/g, ', ')})`,
      );
  }
  const sha256 = `sha256:${createHash('sha256').update(pem.certificate).digest('hex')}`;
  return { sha256, problems };
}
