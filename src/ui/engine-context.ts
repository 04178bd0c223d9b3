import { randomBytes } from 'node:crypto';
import { Flags } from '@oclif/core';
import { DockerConfigCredentials } from '../adapters/docker-config-credentials.js';
import { resolveDockerHost } from '../adapters/docker-host.js';
import { readInputText } from '../adapters/input-file.js';
import { DockerodeEngine } from '../adapters/dockerode-engine.js';
import { DockerodeSwarm } from '../adapters/dockerode-swarm.js';
import { engineTimeouts } from '../adapters/engine-timeouts.js';
import { netPortProbe } from '../adapters/net-port-probe.js';
import { currentOperator, processProbe, systemClock } from '../adapters/system.js';
import { openCatalog } from '../app/catalogs.js';
import type { DeployRunContext } from '../app/deploy.js';
import type { Catalog } from '../core/catalog-model.js';
import { isEngineFault, KsadError } from '../core/errors.js';
import type { TargetKind } from '../core/release.js';
import type { Clock } from '../ports/clock.js';
import type { BundleImages } from '../ports/bundle-images.js';
import type { DeployTarget } from '../ports/deploy-target.js';
import type { DockerEngine } from '../ports/docker-engine.js';
import type { ImageSource } from '../ports/image-source.js';
import type { PortProbe } from '../ports/port-probe.js';
import type { ReleaseStore } from '../ports/release-store.js';
import { DockerHostReleaseStore } from '../targets/docker-host/release-store.js';
import { DockerHostTarget } from '../targets/docker-host/target.js';
import { BundleImageSource } from '../targets/images/bundle-source.js';
import { HostIngress } from '../targets/docker-host/ingress.js';
import type { IngressControl } from '../ports/ingress.js';
import { RegistryImageSource } from '../targets/images/registry-source.js';
import { SwarmReleaseStore } from '../targets/swarm/release-store.js';
import { SwarmTarget } from '../targets/swarm/target.js';
import { catalogContext } from './context.js';
import { terminalProgress } from './progress.js';

/** `--docker-host`: found the way the docker CLI finds it when absent. */
export const dockerHostFlag = Flags.string({
  summary:
    'Docker engine to use: unix:///path, tcp://host:port (TLS with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) or ssh://user@host.',
  description: 'Defaults to DOCKER_HOST, else unix:///var/run/docker.sock.',
  helpValue: 'URL',
});

export function openEngine(flag: string | undefined): DockerodeEngine {
  return new DockerodeEngine(resolveDockerHost({ flag, env: process.env }), {
    credentials: new DockerConfigCredentials(process.env),
    timeouts: engineTimeouts(process.env),
  });
}

/** How each kind of target a host profile names is built over its engine: its store and target. */
const TARGETS: Record<
  TargetKind,
  (
    engine: DockerodeEngine,
    clock: Clock,
    images: ImageSource,
    probe: PortProbe | undefined,
  ) => { store: ReleaseStore; target: DeployTarget }
> = {
  docker: (engine, clock, images, probe) => ({
    store: new DockerHostReleaseStore(engine),
    target: new DockerHostTarget(engine, images, clock, probe),
  }),
  swarm: (engine, clock, images, probe) => {
    const swarm = new DockerodeSwarm(engine);
    return {
      store: new SwarmReleaseStore(swarm),
      target: new SwarmTarget(engine, swarm, images, clock, probe ? { portProbe: probe } : {}),
    };
  },
};

/** Where a host's images come from: their registries, or a verified bundle file. */
function imageSource(engine: DockerEngine, bundle: BundleImages | undefined): ImageSource {
  return bundle ? new BundleImageSource(engine, bundle) : new RegistryImageSource(engine);
}

/**
 * A port can be probed by binding it only on the machine the engine runs on: an engine behind a
 * unix socket is local; one over TCP or SSH is elsewhere, and the engine alone reports its ports.
 */
function localProbe(endpoint: string): PortProbe | undefined {
  return endpoint.startsWith('unix://') ? netPortProbe : undefined;
}

/** A connection to a host: its release store and its deploy target. */
export interface HostConnection {
  endpoint: string;
  store: ReleaseStore;
  target: DeployTarget;
  /** The host's ingress (the proxy ksad installs in front of routed apps). */
  ingress: IngressControl;
  close(): void;
}

/** Connects to the host behind `--docker-host`, as a target of `kind`. */
export function openHost(flag: string | undefined, kind: TargetKind = 'docker'): HostConnection {
  return connection(openEngine(flag), kind);
}

function connection(
  engine: DockerodeEngine,
  kind: TargetKind,
  bundle?: BundleImages,
): HostConnection {
  return {
    endpoint: engine.endpoint,
    ...TARGETS[kind](engine, systemClock, imageSource(engine, bundle), localProbe(engine.endpoint)),
    ingress: new HostIngress(engine, new RegistryImageSource(engine), systemClock),
    close: () => engine.close(),
  };
}

/**
 * Connects to a host as the kind of target its profile names: a swarm manager whose swarm holds a
 * ksad profile is a swarm target, anything else a Docker host. A profile that cannot be read here
 * leaves that kind: the use-case reads it again and reports why. An engine that did not answer or
 * went away is reported at once: asking it again would only wait out another deadline.
 */
export async function openProfiledHost(
  flag: string | undefined,
  bundle?: BundleImages,
): Promise<HostConnection> {
  const engine = openEngine(flag);
  const kind = await profiledKind(engine).catch((error: unknown) => {
    engine.close();
    throw error;
  });
  return connection(engine, kind, bundle);
}

async function profiledKind(engine: DockerodeEngine): Promise<TargetKind> {
  const unreadable = (error: unknown): null => {
    if (isEngineFault(error)) throw error;
    return null;
  };
  const membership = await new DockerodeSwarm(engine).membership();
  if (membership.state === 'active' && membership.manager) {
    const swarmProfile = await new SwarmReleaseStore(new DockerodeSwarm(engine))
      .profile()
      .catch((error: unknown) => {
        unreadable(error);
        return 'damaged' as const;
      });
    if (swarmProfile !== null) return 'swarm';
  }
  const profile = await new DockerHostReleaseStore(engine).profile().catch(unreadable);
  return profile?.target ?? 'docker';
}

/** Random secrets: URL-safe characters, `length` of them. */
export function randomSecret(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4) + 3)
    .toString('base64url')
    .slice(0, length);
}

/**
 * Everything a deploy-side use-case needs, built from flags and the environment. With a verified
 * bundle, the catalog is the one it carries and its images come from it.
 */
export async function deployContext(
  flags: {
    'docker-host'?: string | undefined;
    catalog?: string | undefined;
    json: boolean;
  },
  bundle?: { catalog: Catalog; images: BundleImages },
): Promise<DeployRunContext & { close(): void; catalog: Catalog }> {
  const [catalog, host] = await Promise.all([
    bundle ? bundle.catalog : openCatalog(catalogContext(), flags.catalog),
    openProfiledHost(flags['docker-host'], bundle?.images),
  ]);
  return {
    store: host.store,
    target: host.target,
    catalog,
    clock: systemClock,
    randomSecret,
    operator: currentOperator(process.env),
    probe: processProbe,
    progress: terminalProgress({ json: flags.json }),
    close: () => host.close(),
  };
}

/** Secrets for this run: `KSAD_SECRET_<NAME>` variables, then `--secret NAME=@FILE|VALUE` flags. */
export function suppliedSecrets(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('KSAD_SECRET_') && value !== undefined && value !== '')
      out[key.slice('KSAD_SECRET_'.length)] = value;
  }
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) {
      throw new KsadError(
        'USAGE',
        `--secret takes NAME=@FILE, got "${flag.replace(/=.*/, '=…')}"`,
        {
          suggestions: ['for example: --secret DB_PASSWORD=@/run/secrets/db-password'],
        },
      );
    }
    const name = flag.slice(0, eq);
    const raw = flag.slice(eq + 1);
    out[name] = raw.startsWith('@')
      ? readText(raw.slice(1), `--secret ${name}`, SECRET_FILE_BYTES).replace(/\r?\n$/, '')
      : raw;
  }
  return out;
}

/** A secret file is a password or a key, not a document. */
const SECRET_FILE_BYTES = 64 * 1024;

/**
 * Reads a file the user named through the shared input reader (regular files only, size-limited,
 * UTF-8); a missing or unreadable one is the user's to fix, and the error names it.
 */
export function readText(path: string, what: string, maxBytes?: number): string {
  return readInputText(path, what, {
    missing: 'USAGE',
    // A secret file (given its own limit) is handed to a process, which cannot take a NUL.
    ...(maxBytes === undefined ? {} : { maxBytes, noNul: true }),
  });
}
