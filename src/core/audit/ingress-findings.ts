/**
 * What audit says of the routes an app has through the host ingress: whether the proxy serves
 * them (and to the container that runs), and each host's certificate with its expiry.
 */
import type { ContainerInfo } from '../engine-model.js';
import {
  judgeCertificate,
  parseRouteLabel,
  type CertificateCheck,
  type LiveRoute,
} from '../ingress.js';
import { Label, PARKED_SUFFIX } from '../labels.js';

/** A certificate as the ingress served it for one host name, read by a TLS client. */
export interface ServedCertificateInput {
  host: string;
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
}

/** The ingress as audit sees it; null when the host has none. */
export interface AuditIngressInput {
  routes: readonly LiveRoute[];
  /** By host name; null when the proxy presented none for that name. */
  certificates: Readonly<Record<string, ServedCertificateInput | null>>;
  /** When certificates are judged (the clock, or `--date`). */
  now: Date;
}

export interface AuditRoute {
  service: string;
  hosts: string[];
  path: string;
  tls: 'internal' | 'provided' | 'none';
  /** The alias the proxy sends requests to; null when it does not serve the route. */
  upstream: string | null;
  served: boolean;
  certificates: CertificateCheck[];
}

export interface IngressFinding {
  severity: 'error' | 'warning';
  code:
    | 'ingress-missing'
    | 'route-not-served'
    | 'certificate-missing'
    | 'certificate-expired'
    | 'certificate-expiring';
  subject: string;
  message: string;
}

/** The app's routes (from its running containers' labels) as the ingress serves them. */
export function auditRoutes(
  app: string,
  containers: readonly ContainerInfo[],
  ingress: AuditIngressInput | null | undefined,
): { routes: AuditRoute[]; findings: IngressFinding[] } {
  const routes: AuditRoute[] = [];
  const findings: IngressFinding[] = [];
  const routed = containers.filter(
    (c) =>
      c.labels[Label.app] === app &&
      c.labels[Label.route] !== undefined &&
      !PARKED_SUFFIX.test(c.name.replace(/^\//, '')),
  );
  for (const c of routed) {
    const route = parseRouteLabel(c.labels[Label.route]);
    if (!route) continue;
    const subject = `route ${route.hosts.join(', ')}${route.path === '/' ? '' : route.path}`;
    const live = ingress?.routes.find((l) => l.route.app === app);
    const expected = `${c.labels[Label.upstream] ?? ''}:${route.port}`;
    const served = live !== undefined && live.upstream === expected;
    if (ingress === undefined) {
      // Not checked (no ingress reader): the route is listed, nothing is judged.
    } else if (ingress === null) {
      findings.push({
        severity: 'error',
        code: 'ingress-missing',
        subject,
        message:
          'the app is routed through the host ingress, but the host has none running (ksad ingress install)',
      });
    } else if (!served) {
      findings.push({
        severity: 'error',
        code: 'route-not-served',
        subject,
        message: live
          ? `the ingress sends this route to ${live.upstream}, not to the running container (${expected}); deploy again`
          : 'the ingress does not serve this route; deploy again',
      });
    }
    const certificates: CertificateCheck[] = [];
    if (ingress && route.tls !== 'none') {
      for (const host of route.hosts) {
        const cert = ingress.certificates[host];
        if (!cert) {
          findings.push({
            severity: 'error',
            code: 'certificate-missing',
            subject: `certificate of ${host}`,
            message: 'the ingress presented no certificate for this name',
          });
          continue;
        }
        const check = judgeCertificate({ app, ...cert }, ingress.now, route.tls === 'internal');
        certificates.push(check);
        if (check.severity === 'error')
          findings.push({
            severity: 'error',
            code: 'certificate-expired',
            subject: `certificate of ${host}`,
            message: `expired on ${check.notAfter} (issuer ${check.issuer})`,
          });
        else if (check.severity === 'warning')
          findings.push({
            severity: 'warning',
            code: 'certificate-expiring',
            subject: `certificate of ${host}`,
            message: `expires on ${check.notAfter}, in ${check.daysLeft} day${check.daysLeft === 1 ? '' : 's'} (issuer ${check.issuer})`,
          });
      }
    }
    routes.push({
      service: route.service,
      hosts: route.hosts,
      path: route.path,
      tls: route.tls,
      upstream: served ? (live?.upstream ?? null) : null,
      served,
      certificates,
    });
  }
  return { routes, findings };
}
