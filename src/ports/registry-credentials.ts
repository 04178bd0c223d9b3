/** How to log in to an image registry: a user name and password, or an identity (refresh) token. */
export type RegistryCredential = { username: string; password: string } | { identityToken: string };

/**
 * The credentials the operator keeps for image registries. Implemented by
 * `adapters/docker-config-credentials.ts`, which reads what `docker login` stored.
 */
export interface RegistryCredentials {
  /**
   * The credential for `registry` (a host with an optional port, `docker.io` for Docker Hub), or
   * undefined to go anonymous. Throws `KsadError('USAGE')` when the store cannot be read.
   */
  forRegistry(registry: string): Promise<RegistryCredential | undefined>;
}
