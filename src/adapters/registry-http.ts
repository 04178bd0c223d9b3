import { createHash } from 'node:crypto';
import {
  RegistryError,
  type ImageContentRegistry,
  type ImageRegistry,
  type ResolvedImage,
} from '../ports/image-registry.js';
import type { RegistryCredential, RegistryCredentials } from '../ports/registry-credentials.js';

/** Every manifest kind a tag may name: single-platform manifests and multi-platform lists. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** `[registry/]repository[:tag][@digest]` split the way Docker reads it. */
export interface ImageReference {
  /** Registry host (with port), `docker.io` when none is written. */
  registry: string;
  /** Repository path in the registry; Docker Hub's official images get `library/`. */
  path: string;
  tag: string | undefined;
  digest: string | undefined;
  /** The repository as written, without tag or digest. */
  repository: string;
}

/**
 * Parses an image reference like Docker does: the first component is a registry when it has a
 * dot or a port or is `localhost`; otherwise the image is on Docker Hub. Throws on a malformed one.
 */
export function parseImageReference(reference: string): ImageReference {
  const at = reference.indexOf('@');
  const named = at === -1 ? reference : reference.slice(0, at);
  const digest = at === -1 ? undefined : reference.slice(at + 1);
  if (digest !== undefined && !DIGEST.test(digest)) {
    throw new RegistryError(
      'protocol',
      `"${reference}" has a malformed digest: expected sha256:<64 hex>`,
    );
  }
  const lastSlash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const repository = hasTag ? named.slice(0, colon) : named;
  const tag = hasTag ? named.slice(colon + 1) : undefined;
  if (
    repository === '' ||
    /\s/.test(reference) ||
    (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag))
  ) {
    throw new RegistryError(
      'protocol',
      `"${reference}" is not an image reference such as registry/name:tag`,
    );
  }
  const slash = repository.indexOf('/');
  const first = slash === -1 ? '' : repository.slice(0, slash);
  const explicitRegistry =
    first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = explicitRegistry ? first : DOCKER_HUB;
  let path = explicitRegistry ? repository.slice(slash + 1) : repository;
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  return { registry, path, tag, digest, repository };
}

/** Loopback registries speak plain HTTP (as Docker allows them to); every other one HTTPS. */
export function registryBaseUrl(registry: string): string {
  const host = registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
  const hostname = host.startsWith('[')
    ? host.slice(0, host.indexOf(']') + 1)
    : (host.split(':')[0] ?? host);
  const loopback =
    hostname === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === '[::1]';
  return `${loopback ? 'http' : 'https'}://${host}`;
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters; undefined for other schemes. */
export function parseBearerChallenge(header: string | null): Record<string, string> | undefined {
  if (header === null || !/^Bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) {
    if (m[1] !== undefined && m[2] !== undefined) params[m[1].toLowerCase()] = m[2];
  }
  return params.realm === undefined ? undefined : params;
}

export interface RegistryHttpOptions {
  /** Per-request time limit; a registry that does not answer in time is `unreachable`. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Where the operator's registry logins are (`docker login`); anonymous access without. */
  credentials?: RegistryCredentials;
}

function basic(credential: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
}

/**
 * The Registry HTTP API v2 over `fetch`: `HEAD /v2/<name>/manifests/<tag>` with the manifest media
 * types in Accept, reading `Docker-Content-Digest`. A registry that challenges with 401 gets the
 * operator's login for it, if any: with Basic, the user and password; with Bearer (Docker Hub,
 * ghcr.io, Harbor …), a token fetched from the challenge's realm with them, or anonymously.
 */
export class RegistryHttpClient implements ImageRegistry, ImageContentRegistry {
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly credentials: RegistryCredentials | undefined;
  /** The Authorization header that worked, by registry and repository. */
  private readonly authorizations = new Map<string, string>();
  /** Registries answered with the operator's login rather than anonymously. */
  private readonly loggedIn = new Set<string>();

  constructor(options: RegistryHttpOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchFn = options.fetch ?? fetch;
    this.credentials = options.credentials;
  }

  async resolveDigest(reference: string): Promise<ResolvedImage> {
    const ref = parseImageReference(reference);
    const wanted = ref.digest ?? ref.tag ?? 'latest';
    let res = await this.manifestRequest(ref, wanted, 'HEAD');
    let digest = res.headers.get('docker-content-digest');
    let mediaType = res.headers.get('content-type');
    if (res.status === 200 && (digest === null || !DIGEST.test(digest))) {
      // Some registries leave the digest header off HEAD answers: hash the manifest bytes instead.
      res = await this.manifestRequest(ref, wanted, 'GET');
      this.check(res, reference);
      const body = Buffer.from(await res.arrayBuffer());
      digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      mediaType = res.headers.get('content-type');
    }
    this.check(res, reference);
    if (digest === null || !DIGEST.test(digest)) {
      throw new RegistryError(
        'protocol',
        `${reference}: the registry answered without a usable digest`,
        { status: res.status },
      );
    }
    if (ref.digest !== undefined && ref.digest !== digest) {
      throw new RegistryError(
        'protocol',
        `${reference}: the registry serves ${digest} for digest ${ref.digest}`,
        { status: res.status },
      );
    }
    return {
      reference,
      repository: ref.repository,
      digest,
      mediaType,
      pinned: `${ref.repository}@${digest}`,
    };
  }

  async imageExists(reference: string): Promise<boolean> {
    const ref = parseImageReference(reference);
    const res = await this.manifestRequest(ref, ref.digest ?? ref.tag ?? 'latest', 'HEAD');
    if (res.status === 404) return false;
    this.check(res, reference);
    return true;
  }

  private check(res: Response, reference: string): void {
    if (res.status === 200) return;
    if (res.status === 404)
      throw new RegistryError(
        'not-found',
        `${reference}: no such image in the registry (HTTP 404)`,
        { status: 404 },
      );
    if (res.status === 401 || res.status === 403) {
      const registry = parseImageReference(reference).registry;
      throw new RegistryError(
        'unauthorized',
        this.loggedIn.has(registry)
          ? `${reference}: the registry refused the login for ${registry} (HTTP ${res.status})`
          : `${reference}: the registry refused anonymous access (HTTP ${res.status}); log in with \`docker login ${registry}\``,
        { status: res.status },
      );
    }
    throw new RegistryError('protocol', `${reference}: the registry answered HTTP ${res.status}`, {
      status: res.status,
    });
  }

  /** The bytes of the manifest `repo@sha256:…` names, exactly as the registry stores them. */
  async manifestBytes(reference: string): Promise<{ bytes: Uint8Array; mediaType: string | null }> {
    const ref = parseImageReference(reference);
    const res = await this.manifestRequest(ref, ref.digest ?? ref.tag ?? 'latest', 'GET');
    this.check(res, reference);
    return {
      bytes: new Uint8Array(await res.arrayBuffer()),
      mediaType: res.headers.get('content-type'),
    };
  }

  /** A blob of the repository of `reference`, streamed (no overall time limit while it moves). */
  async *blob(reference: string, digest: string): AsyncGenerator<Uint8Array> {
    const ref = parseImageReference(reference);
    const url = `${registryBaseUrl(ref.registry)}/v2/${ref.path}/blobs/${digest}`;
    const res = await this.authorized(ref, url, 'GET', '*/*', false);
    this.check(res, `${ref.repository}@${digest}`);
    if (res.body === null) return;
    const reader = res.body.getReader();
    for (;;) {
      const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (chunk.done || chunk.value === undefined) return;
      yield chunk.value;
    }
  }

  private manifestRequest(
    ref: ImageReference,
    wanted: string,
    method: 'HEAD' | 'GET',
  ): Promise<Response> {
    const url = `${registryBaseUrl(ref.registry)}/v2/${ref.path}/manifests/${wanted}`;
    return this.authorized(ref, url, method, MANIFEST_ACCEPT, true);
  }

  private async authorized(
    ref: ImageReference,
    url: string,
    method: 'HEAD' | 'GET',
    accept: string,
    timed: boolean,
  ): Promise<Response> {
    const key = `${ref.registry}/${ref.path}`;
    const send = (authorization: string | undefined) =>
      this.send(
        url,
        {
          method,
          headers: {
            Accept: accept,
            ...(authorization === undefined ? {} : { Authorization: authorization }),
          },
        },
        timed,
      );
    let res = await send(this.authorizations.get(key));
    if (res.status === 401) {
      const authorization = await this.authorize(res.headers.get('www-authenticate'), ref);
      if (authorization !== undefined) {
        this.authorizations.set(key, authorization);
        res = await send(authorization);
      }
    }
    return res;
  }

  /** The Authorization header that answers a 401's challenge, if there is one to send. */
  private async authorize(header: string | null, ref: ImageReference): Promise<string | undefined> {
    const credential = await this.credentials?.forRegistry(ref.registry);
    if (credential !== undefined) this.loggedIn.add(ref.registry);
    const bearer = parseBearerChallenge(header);
    if (bearer) {
      const token = await this.token(bearer, ref, credential);
      return token === undefined ? undefined : `Bearer ${token}`;
    }
    if (header !== null && /^Basic\b/i.test(header) && credential && 'username' in credential)
      return basic(credential);
    return undefined;
  }

  /**
   * A pull token from the challenge's realm: anonymous, with the user and password as Basic, or
   * with an identity token through OAuth's refresh-token grant (as the docker CLI does).
   */
  private async token(
    challenge: Record<string, string>,
    ref: ImageReference,
    credential: RegistryCredential | undefined,
  ): Promise<string | undefined> {
    const url = new URL(challenge.realm ?? '');
    const scope = challenge.scope ?? `repository:${ref.path}:pull`;
    let res: Response;
    if (credential && 'identityToken' in credential) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credential.identityToken,
        client_id: 'ksad',
        scope,
        ...(challenge.service === undefined ? {} : { service: challenge.service }),
      });
      res = await this.send(url.toString(), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
    } else {
      if (challenge.service !== undefined) url.searchParams.set('service', challenge.service);
      url.searchParams.set('scope', scope);
      res = await this.send(url.toString(), {
        method: 'GET',
        headers: credential ? { Authorization: basic(credential) } : {},
      });
    }
    if (res.status !== 200) return undefined;
    const body = (await res.json()) as { token?: unknown; access_token?: unknown };
    const token = body.token ?? body.access_token;
    return typeof token === 'string' ? token : undefined;
  }

  private async send(url: string, init: RequestInit, timed = true): Promise<Response> {
    try {
      return await this.fetchFn(url, {
        ...init,
        redirect: 'follow',
        ...(timed ? { signal: AbortSignal.timeout(this.timeoutMs) } : {}),
      });
    } catch (error) {
      const cause =
        error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      const what = error instanceof Error ? error.message : String(error);
      throw new RegistryError(
        'unreachable',
        `cannot reach ${new URL(url).host} (${what}${cause})`,
        { cause: error },
      );
    }
  }
}
