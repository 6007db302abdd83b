import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { guardHttpServer } from './guard.js';
import { listen } from './listen.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface HealthReport {
  ok: boolean;
  activeCalls: number;
  uptimeSec: number;
  [detail: string]: unknown;
}

export interface HttpServerOptions {
  /** Loopback by default: /metrics describes the business and is not for the internet. */
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  metrics: Metrics;
  /** Extra health facts; `ok: false` (or a throw) turns /healthz into a 503. */
  health?: () => Partial<HealthReport>;
  log: Logger;
}

export interface HttpServer {
  readonly host: string;
  readonly port: number;
  /** Mounts another endpoint (e.g. Twilio webhooks). Exact path match; the query string is ignored. */
  addRoute(method: string, path: string, handler: RouteHandler): void;
  /** Mounts a WebSocket (HTTP upgrade) endpoint; exact path match. Other upgrades are refused. */
  addUpgrade(path: string, handler: UpgradeHandler): void;
  close(): Promise<void>;
}

export const DEFAULT_HTTP_PORT = 9464;

/**
 * The operations endpoint on plain node:http: GET /metrics (Prometheus text), GET /healthz (JSON), and
 * whatever routes are added later. A handler that throws gets a 500 for that request only.
 */
export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const log = opts.log.child({ component: 'http' });
  const routes = new Map<string, Map<string, RouteHandler>>();

  const addRoute = (method: string, path: string, handler: RouteHandler) => {
    const byMethod = routes.get(path) ?? new Map<string, RouteHandler>();
    byMethod.set(method.toUpperCase(), handler);
    routes.set(path, byMethod);
  };

  addRoute('GET', '/metrics', async (_req, res) => {
    const body = await opts.metrics.render();
    res.writeHead(200, { 'content-type': opts.metrics.contentType }).end(body);
  });
  addRoute('GET', '/healthz', (_req, res) => {
    let report: HealthReport;
    try {
      report = {
        ok: true,
        activeCalls: opts.metrics.activeCalls,
        uptimeSec: Math.round(process.uptime()),
        ...opts.health?.(),
      };
    } catch (err) {
      log.error({ err }, 'health check threw');
      report = { ok: false, activeCalls: opts.metrics.activeCalls, uptimeSec: Math.round(process.uptime()) };
    }
    sendJson(res, report.ok ? 200 : 503, report);
  });

  const upgrades = new Map<string, UpgradeHandler>();

  const server = createServer((req, res) => {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      sendJson(res, 400, { error: 'bad request' });
      return;
    }
    const byMethod = routes.get(path);
    if (!byMethod) {
      sendJson(res, 404, { error: 'not found' });
      return;
    }
    // HEAD is answered by the GET handler; node:http drops the body.
    const handler = byMethod.get(req.method === 'HEAD' ? 'GET' : (req.method ?? ''));
    if (!handler) {
      res.setHeader('allow', [...byMethod.keys()].join(', '));
      sendJson(res, 405, { error: 'method not allowed' });
      return;
    }
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((err: unknown) => {
        log.error({ err, path, method: req.method }, 'HTTP handler failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      });
  });
  guardHttpServer(server);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    let handler: UpgradeHandler | undefined;
    try {
      handler = upgrades.get(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {}
    if (!handler) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    try {
      handler(req, socket, head);
    } catch (err) {
      log.error({ err }, 'upgrade handler failed');
      socket.destroy();
    }
  });

  const host = opts.host ?? '127.0.0.1';
  const port = await listen(server, opts.port ?? DEFAULT_HTTP_PORT, host);
  server.on('error', (err) => log.error({ err }, 'HTTP server error'));
  log.info({ host, port }, 'HTTP listening');

  return {
    host,
    port,
    addRoute,
    addUpgrade: (path, handler) => upgrades.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
