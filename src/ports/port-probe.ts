/**
 * Whether a port is free on the machine the engine runs on, found by binding it for an instant:
 * the one way to see a process outside Docker that listens there. Only meaningful when the engine
 * is local (a unix socket); the composition root gives none for a remote engine.
 */
export interface PortProbe {
  /** True when `address:port` can be bound now (nothing listens there). */
  isFree(address: string, port: number, protocol: 'tcp' | 'udp'): Promise<boolean>;
}
