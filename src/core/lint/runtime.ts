import type { ManifestUnit, Reporter } from './context.js';

const DOCKER_SOCKET = /(?:^|\/)docker\.sock$/;

/**
 * Settings that hand a container control over the recipient's host. Each is an error: a region
 * installing a granted app must not give it more than its own containers.
 */
export function lintRuntime(unit: ManifestUnit, r: Reporter): void {
  const file = unit.file;
  for (const [name, s] of Object.entries(unit.manifest.services)) {
    const at = (...rest: Array<string | number>) => ['services', name, ...rest];
    if (s.privileged === true) {
      r.error(
        file,
        at('privileged'),
        'unsafe-privileged',
        'a privileged container has full control of the host: remove "privileged: true"',
      );
    }
    for (const field of ['networkMode', 'pid', 'ipc'] as const) {
      if (s[field] === 'host') {
        r.error(
          file,
          at(field),
          'unsafe-host-namespace',
          `${field}: host shares the host's ${field === 'networkMode' ? 'network stack' : field === 'pid' ? 'process table' : 'IPC namespace'} with the container: remove it`,
        );
      }
    }
    if (s.capAdd && s.capAdd.length > 0) {
      r.error(
        file,
        at('capAdd'),
        'unsafe-capabilities',
        `adds Linux capabilities (${s.capAdd.join(', ')}) that widen what the container can do to the host: remove capAdd`,
      );
    }
    if (s.devices && s.devices.length > 0) {
      r.error(
        file,
        at('devices'),
        'unsafe-devices',
        `gives the container host devices (${s.devices.join(', ')}): remove devices`,
      );
    }
    s.volumes.forEach((v, i) => {
      if ((v.name === undefined) === (v.source === undefined)) {
        r.error(
          file,
          at('volumes', i),
          'invalid-volume',
          v.name === undefined
            ? 'a volume needs "name" (a named volume the release owns)'
            : 'a volume has either "name" or "source", not both',
        );
        return;
      }
      if (v.source === undefined) return;
      if (DOCKER_SOCKET.test(v.source)) {
        r.error(
          file,
          at('volumes', i, 'source'),
          'unsafe-docker-socket',
          `mounts the Docker socket (${v.source}): whoever controls the container controls every container on the host, and the host itself; remove this volume`,
        );
      } else if (v.source.startsWith('/')) {
        r.error(
          file,
          at('volumes', i, 'source'),
          'unsafe-bind-mount',
          `mounts the host path ${v.source} into the container: use a named volume ("name: …") so the release owns its data`,
        );
      } else {
        r.error(
          file,
          at('volumes', i, 'source'),
          'invalid-volume',
          `source "${v.source}" is not an absolute host path: use "name: ${v.source.replace(/[^a-z0-9-]/g, '-')}" for a named volume`,
        );
      }
    });
  }
}
