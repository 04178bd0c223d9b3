/**
 * Container registries over the Registry HTTP API v2. Implemented by `adapters/registry-http.ts`.
 *
 * NOTE (publish engineer): this file was overwritten by mistake at 21:17 and reconstructed from
 * what `adapters/registry-http.ts` uses; its owner should check it against their original.
 */

/** Why a registry question failed. */
export type RegistryErrorKind = 'unreachable' | 'not-found' | 'unauthorized' | 'protocol';

/** A registry failure, classified so callers can say what to do next. */
export class RegistryError extends Error {
  readonly kind: RegistryErrorKind;
  /** HTTP status, when the registry answered. */
  readonly status: number | undefined;

  constructor(kind: RegistryErrorKind, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegistryError';
    this.kind = kind;
    this.status = options.status;
  }
}

/** What a tag or digest names in its registry now. */
export interface ResolvedImage {
  /** As given. */
  reference: string;
  /** The repository as written, without tag or digest. */
  repository: string;
  /** `sha256:<hex>` of the manifest (or index) the reference names. */
  digest: string;
  /** The manifest's media type, when the registry said. */
  mediaType: string | null;
  /** `repository@digest`. */
  pinned: string;
}

export interface ImageRegistry {
  /** The digest a reference names now. Throws RegistryError. */
  resolveDigest(reference: string): Promise<ResolvedImage>;
  /** Whether `repo@sha256:…` (or a tag) exists: false on 404; throws RegistryError otherwise. */
  imageExists(reference: string): Promise<boolean>;
}
