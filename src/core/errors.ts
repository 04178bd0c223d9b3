/**
 * Exit codes are data: every failure a user can cause maps to one code, documented in the README
 * and checked by tests. Anything that is not a KsadError is a bug and exits with `BUG`.
 */
export const ExitCode = {
  OK: 0,
  /** Something failed that is neither the user's input nor a known fault: a bug. */
  BUG: 1,
  /** Wrong flags or arguments. */
  USAGE: 2,
  /** Lint or validation found errors in catalog files, manifests or overlays. */
  INVALID: 3,
  /** The named catalog, app, version, member, release or revision does not exist. */
  NOT_FOUND: 4,
  /** The catalog source (folder or git URL) cannot be read or fetched. */
  CATALOG_UNAVAILABLE: 5,
  /** No active MoU grants the app to the host's region. */
  NOT_COVERED: 6,
  /** The Docker engine cannot be reached or refused the request. */
  ENGINE_UNAVAILABLE: 7,
  /** Another operation holds the app's lock on the host. */
  LOCKED: 8,
  /** The deploy failed (image, port, health); the previous state was restored. */
  DEPLOY_FAILED: 9,
  /** A signature, digest or integrity check failed. */
  INTEGRITY: 10,
  /** `plan`: changes are pending (not an error). `audit --strict`: findings exist. */
  CHANGES_PENDING: 20,
} as const;
export type ExitCodeName = keyof typeof ExitCode;

export interface KsadErrorOptions {
  /** What the user can do next. */
  suggestions?: readonly string[];
  /** Problems behind the error, already formatted (e.g. `file:line:col: error: path: message`). */
  details?: readonly string[];
  cause?: unknown;
  /** A finer kind within the code, for callers that act on it (see {@link EngineFault}). */
  reason?: EngineFault;
}

/**
 * Why the engine was unavailable, when it was not an answer: it never answered a call in time
 * (`timeout`), or it went away while ksad was working with it (`lost`: the connection dropped, the
 * socket vanished). Set on ENGINE_UNAVAILABLE errors by the engine adapter.
 */
export type EngineFault = 'timeout' | 'lost';

/** A failure the user can fix: it carries an exit code, a message and what to do next. */
export class KsadError extends Error {
  readonly code: ExitCodeName;
  readonly suggestions: readonly string[];
  readonly details: readonly string[];
  readonly reason: EngineFault | undefined;

  constructor(code: ExitCodeName, message: string, options: KsadErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KsadError';
    this.code = code;
    this.suggestions = options.suggestions ?? [];
    this.details = options.details ?? [];
    this.reason = options.reason;
  }

  get exitCode(): number {
    return ExitCode[this.code];
  }
}

export function isKsadError(error: unknown): error is KsadError {
  return error instanceof KsadError;
}

/** The engine stopped answering (it timed out or went away), as opposed to refusing a request. */
export function isEngineFault(error: unknown): error is KsadError {
  return isKsadError(error) && error.code === 'ENGINE_UNAVAILABLE' && error.reason !== undefined;
}
