import net from 'node:net';
import type { ClientOptions } from 'ws';

/**
 * `ws` client options for the SDK's socket. The SDK forces the `wss` scheme whatever the base URL
 * (docs/protocols/cartesia-tts.md §7 "Scheme"), so for a plain `http://` base URL (a local simulator) we hand
 * `ws` a plain TCP socket and the upgrade travels unencrypted: work-around A of §8. An `https://` base URL
 * (the real service) keeps the default TLS connection untouched.
 */
export function socketOptionsFor(baseURL: string, handshakeTimeoutMs: number): ClientOptions {
  const options: ClientOptions = { handshakeTimeout: handshakeTimeoutMs };
  const scheme = new URL(baseURL).protocol;
  if (scheme === 'http:' || scheme === 'ws:') {
    const plainTcp = (opts: { host?: string; port?: number | string }) =>
      net.connect({ host: opts.host ?? '127.0.0.1', port: Number(opts.port) });
    options.createConnection = plainTcp as unknown as typeof net.createConnection;
  }
  return options;
}
