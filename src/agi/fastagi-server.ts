import { createServer, type Server, type Socket } from 'node:net';
import { listen } from '../http/listen.js';
import type { Logger } from '../log.js';
import type { CallMetadataRegistry } from './call-metadata-registry.js';
import { FastAgiSession, type FastAgiSessionOptions } from './fastagi-session.js';

export interface FastAgiServerOptions {
  /** Loopback by default: FastAGI has no authentication, keep it off public interfaces. */
  host?: string;
  /** 4573 is Asterisk's AGI_PORT default (docs/protocols/agi.md §1); 0 picks a free port (tests). */
  port?: number;
  registry: CallMetadataRegistry;
  log: Logger;
  /** "host:port" of the AudioSocket listener, sent as VA_AUDIOSOCKET in pattern 5.1 (or one per call). */
  audioSocketAddress?: FastAgiSessionOptions['audioSocketAddress'];
  /** Per-connection bound on the whole exchange. */
  sessionTimeoutMs?: number;
  /** Refuse connections beyond this many at once (a flood must not exhaust file descriptors). */
  maxConnections?: number;
  /** Bytes one session may send in all (see FastAgiSession). */
  maxSessionBytes?: number;
  /** Admission control (see FastAgiSession). */
  admit?: FastAgiSessionOptions['admit'];
}

export interface FastAgiServer {
  readonly host: string;
  readonly port: number;
  /** Stops listening and drops open sessions. */
  close(): Promise<void>;
}

export const DEFAULT_AGI_PORT = 4573;
const DEFAULT_SESSION_TIMEOUT_MS = 5000;
const DEFAULT_MAX_CONNECTIONS = 512;

/**
 * host:port, [ipv6]:port — what AudioSocket() accepts as its service argument (docs/protocols/audiosocket.md
 * §8.1).
 */
const SERVICE_ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export function isServiceAddress(value: string): boolean {
  const m = SERVICE_ADDRESS.exec(value);
  return m !== null && Number(m[2]) > 0 && Number(m[2]) <= 65535;
}

export async function startFastAgiServer(opts: FastAgiServerOptions): Promise<FastAgiServer> {
  if (typeof opts.audioSocketAddress === 'string' && !isServiceAddress(opts.audioSocketAddress)) {
    throw new Error(`audioSocketAddress must be host:port, got ${JSON.stringify(opts.audioSocketAddress)}`);
  }
  const log = opts.log.child({ component: 'fastagi' });
  const sockets = new Set<Socket>();
  const server: Server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    new FastAgiSession(socket, {
      registry: opts.registry,
      log,
      timeoutMs: opts.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      ...(opts.maxSessionBytes ? { maxSessionBytes: opts.maxSessionBytes } : {}),
      ...(opts.admit ? { admit: opts.admit } : {}),
      ...(opts.audioSocketAddress ? { audioSocketAddress: opts.audioSocketAddress } : {}),
    });
  });
  server.maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  server.on('error', (err) => log.error({ err }, 'FastAGI server error'));

  const host = opts.host ?? '127.0.0.1';
  const port = await listen(server, opts.port ?? DEFAULT_AGI_PORT, host);
  log.info({ host, port }, 'FastAGI listening');

  return {
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
