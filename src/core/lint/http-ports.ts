import type { ManifestUnit, Reporter } from './context.js';

/**
 * Ports marked `http` are what the host ingress routes to: TCP, one per service, and a health
 * path the ingress can ask. A service with an http port and no health check still works (the
 * ingress asks the path), but Docker then reports it healthy before it answers: a warning.
 */
export function lintHttpPorts(unit: ManifestUnit, r: Reporter): void {
  const file = unit.file;
  for (const [name, s] of Object.entries(unit.manifest.services)) {
    let seen = false;
    s.ports.forEach((port, i) => {
      if (port.http === undefined) return;
      const at = ['services', name, 'ports', i, 'http'];
      if (port.protocol !== 'tcp')
        r.error(file, at, 'http-port', 'an http port must use protocol tcp');
      if (seen)
        r.error(
          file,
          at,
          'http-port',
          `service ${name} marks more than one port as http; the ingress routes to one`,
        );
      seen = true;
      if (s.healthcheck === undefined)
        r.warning(
          file,
          at,
          'http-port',
          `service ${name} has no healthcheck: the ingress switches to it once ${port.http.health} answers, but its container reports no health`,
        );
    });
  }
}
