/**
 * Why a registry could not answer a question about an image. `not-found` and `unauthorized` are
 * answers from the registry; `unreachable` means no answer at all (DNS, refused, timeout, TLS);
 * `protocol` an answer ksad cannot use (other HTTP status, no digest, malformed reference).
 */
export type RegistryErrorKind = 'unreachable' | 'not-found' | 'unauthorized' | 'protocol';

/** A registry question that got no usable answer. Classified by HTTP status, never by message text. */
export class RegistryError extends Error {
  readonly kind: RegistryErrorKind;
  /** HTTP status, when the registry answered. */
  readonly status: number | undefined;

  constructor(
    kind: RegistryErrorKind,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegistryError';
    this.kind = kind;
    this.status = options.status;
  }
}

/** What a tag (or digest) names in its registry now. */
export interface ResolvedImage {
  /** The reference as given, e.g. `127.0.0.1:5151/ksad-test/web:1.0`. */
  reference: string;
  /** The repository as written, without tag or digest, e.g. `127.0.0.1:5151/ksad-test/web`. */
  repository: string;
  /** `sha256:<64 hex>` of the manifest or manifest list / OCI index the reference names. */
  digest: string;
  /** Media type the registry served (image manifest, manifest list or OCI index), when it said. */
  mediaType: string | null;
  /** `repository@digest`: the form a manifest pins. */
  pinned: string;
}

/**
 * Container registries over the Registry HTTP API v2, in domain terms. Implemented by
 * `adapters/registry-http.ts` (`RegistryHttpClient`, and the `resolveDigest` / `imageExists`
 * functions over a shared client).
 */
export interface ImageRegistry {
  /**
   * Resolves `repo[:tag]` (or `repo@sha256:…`) to the digest of the manifest it names now.
   * Throws `RegistryError` (`not-found`, `unauthorized`, `unreachable`, `protocol`).
   */
  resolveDigest(reference: string): Promise<ResolvedImage>;

  /**
   * Whether `repo@sha256:…` (or `repo:tag`) exists in its registry: true on 200, false on 404.
   * Throws `RegistryError` when the registry cannot be asked (`unreachable`, `unauthorized`, …).
   */
  imageExists(reference: string): Promise<boolean>;
}

/**
 * Image content as a registry stores it, for a bundle: the manifest's exact bytes and blobs
 * streamed. Implemented by `adapters/registry-http.ts`.
 */
export interface ImageContentRegistry {
  /** The bytes of the manifest `repo@sha256:…` names. Throws `RegistryError`. */
  manifestBytes(reference: string): Promise<{ bytes: Uint8Array; mediaType: string | null }>;
  /** A blob of the repository of `reference`, streamed. Throws `RegistryError`. */
  blob(reference: string, digest: string): AsyncIterable<Uint8Array>;
}
