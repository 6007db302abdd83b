import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { type CallerLine, parseCallerScript } from '../caller/script.js';
import { readCredential } from './auth.js';
import { type FluxQuery, parseFluxQuery } from './flux-query.js';
import { FluxSession } from './flux-session.js';
import { type HandshakeError, rejectUpgrade } from './handshake-reject.js';
import { type DeepgramSimOptions, resolveKnobs, resolveScript } from './options.js';
import { handlePrerecorded } from './prerecorded.js';
import { CLOSE_GOING_AWAY, LISTEN_V1_PATH, LISTEN_V2_PATH } from './protocol.js';
import { type ListenQuery, parseListenQuery } from './query.js';
import { ScriptCursors } from './script-cursors.js';
import { type DeepgramSimStats, ListenSession } from './session.js';

export interface DeepgramSim {
  /** ws://host:port, the `baseUrl` for the SDK. */
  readonly url: string;
  readonly port: number;
  /** Ends every stream (1001) and stops listening. */
  close(): Promise<void>;
  /** Default script for streams opened from now on (streams already open keep theirs). */
  setScript(lines: readonly (CallerLine | string)[]): void;
  stats(): DeepgramSimStats;
}

const STATUS_ERR_CODE: Record<number, string> = {
  401: 'INVALID_AUTH',
  403: 'INSUFFICIENT_PERMISSIONS',
  404: 'NOT_FOUND',
  429: 'TOO_MANY_REQUESTS',
};

type Accepted = ({ api: 'v1'; query: ListenQuery } | { api: 'v2'; query: FluxQuery }) & {
  sessionKey: string | undefined;
};

/** Deepgram STT on loopback: live Nova (/v1/listen) and Flux (/v2/listen) over WebSocket (docs/protocols/deepgram-live.md), and pre-recorded (POST /v1/listen). */
export async function startDeepgramSim(opts: DeepgramSimOptions = {}): Promise<DeepgramSim> {
  const knobs = resolveKnobs(opts);
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? silentLogger;
  let defaultScript = resolveScript(opts);
  const cursors = new ScriptCursors(clock, knobs.keepScriptAfterDropMs);
  const counters: DeepgramSimStats = {
    handshakesRejected: 0,
    streamsOpened: 0,
    streamsActive: 0,
    segments: 0,
    audioBytes: 0,
    keepAlives: 0,
    finalizes: 0,
    closeStreams: 0,
    badMessages: 0,
    idleTimeouts: 0,
    drops: 0,
    stalls: 0,
    prerecordedRequests: 0,
  };
  let refused = 0;
  /** Handshakes that reached the fault check (valid endpoint), accepted or refused. */
  let handshakes = 0;
  let drops = 0;
  const takeDrop = (): boolean => {
    if (drops >= knobs.maxDrops) return false;
    drops++;
    return true;
  };
  const takeStall = (): boolean => {
    if (counters.stalls >= knobs.maxStalls) return false;
    counters.stalls++;
    return true;
  };
  const requestIds = new WeakMap<IncomingMessage, string>();

  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url?.split('?')[0] === LISTEN_V1_PATH) {
      handlePrerecorded(req, res, {
        knobs,
        script: (tags) => opts.scriptFor?.({ tags, requestId: 'prerecorded' }) ?? defaultScript,
        onRequest: () => counters.prerecordedRequests++,
      });
      return;
    }
    // Other plain HTTP (no upgrade): only the streaming endpoints are served.
    const ws = req.url?.startsWith(LISTEN_V1_PATH) || req.url?.startsWith(LISTEN_V2_PATH);
    const status = ws ? 426 : 404;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        err_code: status === 426 ? 'UPGRADE_REQUIRED' : 'NOT_FOUND',
        err_msg: 'WebSocket only',
      }),
    );
  });
  const wss = new WebSocketServer({
    noServer: true,
    // A phone frame is 160-640 bytes; bound what one hostile frame can make the simulator allocate.
    maxPayload: 4 * 1024 * 1024,
    // §1: browsers authenticate with `Sec-WebSocket-Protocol: token, <key>`; the reply must pick one.
    handleProtocols: (protocols) =>
      protocols.has('token') ? 'token' : protocols.has('bearer') ? 'bearer' : false,
  });
  // §1: `dg-request-id` is on the 101 as well as on failures.
  wss.on('headers', (headers, req) => {
    const id = requestIds.get(req);
    if (id) headers.push(`dg-request-id: ${id}`);
  });

  function vet(req: IncomingMessage): Accepted | HandshakeError {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://sim.invalid');
    } catch {
      return { status: 400, errCode: 'INVALID_QUERY_PARAMETER', errMsg: 'malformed request URL' };
    }
    if (url.pathname !== LISTEN_V1_PATH && url.pathname !== LISTEN_V2_PATH) {
      return { status: 404, errCode: 'NOT_FOUND', errMsg: `no WebSocket endpoint at ${url.pathname}` };
    }
    handshakes++;
    if (handshakes > knobs.refuseAfterHandshakes && refused < knobs.refuseHandshakes) {
      refused++;
      const status = knobs.refuseStatus;
      return {
        status,
        errCode: STATUS_ERR_CODE[status] ?? 'INTERNAL_SERVER_ERROR',
        errMsg: 'simulated refusal',
      };
    }
    const credential = readCredential(req.headers);
    if (!credential || (knobs.requiredKey !== '' && credential.secret !== knobs.requiredKey)) {
      return { status: 401, errCode: 'INVALID_AUTH', errMsg: 'Invalid credentials.' };
    }
    const sessionHeader = req.headers['x-deepgram-session-id'];
    const sessionKey =
      typeof sessionHeader === 'string' && sessionHeader.length <= 200 ? sessionHeader : undefined;
    if (url.pathname === LISTEN_V2_PATH) {
      const flux = parseFluxQuery(url.searchParams);
      if (!flux.ok) return { status: 400, errCode: flux.errCode, errMsg: flux.errMsg };
      return { api: 'v2', query: flux.query, sessionKey };
    }
    const parsed = parseListenQuery(url.searchParams);
    if (!parsed.ok) return { status: 400, errCode: parsed.errCode, errMsg: parsed.errMsg };
    return { api: 'v1', query: parsed.query, sessionKey };
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const requestId = randomUUID();
    const verdict = vet(req);
    if ('status' in verdict) {
      counters.handshakesRejected++;
      log.info(
        { requestId, status: verdict.status, errMsg: verdict.errMsg },
        'deepgram sim: handshake refused',
      );
      rejectUpgrade(socket, verdict, requestId);
      return;
    }
    requestIds.set(req, requestId);
    wss.handleUpgrade(req, socket, head, (ws) => {
      counters.streamsOpened++;
      counters.streamsActive++;
      const { sessionKey } = verdict;
      const cursor = cursors.acquire(
        sessionKey,
        () => opts.scriptFor?.({ tags: verdict.query.tags, requestId }) ?? defaultScript,
      );
      const common = {
        ws,
        requestId,
        cursor,
        knobs,
        clock,
        log: log.child({ requestId }),
        stats: counters,
        takeDrop,
        takeStall,
        onEnd: (finished: boolean) => {
          counters.streamsActive--;
          cursors.release(sessionKey, finished);
        },
      };
      const session =
        verdict.api === 'v2'
          ? new FluxSession({ ...common, query: verdict.query })
          : new ListenSession({ ...common, query: verdict.query });
      session.start();
    });
  }

  server.on('upgrade', onUpgrade);
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(knobs.port, knobs.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'deepgram sim: server error'));
  const { port } = server.address() as AddressInfo;
  const host = knobs.host.includes(':') ? `[${knobs.host}]` : knobs.host;

  return {
    url: `ws://${host}:${port}`,
    port,
    stats: () => ({ ...counters }),
    setScript(lines) {
      defaultScript = parseCallerScript(lines);
    },
    async close() {
      for (const ws of wss.clients) ws.close(CLOSE_GOING_AWAY, 'simulator shutting down');
      cursors.clear();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
          server.closeAllConnections();
        }, 500);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
      });
      wss.close();
    },
  };
}
