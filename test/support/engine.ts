/**
 * Shared by every test that needs the real Docker engine and the loopback registry. These tests
 * never skip: without an engine they fail with a message that says how to get one, because a
 * skipped engine test in CI reads as a passing one.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import Docker from 'dockerode';
import {
  buildImage,
  DEFAULT_REGISTRY,
  pushImage,
  type BuildImageOptions,
  type ImageFile,
} from '../../scripts/build-images.js';

export interface Engine {
  /** As given in DOCKER_HOST, e.g. `unix:///tmp/ksad-engine/docker.sock`. */
  dockerHost: string;
  /** `127.0.0.1:PORT` of the registry the engine pulls from. */
  registry: string;
  docker: Docker;
}

const HOW_TO_GET_ONE =
  'Start one with `bash scripts/engine.sh start && eval "$(bash scripts/engine.sh env)"`, ' +
  'or run the whole suite with `bash scripts/test.sh`.';

export function dockerFromHost(dockerHost: string): Docker {
  if (dockerHost.startsWith('unix://'))
    return new Docker({ socketPath: dockerHost.slice('unix://'.length) });
  if (dockerHost.startsWith('tcp://') || dockerHost.startsWith('http://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
  }
  throw new Error(
    `DOCKER_HOST=${dockerHost} is not a unix:// or tcp:// address. ${HOW_TO_GET_ONE}`,
  );
}

function httpStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

let cached: Promise<Engine> | undefined;

/**
 * The engine from DOCKER_HOST (default `unix:///var/run/docker.sock`) and the registry from
 * KSAD_REGISTRY (default 127.0.0.1:5151), both pinged. Throws, never skips, when either is absent.
 */
export function requireEngine(): Promise<Engine> {
  cached ??= (async () => {
    const dockerHost = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
    const registry = process.env.KSAD_REGISTRY || DEFAULT_REGISTRY;
    const docker = dockerFromHost(dockerHost);
    try {
      await docker.ping();
    } catch (error) {
      throw new Error(
        `No Docker engine answers at DOCKER_HOST=${dockerHost} (${message(error)}). ${HOW_TO_GET_ONE}`,
      );
    }
    let status: number;
    try {
      status = await httpStatus(`http://${registry}/v2/`, 3000);
    } catch (error) {
      throw new Error(
        `No registry answers at KSAD_REGISTRY=${registry} (${message(error)}). ${HOW_TO_GET_ONE}`,
      );
    }
    if (status !== 200) {
      throw new Error(
        `The registry at KSAD_REGISTRY=${registry} answered /v2/ with HTTP ${status}. ${HOW_TO_GET_ONE}`,
      );
    }
    return { dockerHost, registry, docker };
  })();
  // A failed probe is not cached, so a later call can see an engine that came up meanwhile.
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

export const SESSION_LABEL_KEY = 'id.ksad.test-session';

export interface SessionLabel {
  key: string;
  value: string;
  /** `key=value`, for `filters: { label: [...] }` and for cleanupByLabel(). */
  filter: string;
  /** `{ [key]: value }`, to spread into a resource's Labels. */
  labels: Record<string, string>;
}

export function newSessionLabel(): SessionLabel {
  const value = randomBytes(6).toString('hex');
  return {
    key: SESSION_LABEL_KEY,
    value,
    filter: `${SESSION_LABEL_KEY}=${value}`,
    labels: { [SESSION_LABEL_KEY]: value },
  };
}

/** One per test file (vitest loads each file's modules afresh). */
export const sessionLabel: SessionLabel = newSessionLabel();

function statusCode(error: unknown): number | undefined {
  const code: unknown =
    typeof error === 'object' && error !== null && 'statusCode' in error
      ? error.statusCode
      : undefined;
  return typeof code === 'number' ? code : undefined;
}

async function ignoreGone(action: Promise<unknown>): Promise<void> {
  try {
    await action;
  } catch (error) {
    // Already removed (404) or being removed by someone else (409): either way it is going away.
    const code = statusCode(error);
    if (code !== 404 && code !== 409) throw error;
  }
}

/**
 * Removes every container (forced, with its anonymous volumes), network and volume that carries
 * `label` (`key=value`, or a SessionLabel), in that order, since networks and volumes in use
 * cannot go first.
 */
export async function cleanupByLabel(
  label: string | SessionLabel,
): Promise<{ containers: number; networks: number; volumes: number }> {
  const filter = typeof label === 'string' ? label : label.filter;
  const { docker } = await requireEngine();
  const filters = { label: [filter] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(
    containers.map((c) => ignoreGone(docker.getContainer(c.Id).remove({ force: true, v: true }))),
  );
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => ignoreGone(docker.getNetwork(n.Id).remove())));
  const { Volumes: volumes } = await docker.listVolumes({ filters });
  await Promise.all(
    (volumes ?? []).map((v) => ignoreGone(docker.getVolume(v.Name).remove({ force: true }))),
  );
  return {
    containers: containers.length,
    networks: networks.length,
    volumes: (volumes ?? []).length,
  };
}

/** Pulls `reference` and fails on an error event inside the progress stream, not only on HTTP errors. */
export async function pullImage(reference: string): Promise<void> {
  const { docker } = await requireEngine();
  const stream = await docker.pull(reference);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: Array<{ error?: string }>) => {
        const failed = events.find((e) => e.error);
        if (error) reject(error);
        else if (failed?.error) reject(new Error(`pull ${reference}: ${failed.error}`));
        else resolve();
      },
    );
  });
}

export type TestImageOptions = Omit<BuildImageOptions, 'name' | 'files'>;

/**
 * Builds a small busybox image from `files` (path in the image → content; a "#!" script is made
 * executable) and pushes it to the registry as `ksad-test/<name>`. Returns the reference by
 * digest, ready for pullImage() or a manifest. The entrypoint defaults to /ksad/entrypoint.sh
 * when `files` has one.
 */
export async function buildTestImage(
  name: string,
  files: Record<string, ImageFile>,
  options: TestImageOptions = {},
): Promise<string> {
  const { registry } = await requireEngine();
  const defaults: TestImageOptions =
    'ksad/entrypoint.sh' in files || '/ksad/entrypoint.sh' in files
      ? { entrypoint: ['/ksad/entrypoint.sh'] }
      : {};
  const image = buildImage({ ...defaults, ...options, name, files });
  return pushImage(image, { registry, repository: `ksad-test/${name}` });
}

/** Polls `fn` until it returns a value other than undefined, or fails with its last error. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${message(last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
