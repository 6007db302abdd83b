import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyStateMachine } from 'xstate';
import { z } from 'zod';
import type { HttpServer, RouteHandler } from '../http/http-server.js';
import type { Logger } from '../log.js';
import {
  type DashboardAuth,
  readSmallBody,
  SESSION_COOKIE,
  sendUnauthorized,
  sessionCookieHeader,
} from './auth.js';
import { chartDefinition } from './chart-definition.js';
import { bookingsCsv, callFilterSchema, type HistoryQueries } from './history.js';
import type { LiveCalls } from './live-calls.js';
import type { Recordings } from './recordings.js';
import { type Asset, loadAssets } from './static-assets.js';

export interface DashboardOptions {
  auth: DashboardAuth;
  live: LiveCalls;
  /** null when the store is not a SQLite file this process can read. */
  history: HistoryQueries | null;
  recordings: Recordings | null;
  machine: AnyStateMachine;
  log: Logger;
}

/** A slow SSE reader gets cut off rather than buffered without bound. */
const MAX_SSE_BACKLOG = 1 << 20;
const SSE_KEEPALIVE_MS = 15_000;

const callIdQuery = z.object({ callId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/) });

function query(req: IncomingMessage): Record<string, string> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  return Object.fromEntries([...url.searchParams.entries()].filter(([, v]) => v !== ''));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

/** Mounts the dashboard's page, assets, JSON API and SSE stream on the internal HTTP server. */
export function mountDashboard(http: HttpServer, opts: DashboardOptions): void {
  const { auth, live, history, recordings, log } = opts;
  let assets: Map<string, Asset>;
  try {
    assets = loadAssets();
  } catch (err) {
    // A build without the page's files must still take calls: the API stays, the page says why.
    log.error({ err }, 'dashboard page files missing; serving the API only');
    assets = new Map([
      ['/', { body: Buffer.from('dashboard files missing from this build'), contentType: 'text/plain' }],
    ]);
  }
  const chart = JSON.stringify(chartDefinition(opts.machine));

  // Assets hold no data (the same files are in the repository); the login page needs the stylesheet.
  for (const [path, asset] of assets) {
    if (path === '/') continue;
    http.addRoute('GET', path, (_req, res) => {
      res.writeHead(200, { 'content-type': asset.contentType, 'cache-control': 'no-cache' }).end(asset.body);
    });
  }

  const guarded =
    (handler: RouteHandler, loginForm = false): RouteHandler =>
    (req, res) => {
      if (!auth.allowed(req)) return sendUnauthorized(res, loginForm && auth.sessionValue !== null);
      return handler(req, res);
    };
  const page = assets.get('/');
  http.addRoute(
    'GET',
    '/',
    guarded((_req, res) => {
      res
        .writeHead(200, { 'content-type': page?.contentType ?? 'text/html', 'cache-control': 'no-store' })
        .end(page?.body);
    }, true),
  );

  http.addRoute('POST', '/login', async (req, res) => {
    let token = '';
    try {
      token = new URLSearchParams(await readSmallBody(req)).get('token') ?? '';
    } catch {
      res.setHeader('connection', 'close');
      return json(res, 413, { error: 'login body too large' });
    }
    if (!auth.sessionValue || !auth.tokenMatches(token)) {
      log.warn('dashboard login refused');
      return sendUnauthorized(res, auth.sessionValue !== null);
    }
    res.writeHead(303, { location: '/', 'set-cookie': sessionCookieHeader(auth.sessionValue) }).end();
  });
  http.addRoute('POST', '/logout', (_req, res) => {
    res.writeHead(303, { location: '/', 'set-cookie': `${SESSION_COOKIE}=; Path=/; Max-Age=0` }).end();
  });

  http.addRoute(
    'GET',
    '/api/chart',
    guarded((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(chart);
    }),
  );
  http.addRoute(
    'GET',
    '/api/live',
    guarded((req, res) => streamLive(req, res, live)),
  );

  const needHistory =
    (handler: (h: HistoryQueries, req: IncomingMessage, res: ServerResponse) => void): RouteHandler =>
    (req, res) => {
      if (!history) return json(res, 503, { error: 'history needs the SQLite store' });
      handler(history, req, res);
    };
  const withFilter = (
    req: IncomingMessage,
    res: ServerResponse,
    then: (f: z.infer<typeof callFilterSchema>) => void,
  ) => {
    const parsed = callFilterSchema.safeParse(query(req));
    if (!parsed.success)
      return json(res, 400, { error: 'bad filter', issues: parsed.error.issues.map((i) => i.message) });
    then(parsed.data);
  };

  http.addRoute(
    'GET',
    '/api/calls',
    guarded(needHistory((h, req, res) => withFilter(req, res, (f) => json(res, 200, h.calls(f))))),
  );
  http.addRoute(
    'GET',
    '/api/turns',
    guarded(
      needHistory((h, req, res) => {
        const parsed = callIdQuery.safeParse(query(req));
        if (!parsed.success) return json(res, 400, { error: 'callId required' });
        json(res, 200, h.turns(parsed.data.callId));
      }),
    ),
  );
  http.addRoute(
    'GET',
    '/api/bookings',
    guarded(needHistory((h, req, res) => withFilter(req, res, (f) => json(res, 200, h.bookings(f))))),
  );
  http.addRoute(
    'GET',
    '/api/bookings.csv',
    guarded(
      needHistory((h, req, res) =>
        withFilter(req, res, (f) => {
          res
            .writeHead(200, {
              'content-type': 'text/csv; charset=utf-8',
              'content-disposition': 'attachment; filename="bookings.csv"',
              'cache-control': 'no-store',
            })
            .end(bookingsCsv(h.bookings(f)));
        }),
      ),
    ),
  );
  http.addRoute('GET', '/api/stats', guarded(needHistory((h, _req, res) => json(res, 200, h.lastDay()))));
  http.addRoute('GET', '/api/tenants', guarded(needHistory((h, _req, res) => json(res, 200, h.tenants()))));
  http.addRoute(
    'GET',
    '/api/recording',
    guarded(async (req, res) => {
      const parsed = callIdQuery.safeParse(query(req));
      if (!parsed.success) return json(res, 400, { error: 'callId required' });
      if (!recordings) return json(res, 404, { error: 'recording is off' });
      const file = await recordings.read(parsed.data.callId);
      if (!file) return json(res, 404, { error: 'no recording for this call' });
      res.writeHead(200, { 'content-type': 'audio/wav', 'cache-control': 'no-store' }).end(file);
    }),
  );
  http.addRoute(
    'GET',
    '/api/config',
    guarded((_req, res) => json(res, 200, { recordings: recordings !== null })),
  );
}

/** Server-Sent Events: every live call now, then each change as it happens. */
function streamLive(req: IncomingMessage, res: ServerResponse, live: LiveCalls): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  const send = (data: unknown) => {
    if (res.writableLength > MAX_SSE_BACKLOG) {
      res.destroy();
      return;
    }
    res.write(`data: ${JSON.stringify(data)}\n\n`);
  };
  const unsubscribe = live.subscribe(send);
  if (!unsubscribe) {
    res.end('event: busy\ndata: {}\n\n');
    return;
  }
  send({ type: 'hello', calls: live.list() });
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
  keepAlive.unref();
  const stop = () => {
    clearInterval(keepAlive);
    unsubscribe();
  };
  req.on('close', stop);
  res.on('close', stop);
}
