import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { AdmissionVerdict } from '../../admission/admission.js';
import type { Logger } from '../../log.js';
import { FrameScheduler } from '../audiosocket/frame-scheduler.js';
import { BrowserCall } from './browser-call.js';
import { MAX_AUDIO_BYTES, parseClientMessage, SAMPLE_RATE, type ServerMessage } from './messages.js';

export interface BrowserCallServerOptions {
  /** May this upgrade request place a call (dashboard auth)? */
  allowed(req: IncomingMessage): boolean;
  /** A call whose `start` message named `tenantNumber` (empty: the default tenant). */
  onCall(call: BrowserCall, tenantNumber: string): void;
  log: Logger;
  /** Concurrent browser calls; they are for trying the agent out, not for traffic. */
  maxCalls?: number;
  /** How long a socket may stay open without sending `start`. */
  startTimeoutMs?: number;
  /** The app's admission (MAX_CALLS, shedding, provider capacity, drain), asked at `start`. */
  admit?: () => AdmissionVerdict;
}

export interface BrowserCallServer {
  /** Handles an HTTP upgrade for the call endpoint. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  activeCalls(): number;
  close(): void;
}

/** Same-origin only: a page elsewhere must not place calls with the operator's cookie. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser (tests, curl): auth alone decides
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** The third transport: browser calls over WebSocket, each handed to the same `runCall` as phone calls. */
export function createBrowserCallServer(opts: BrowserCallServerOptions): BrowserCallServer {
  const log = opts.log.child({ component: 'browser-call' });
  const maxCalls = opts.maxCalls ?? 4;
  const startTimeoutMs = opts.startTimeoutMs ?? 5000;
  const scheduler = new FrameScheduler();
  const calls = new Set<BrowserCall>();
  // The largest legal message is 100 ms of audio; ws closes the socket (1009) on anything bigger.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_AUDIO_BYTES, perMessageDeflate: false });

  const reject = (socket: Duplex, status: number, reason: string) => {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  };

  return {
    handleUpgrade(req, socket, head) {
      if (!opts.allowed(req)) return reject(socket, 401, 'Unauthorized');
      if (!sameOrigin(req)) return reject(socket, 403, 'Forbidden');
      if (calls.size >= maxCalls) return reject(socket, 503, 'Busy');
      wss.handleUpgrade(req, socket, head, (ws) => {
        let call: BrowserCall | null = null;
        const timer = setTimeout(() => ws.close(1008, 'no start message'), startTimeoutMs);
        ws.on('message', (data, isBinary) => {
          const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
          if (call) return call.receive(buf, isBinary);
          const msg = isBinary ? null : parseClientMessage(buf.toString('utf8'));
          if (!msg?.ok || msg.value.type !== 'start') {
            log.warn({ detail: msg && !msg.ok ? msg.error : 'expected start' }, 'browser call refused');
            clearTimeout(timer);
            ws.close(1008, 'expected a start message');
            return;
          }
          clearTimeout(timer);
          if (calls.size >= maxCalls) {
            ws.close(1013, 'busy');
            return;
          }
          const verdict = opts.admit?.() ?? { admit: true };
          if (!verdict.admit) {
            // The page shows the hang-up cause; 1013 is "try again later".
            log.warn({ reason: verdict.reason }, 'browser call refused at admission');
            const refused: ServerMessage = { type: 'hangup', cause: 'overflow' };
            ws.send(JSON.stringify(refused));
            ws.close(1013, 'overflow');
            return;
          }
          const started = new BrowserCall(randomUUID(), ws, scheduler, log);
          call = started;
          calls.add(started);
          started.on('closed', () => calls.delete(started));
          const ready: ServerMessage = {
            type: 'ready',
            callId: started.callId,
            sampleRate: SAMPLE_RATE,
            frameBytes: started.format.frameBytes,
          };
          ws.send(JSON.stringify(ready));
          opts.onCall(started, msg.value.tenant?.trim() ?? '');
        });
        ws.on('close', () => {
          clearTimeout(timer);
          call?.socketClosed('caller');
        });
        ws.on('error', (err) => {
          log.warn({ err: err.message }, 'browser call socket error');
          call?.socketClosed('transport-error', err.message);
        });
      });
    },
    activeCalls: () => calls.size,
    close() {
      for (const call of calls) call.hangup();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      scheduler.stop();
    },
  };
}
