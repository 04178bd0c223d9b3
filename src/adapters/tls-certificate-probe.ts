import { connect } from 'node:tls';
import type { CertificateProbe, ServedCertificate } from '../ports/ingress.js';

/**
 * Reads the certificate a TLS server presents for a name (SNI), as a client would, without
 * trusting it: audit judges its expiry, not its chain.
 */
export class TlsCertificateProbe implements CertificateProbe {
  constructor(private readonly timeoutMs = 5000) {}

  served(address: string, port: number, serverName: string): Promise<ServedCertificate | null> {
    return new Promise((resolve) => {
      const socket = connect({
        host: address,
        port,
        servername: serverName,
        rejectUnauthorized: false,
        timeout: this.timeoutMs,
      });
      const done = (value: ServedCertificate | null): void => {
        socket.destroy();
        resolve(value);
      };
      socket.once('secureConnect', () => {
        const cert = socket.getPeerX509Certificate();
        if (!cert) return done(null);
        done({
          // A certificate may name its hosts only in subjectAltName (the internal CA's do).
          subject: (cert.subject || cert.subjectAltName || '').replace(/\n/g, ', '),
          issuer: (cert.issuer || '').replace(/\n/g, ', '),
          notBefore: new Date(cert.validFrom),
          notAfter: new Date(cert.validTo),
        });
      });
      socket.once('timeout', () => done(null));
      socket.once('error', () => done(null));
    });
  }
}
