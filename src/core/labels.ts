/**
 * Labels are how ksad recognises what it owns on a host (as Docker Compose does). All keys live
 * under `id.ksad.`; values are strings. This file is the one codec for them.
 */
export const LABEL_PREFIX = 'id.ksad.';
export const Label = {
  /** Present on every resource ksad creates; value "true". */
  managed: 'id.ksad.managed',
  /** Resource kind: container | network | volume | release | host | secrets | vault | lock | removal | ingress. */
  kind: 'id.ksad.kind',
  app: 'id.ksad.app',
  publisher: 'id.ksad.publisher',
  version: 'id.ksad.version',
  revision: 'id.ksad.revision',
  service: 'id.ksad.service',
  /** `sha256:<hex>` of the manifest file bytes. */
  manifestDigest: 'id.ksad.manifest-digest',
  /** Hash over the service's ContainerSpec (secrets included only as hashes). */
  configHash: 'id.ksad.config-hash',
  /** For volumes: the manifest's volume name. */
  volume: 'id.ksad.volume',
  /** JSON payload for record resources (release records, host profile). */
  record: 'id.ksad.record',
  /** On a container the ingress routes to: its route as JSON (`core/ingress.ts`). */
  route: 'id.ksad.route',
  /** On a routed container: the network alias the ingress sends its requests to. */
  upstream: 'id.ksad.upstream',
  /** On the ingress container: its settings as JSON (ports). */
  ingress: 'id.ksad.ingress',
  /** Region code of the host (on the host profile). */
  region: 'id.ksad.region',
  /** On a Swarm secret: the manifest secret it holds. */
  secret: 'id.ksad.secret',
  /** On a swarm service: a hash of what ksad set that the engine shows, to tell a hand edit. */
  fingerprint: 'id.ksad.fingerprint',
  /** Docker's own stack label: `docker stack ls/ps/services` group a swarm app's services by it. */
  stackNamespace: 'com.docker.stack.namespace',
} as const;

export type ResourceKind =
  | 'container'
  | 'network'
  | 'volume'
  | 'release'
  | 'host'
  | 'secrets'
  | 'vault'
  | 'lock'
  /** What the host keeps of an uninstalled app (see RemovalRecord). */
  | 'removal'
  /** A ksad secret as a Swarm secret, mounted by the services that use it. */
  | 'secret'
  | 'ingress';

export function managedLabels(
  kind: ResourceKind,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { [Label.managed]: 'true', [Label.kind]: kind, ...extra };
}

/** Docker object names for a release: `ksad-<app>-<service>`, `ksad-<app>`, `ksad-<app>-<volume>`. */
export const names = {
  network: (app: string) => `ksad-${app}`,
  container: (app: string, service: string) => `ksad-${app}-${service}`,
  volume: (app: string, volume: string) => `ksad-${app}-${volume}`,
  releaseRecord: (app: string, revision: number) => `ksad-release-${app}-r${revision}`,
  secrets: (app: string) => `ksad-secrets-${app}`,
  /** The volume holding an app's secrets as files, and the never-started marker that mounts it. */
  vault: (app: string) => `ksad-vault-${app}`,
  lock: (app: string) => `ksad-lock-${app}`,
  removal: (app: string) => `ksad-removed-${app}`,
  hostProfile: 'ksad-host',
  /** A swarm service, named as `docker stack deploy` names it: `<app>_<service>`. */
  swarmService: (app: string, service: string) => `${app}_${service}`,
  /** A ksad secret as a Swarm secret; its content hash in the name makes a rotation a new one. */
  swarmSecret: (app: string, secret: string, hash: string) =>
    `ksad-${app}-${secret.toLowerCase()}-${hash.slice(0, 12)}`,
  /** The host ingress: its container, its own network (where its ports are published) and data volume. */
  ingress: 'ksad-ingress',
  ingressData: 'ksad-ingress-data',
} as const;

/** A service's old container, parked under `<name>-rN-old` while its replacement starts. */
export const PARKED_SUFFIX = /-r\d+-old$/;

export function parkedName(containerName: string, revision: number): string {
  return `${containerName}-r${revision}-old`;
}
