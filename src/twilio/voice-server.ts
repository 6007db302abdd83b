import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { overflowLine } from '../../machines/phrases.js';
import type { AdmissionVerdict } from '../admission/admission.js';
import type { CallDeps, CallSummary } from '../call/call-session.js';
import { guardHttpServer } from '../http/guard.js';
import { listen } from '../http/listen.js';
import type { Logger } from '../log.js';
import type { CallEndNotices } from '../store/pg-call-end-notices.js';
import type { MediaStreamCall } from '../transports/twilio/media-stream-call.js';
import { handleStreamConnection, type StreamCallSetup } from '../transports/twilio/stream-connection.js';
import { MAX_FORM_BYTES, readFormBody } from './form-body.js';
import { FreeCall, type FreeCallDeps } from './free/free-call.js';
import { FreeCallRegistry } from './free/free-calls.js';
import { PendingStreams } from './pending-streams.js';
import { isValidTwilioSignature } from './signature.js';
import { finalTwiml, streamTwiml } from './twiml.js';

export interface TwilioServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  authToken: string;
  /** The URL Twilio requests and signs (https://… behind a TLS proxy); default http://host:port. */
  publicBaseUrl?: string;
  /**
   * This node's own origin when several nodes share publicBaseUrl behind a load balancer: the Media
   * Stream URL and the <Gather> action name it, so they reach the node that holds the call.
   * Default: publicBaseUrl.
   */
  publicNodeUrl?: string;
  log: Logger;
  resolveContext: CallDeps['resolveContext'];
  /** A Pro or Enterprise call's stream has started: run the call on it. */
  onStreamCall: (call: MediaStreamCall, setup: StreamCallSetup) => void;
  free: Omit<FreeCallDeps, 'log'>;
  /** Live-call transfer through the REST API; absent without TWILIO_ACCOUNT_SID. */
  transfer?: (callSid: string, to: string) => Promise<void>;
  /**
   * Status callbacks between nodes behind one load balancer: an end this node hears for a call it
   * does not hold is announced, and an end announced for a call held here ends it. Absent: one node.
   */
  callEnds?: CallEndNotices;
  /** Told when a Free-tier call has ended (stream calls are reported by their runCall). */
  onFreeCallEnded?: (summary: CallSummary) => void;
  /** Told the route and result of every request (metrics). */
  onRequest?: (route: TwilioRoute, result: TwilioRequestResult) => void;
  /**
   * Admission for a new call (MAX_CALLS, shedding, provider capacity, drain). A refused caller hears
   * the overflow line and the call ends; a call already in progress is never asked again.
   */
  admit?: (entry: 'twilio-stream' | 'twilio-free') => AdmissionVerdict;
  maxFormBytes?: number;
  maxFreeCalls?: number;
  freeIdleMs?: number;
}

export interface TwilioServer {
  readonly port: number;
  readonly baseUrl: string;
  activeFreeCalls(): number;
  /** Calls answered with <Stream> whose WebSocket has not started yet (admitted, not connected). */
  pendingStreams(): number;
  close(): Promise<void>;
}

export type TwilioRoute = 'incoming' | 'gather' | 'status' | 'stream' | 'unknown';
export type TwilioRequestResult = 'ok' | 'forbidden' | 'refused' | 'unknown-call' | 'overflow';

const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
const ENDED_STATUSES = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);
/** Twilio sends a few hundred bytes per Media Streams message; this leaves room and no more. */
const MAX_WS_MESSAGE_BYTES = 64 * 1024;

/**
 * The public side: Twilio's voice webhooks and the Media Streams WebSocket, separate from the
 * internal metrics port. Every request and the WebSocket upgrade must carry a valid
 * X-Twilio-Signature; anything else gets a 403 and one log line, and never starts a call.
 */
export async function startTwilioServer(opts: TwilioServerOptions): Promise<TwilioServer> {
  const log = opts.log.child({ component: 'twilio' });
  if (opts.publicBaseUrl !== undefined) checkBaseUrl(opts.publicBaseUrl, 'PUBLIC_BASE_URL');
  if (opts.publicNodeUrl !== undefined) checkBaseUrl(opts.publicNodeUrl, 'PUBLIC_NODE_URL');
  const pending = new PendingStreams();
  const free = new FreeCallRegistry({
    log,
    ...(opts.maxFreeCalls ? { maxCalls: opts.maxFreeCalls } : {}),
    ...(opts.freeIdleMs ? { idleMs: opts.freeIdleMs } : {}),
  });
  opts.callEnds?.onEnded((sid) => {
    // A Free call held here, or a stream call whose WebSocket never came (it holds an admission slot).
    if (CALL_SID.test(sid) && (free.end(sid) || pending.drop(sid)))
      log.info({ callId: sid }, 'call ended: another node heard its status');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES });
  let baseUrl = '';
  let nodeUrl = '';
  const url = (path: string) => `${baseUrl}${path}`;
  /** What must come back to this node (the call's state lives here): the stream and Gather answers. */
  const onThisNode = (path: string) => `${nodeUrl}${path}`;
  const streamUrl = () => onThisNode('/voice/stream').replace(/^http/, 'ws');
  /** Twilio signs the URL it requested: the shared one (webhooks) or this node's (Gather answers). */
  const signedFor = (
    path: string,
    signature: string | string[] | undefined,
    params: Record<string, string>,
  ) =>
    isValidTwilioSignature(opts.authToken, signature, url(path), params) ||
    (nodeUrl !== baseUrl && isValidTwilioSignature(opts.authToken, signature, onThisNode(path), params));
  const count = (route: TwilioRoute, result: TwilioRequestResult) => opts.onRequest?.(route, result);
  const routeOf = (path: string): TwilioRoute => {
    const name = path.split('?')[0]?.replace('/voice/', '');
    return name === 'incoming' || name === 'gather' || name === 'status' ? name : 'unknown';
  };

  /** Reads and authenticates a webhook; answers the refusal itself and returns undefined. */
  async function signedForm(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<Record<string, string> | undefined> {
    const path = req.url ?? '';
    const body = await readFormBody(req, opts.maxFormBytes ?? MAX_FORM_BYTES);
    if (!body.ok) {
      log.warn({ path, status: body.status, reason: body.reason }, 'webhook refused');
      count(routeOf(path), 'refused');
      res.writeHead(body.status, { connection: 'close' }).end();
      return undefined;
    }
    if (!signedFor(path, req.headers['x-twilio-signature'], body.params)) {
      log.warn({ path }, 'webhook signature missing or invalid; refused');
      count(routeOf(path), 'forbidden');
      res.writeHead(403).end();
      return undefined;
    }
    const sid = body.params.CallSid ?? '';
    if (!CALL_SID.test(sid)) {
      log.warn({ path }, 'webhook without a valid CallSid; refused');
      count(routeOf(path), 'refused');
      res.writeHead(400).end();
      return undefined;
    }
    return body.params;
  }

  const twiml = (res: ServerResponse, xml: string) =>
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(xml);

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    '/voice/incoming': async (req, res) => {
      const form = await signedForm(req, res);
      if (!form) return;
      const sid = form.CallSid as string;
      const did = (form.To ?? '').slice(0, 64);
      const callerId = (form.From ?? '').slice(0, 64);
      const ctx = await opts.resolveContext({ dialled: did, caller: callerId });
      const tier = ctx.tenant.tier;
      log.info(
        { callId: sid, to: did, from: callerId, tenant: ctx.tenant.id, tier, language: ctx.language },
        'incoming call',
      );
      const existing = tier === 'free' ? free.get(sid) : undefined;
      if (existing) {
        // A retried webhook must not start a second actor: answer with the call's next turn.
        log.warn({ callId: sid }, 'voice webhook repeated for a call in progress');
        twiml(res, await existing.gather(undefined));
        return;
      }
      const verdict = opts.admit?.(tier === 'free' ? 'twilio-free' : 'twilio-stream') ?? { admit: true };
      if (!verdict.admit) {
        log.warn({ callId: sid, reason: verdict.reason }, 'call refused at admission: overflow line');
        count('incoming', 'overflow');
        twiml(res, finalTwiml({ text: overflowLine(ctx.language), language: ctx.language }));
        return;
      }
      count('incoming', 'ok');
      if (tier === 'free') {
        const call = new FreeCall(
          sid,
          ctx,
          { did, callerId },
          { ...opts.free, log },
          onThisNode('/voice/gather'),
          (summary) => {
            free.forget(summary.callId);
            opts.onFreeCallEnded?.(summary);
          },
        );
        if (!free.add(call)) {
          log.warn({ callId: sid, calls: free.size }, 'free tier at capacity; call refused');
          twiml(res, finalTwiml({ language: ctx.language }));
          return;
        }
        twiml(res, await call.start());
        return;
      }
      const token = randomBytes(16).toString('hex');
      pending.add(sid, { token, did, callerId, bargeIn: tier === 'enterprise' });
      twiml(res, streamTwiml(streamUrl(), { token }));
    },

    '/voice/gather': async (req, res) => {
      const form = await signedForm(req, res);
      if (!form) return;
      const sid = form.CallSid as string;
      const call = free.get(sid);
      if (!call) {
        log.warn({ callId: sid }, 'gather for an unknown call; hanging up');
        count('gather', 'unknown-call');
        twiml(res, finalTwiml({ language: 'en' }));
        return;
      }
      count('gather', 'ok');
      twiml(res, await call.gather(form.SpeechResult));
    },

    '/voice/status': async (req, res) => {
      const form = await signedForm(req, res);
      if (!form) return;
      const sid = form.CallSid as string;
      const status = (form.CallStatus ?? '').slice(0, 32);
      if (ENDED_STATUSES.has(status)) {
        const known = free.end(sid) || pending.drop(sid);
        // The balancer may have sent this to a node that does not hold the call: tell the one that does.
        // (A call that already ended here is announced too: one notice per call, which nobody acts on.)
        if (!known) opts.callEnds?.announce(sid);
        log.info({ callId: sid, status, known }, 'call status');
      }
      count('status', 'ok');
      res.writeHead(204).end();
    },
  };

  const server = createServer((req, res) => {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      res.writeHead(400).end();
      return;
    }
    const route = routes[path];
    if (!route) {
      req.resume();
      res.writeHead(404).end();
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    route(req, res).catch((err: unknown) => {
      // One bad request ends that request only.
      log.error({ err, path }, 'webhook failed');
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  guardHttpServer(server);

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?')[0];
    const refuse = (status: string, why: string) => {
      log.warn({ path }, why);
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (path !== '/voice/stream')
      return refuse('404 Not Found', 'websocket upgrade on an unknown path; refused');
    // Twilio signs the stream URL from the TwiML (wss://…), with no parameters.
    if (!isValidTwilioSignature(opts.authToken, req.headers['x-twilio-signature'], streamUrl(), {})) {
      count('stream', 'forbidden');
      return refuse('403 Forbidden', 'media stream signature missing or invalid; refused');
    }
    count('stream', 'ok');
    wss.handleUpgrade(req, socket, head, (ws) =>
      handleStreamConnection(ws, {
        log,
        claim: (start) => {
          const entry = pending.claim(start.start.callSid, start.start.customParameters.token);
          if (!entry) return undefined;
          const sid = start.start.callSid;
          return {
            did: entry.did,
            callerId: entry.callerId,
            bargeIn: entry.bargeIn,
            ...(opts.transfer ? { transfer: (to: string) => opts.transfer!(sid, to) } : {}),
          };
        },
        onCall: opts.onStreamCall,
      }),
    );
  });

  const port = await listen(server, opts.port, opts.host);
  baseUrl = (opts.publicBaseUrl ?? `http://${opts.host}:${port}`).replace(/\/+$/, '');
  nodeUrl = (opts.publicNodeUrl ?? baseUrl).replace(/\/+$/, '');
  server.on('error', (err) => log.error({ err }, 'Twilio server error'));
  log.info({ host: opts.host, port, baseUrl, nodeUrl }, 'Twilio webhooks listening');

  return {
    port,
    baseUrl,
    activeFreeCalls: () => free.size,
    pendingStreams: () => pending.size,
    close: () =>
      new Promise<void>((resolve) => {
        free.endAll();
        for (const ws of wss.clients) ws.close(1001, 'server shutting down');
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Twilio signs the exact URL it requested, which is the base plus the path it was given; our routes
 * live at /voice/…, so the base must be an origin with no path of its own.
 */
function checkBaseUrl(base: string, name: string): void {
  const url = new URL(base);
  if (
    !['http:', 'https:'].includes(url.protocol) ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search
  ) {
    throw new Error(`${name} must be scheme://host[:port] with no path or query, got ${base}`);
  }
}
