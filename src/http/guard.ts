import type { Server } from 'node:http';

/**
 * Limits every HTTP server of the product shares: a stuck client must not hold a socket for Node's
 * default five minutes, and a malformed request closes its own socket without an error event.
 */
export function guardHttpServer(server: Server): void {
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.on('clientError', (_err, socket) => socket.destroy());
}
