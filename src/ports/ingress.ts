/**
 * The host ingress, in ksad's terms: install or upgrade it, read what it serves, keep a region's
 * certificate for an app, export the internal CA's root. The Docker host's is
 * `targets/docker-host/ingress.ts`.
 */
import type { ContainerState, HealthState } from '../core/engine-model.js';
import type { LiveRoute } from '../core/ingress.js';
import type { Progress } from './progress.js';

export interface IngressInstall {
  /** The proxy image, pinned by digest. */
  image: string;
  httpPort: number;
  httpsPort: number;
  /** Host address its ports are published on. */
  bindAddress: string;
}

export interface IngressState {
  container: string;
  image: string;
  state: ContainerState;
  health: HealthState;
  httpPort: number;
  httpsPort: number;
  bindAddress: string;
  /** What the proxy serves now. */
  routes: LiveRoute[];
}

export interface IngressControl {
  /** The installed ingress, or null. */
  state(): Promise<IngressState | null>;
  install(
    opts: IngressInstall,
    progress: Progress,
  ): Promise<{ outcome: 'installed' | 'upgraded' | 'unchanged'; state: IngressState }>;
  /** The internal CA's root certificate (PEM), or null before the proxy made one. */
  caRoot(): Promise<string | null>;
  /** Keeps the region's certificate and key for `app` where the proxy loads them. */
  putCertificate(app: string, certificate: string, key: string): Promise<void>;
}

/** A certificate as a TLS client sees it. */
export interface ServedCertificate {
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
}

/** Reads the certificate a TLS server presents for a name (SNI), without trusting it. */
export interface CertificateProbe {
  served(address: string, port: number, serverName: string): Promise<ServedCertificate | null>;
}
