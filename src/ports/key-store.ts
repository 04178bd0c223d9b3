/**
 * Where private signing keys live: files outside every catalog. Implemented by
 * `adapters/fs-key-store.ts`.
 */
export interface KeyStore {
  /** `$KSAD_HOME/keys`, else `~/.config/ksad/keys` (XDG_CONFIG_HOME respected). */
  defaultDir(): string;

  /** Absolute form of a path the user typed. */
  resolvePath(path: string): string;

  /**
   * The top folder of the git working tree that holds `path` (which may not exist yet), or null
   * when it is inside none.
   */
  workTreeOf(path: string): Promise<string | null>;

  /**
   * Writes a private key readable by its owner only (mode 0600), creating `dir` (0700) as needed.
   * Never overwrites: throws KsadError('USAGE') when the file exists. Returns the absolute path.
   */
  writePrivateKey(dir: string, fileName: string, text: string): Promise<string>;

  /** Reads a private key file. Throws KsadError('NOT_FOUND') when it does not exist. */
  readPrivateKey(path: string): Promise<string>;
}
