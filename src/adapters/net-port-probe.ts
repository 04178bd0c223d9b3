import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { PortProbe } from '../ports/port-probe.js';

/**
 * Binds the port and lets it go at once. Only "address in use" means taken: an address this
 * machine does not have, or a low port an unprivileged user may not bind, says nothing about the
 * port, so it counts as free (the engine reports it then).
 */
export const netPortProbe: PortProbe = {
  isFree(address, port, protocol) {
    return new Promise((resolve) => {
      const taken = (error: NodeJS.ErrnoException): void => resolve(error.code !== 'EADDRINUSE');
      if (protocol === 'udp') {
        const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
        socket.once('error', (e) => {
          socket.close();
          taken(e);
        });
        socket.bind(port, address, () => socket.close(() => resolve(true)));
        return;
      }
      const server = createServer();
      server.unref();
      server.once('error', taken);
      server.listen({ port, host: address, exclusive: true }, () =>
        server.close(() => resolve(true)),
      );
    });
  },
};
