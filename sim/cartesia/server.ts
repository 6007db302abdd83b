import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { knob } from '../knobs.js';
import type { CartesiaFault } from './faults.js';
import { handleHttpRequest } from './http-endpoints.js';
import { type CartesiaSimOptions, resolveKnobs } from './options.js';
import { MAX_FRAME_BYTES, TTS_WEBSOCKET_PATH } from './protocol.js';
import { SimCore } from './sim-core.js';
import type { CartesiaSimStats } from './stats.js';
import { serveConnection } from './ws-connection.js';

export interface CartesiaSim {
  /** `http://host:port`: the SDK's `baseURL`. The WebSocket is at `/tts/websocket` (plain ws, see §8 A). */
  readonly url: string;
  readonly port: number;
  /** Replaces the fault plan; applies to contexts opened from now on. */
  setFaults(faults: CartesiaFault[]): void;
  stats(): CartesiaSimStats;
  close(): Promise<void>;
}

/** §1: Bearer key on the upgrade/HTTP call, the older X-API-Key, or the browser query parameters. */
function authorized(req: IncomingMessage, apiKey: string): boolean {
  if (!apiKey) return true;
  const auth = req.headers.authorization;
  if (auth === `Bearer ${apiKey}` || auth === apiKey) return true;
  if (req.headers['x-api-key'] === apiKey) return true;
  const query = new URL(req.url ?? '/', 'http://sim').searchParams;
  return query.get('api_key') === apiKey || query.get('access_token') === apiKey;
}

/** A local, protocol-faithful Cartesia TTS service (docs/protocols/cartesia-tts.md §2–§5) on loopback. */
export async function startCartesiaSim(options: CartesiaSimOptions = {}): Promise<CartesiaSim> {
  const core = new SimCore(resolveKnobs(options), options.clock ?? systemClock, options.log ?? silentLogger);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  let upgrades = 0;
  const server = createServer((req, res) => {
    if (!authorized(req, core.knobs.apiKey)) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status_code: 401, title: 'Unauthorized', message: 'Invalid API key' }));
      return;
    }
    if (handleHttpRequest(req, res, core)) return;
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({ status_code: 404, title: 'Not found', message: `No route ${req.method} ${req.url}` }),
    );
  });

  server.on('upgrade', (req, socket: Socket, head) => {
    const path = new URL(req.url ?? '/', 'http://sim').pathname;
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (path !== TTS_WEBSOCKET_PATH) return refuse(404, 'Not Found');
    if (!authorized(req, core.knobs.apiKey)) return refuse(401, 'Unauthorized');
    if (core.stats.handshakesRefused < core.knobs.refuseHandshakes) {
      core.stats.handshakesRefused += 1;
      return refuse(503, 'Service Unavailable');
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws, core));
    upgrades += 1;
    // The fault "refused connection": stop listening, so the OS refuses what comes next.
    if (upgrades === core.knobs.refuseAfterConnections) {
      core.log.info({ upgrades }, 'cartesia sim: no longer listening (refuseAfterConnections)');
      server.close();
    }
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const port = knob(options.port, 'SIM_CARTESIA_PORT', 0, options.env);
    server.listen(port, knob(options.host, 'SIM_CARTESIA_HOST', '127.0.0.1', options.env), () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  core.log.info({ port }, 'cartesia sim listening');

  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    setFaults: (faults) => core.faults.set(faults),
    stats: () => ({ ...core.stats }),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
