/**
 * How a desired service becomes a swarm service, and how a live one is judged against what ksad
 * set: pure functions, unit-tested.
 */
import type { ContainerSpec } from '../../core/engine-model.js';
import { sha256Hex } from '../../core/hash.js';
import { Label, managedLabels, names } from '../../core/labels.js';
import type { DesiredService } from '../../core/service-specs.js';
import type { SwarmServiceInfo, SwarmServiceSpec } from '../../core/swarm-model.js';

/** Where a Swarm secret is mounted in a task: `/run/secrets/<NAME>`, as Compose does. */
export const SECRET_DIR = '/run/secrets';

/** The Swarm secret name of each manifest secret the service uses, from its value. */
export function secretObjects(
  app: string,
  service: DesiredService,
  values: Readonly<Record<string, string>>,
): Array<{ name: string; secret: string; value: string }> {
  return service.secretNames.flatMap((secret) => {
    const value = values[secret];
    return value === undefined
      ? []
      : [{ name: names.swarmSecret(app, secret, sha256Hex(value)), secret, value }];
  });
}

/**
 * What the engine shows of a service that ksad decides: image, environment, command, ports,
 * mounts, replicas and placement. Hashed, it tells a service changed by hand (`docker service
 * update --env-add`, `--image`, `--replicas`) from one as ksad left it.
 */
export function fingerprint(container: ContainerSpec, replicas: number): string {
  const env = Object.keys(container.env)
    .sort()
    .map((k) => [k, sha256Hex(container.env[k] ?? '')]);
  return sha256Hex(
    JSON.stringify({
      image: container.image,
      env,
      command: container.command ?? null,
      entrypoint: container.entrypoint ?? null,
      ports: container.ports.map((p) => [p.container, p.protocol, p.hostPort]).sort(),
      mounts: container.mounts.map((m) => [m.volume, m.target, m.readOnly]).sort(),
      replicas,
      placement: [...(container.placement ?? [])].sort(),
    }),
  );
}

/** On a service ksad stopped (scaled to 0): the replica count it ran, which a start brings back. */
export const STOPPED_REPLICAS_LABEL = 'id.ksad.stopped-replicas';

/**
 * True when the live service still shows what ksad set (its fingerprint label matches); a service
 * ksad stopped is judged at the replica count it keeps for its start.
 */
export function asKsadLeftIt(info: SwarmServiceInfo): boolean {
  const kept = info.labels[STOPPED_REPLICAS_LABEL];
  const replicas = info.replicas === 0 && kept !== undefined ? Number(kept) : info.replicas;
  return info.labels[Label.fingerprint] === fingerprint(info.container, replicas);
}

/**
 * The swarm service for `service` of `app`: in the app's stack namespace, on the release's overlay
 * network, its secrets mounted as files. A service that publishes a host port is updated
 * stop-first (two tasks cannot hold one port on a node); any other starts its new task first.
 */
export function swarmServiceSpec(
  app: string,
  service: DesiredService,
  opts: {
    secrets: ReadonlyArray<{ name: string; secret: string }>;
    monitorMs: number;
    force: number;
  },
): SwarmServiceSpec {
  const replicas = service.spec.replicas ?? 1;
  return {
    name: service.spec.name,
    labels: {
      ...service.spec.labels,
      [Label.stackNamespace]: app,
      [Label.fingerprint]: fingerprint(service.spec, replicas),
    },
    container: service.spec,
    containerLabels: { [Label.stackNamespace]: app },
    secrets: opts.secrets.map((s) => ({ secret: s.name, file: s.secret })),
    replicas,
    placement: [...(service.spec.placement ?? [])],
    network: service.spec.network,
    update: {
      order: service.spec.ports.length > 0 ? 'stop-first' : 'start-first',
      monitorMs: opts.monitorMs,
      force: opts.force,
    },
  };
}

/** Labels of a Swarm secret holding `secret` of `app`. */
export function secretLabels(app: string, secret: string): Record<string, string> {
  return managedLabels('secret', {
    [Label.app]: app,
    [Label.secret]: secret,
    [Label.stackNamespace]: app,
  });
}
