import { createServer } from 'node:net';

/**
 * A loopback port nobody is listening on right now. The child that gets it binds it a moment later;
 * another process could take it in between, which on a bench machine is rare enough to just retry.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
