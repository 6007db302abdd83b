import type { WebSocket } from 'ws';
import type { Logger } from '../../log.js';
import { parseStreamMessage, type StartMessage, type StreamMessageError } from './media-messages.js';
import { MediaStreamCall, type MediaStreamCallOptions } from './media-stream-call.js';

/** What the server knows about a call whose stream is starting (from its signed voice webhook). */
export interface StreamCallSetup {
  /** The dialled number and the caller, from the webhook: they pick the tenant and the language. */
  did: string;
  callerId: string;
  bargeIn: boolean;
  transfer?: MediaStreamCallOptions['transfer'];
}

export interface StreamConnectionOptions {
  log: Logger;
  /**
   * Claims the call named by a `start` message (CallSid plus the per-call token we put in
   * <Parameter>). Undefined: nobody asked for this stream, and it is refused.
   */
  claim: (start: StartMessage) => StreamCallSetup | undefined;
  onCall: (call: MediaStreamCall, setup: StreamCallSetup) => void;
  /** A socket that has not sent `start` by then is closed. */
  startTimeoutMs?: number;
}

type Complaint = StreamMessageError | 'media-before-start' | 'unknown-stream-sid' | 'second-start';

/** Close code for a policy violation (RFC 6455): an unknown call. */
const POLICY_VIOLATION = 1008;

/**
 * One Media Streams WebSocket: validates every frame, turns `start` into a MediaStreamCall and feeds
 * it. Bad frames are dropped; the first of each kind is logged and the rest counted, so a broken or
 * hostile peer cannot flood the log. Nothing here can end another call or the process.
 */
export function handleStreamConnection(ws: WebSocket, opts: StreamConnectionOptions): void {
  let log = opts.log.child({ component: 'media-stream' });
  let call: MediaStreamCall | undefined;
  const complaints = new Map<Complaint, number>();
  const complain = (kind: Complaint, detail?: string) => {
    const n = (complaints.get(kind) ?? 0) + 1;
    complaints.set(kind, n);
    if (n === 1) log.warn({ kind, detail }, 'media stream message ignored');
  };

  const startTimer = setTimeout(() => {
    if (call) return;
    log.warn('media stream sent no start; closing');
    ws.close(POLICY_VIOLATION, 'no start');
  }, opts.startTimeoutMs ?? 10_000);

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const parsed = parseStreamMessage(data, isBinary);
    if (!parsed.ok) {
      complain(parsed.error, parsed.detail);
      return;
    }
    const m = parsed.message;
    if (m.event === 'connected') return;
    if (m.event === 'start') {
      if (call) {
        complain('second-start', m.start.callSid === call.callId ? undefined : 'another call');
        return;
      }
      const setup = opts.claim(m);
      if (!setup) {
        log.warn({ callSid: m.start.callSid }, 'stream start for a call we did not answer; refused');
        ws.close(POLICY_VIOLATION, 'unknown call');
        return;
      }
      clearTimeout(startTimer);
      log = log.child({ callId: m.start.callSid });
      call = new MediaStreamCall({
        callId: m.start.callSid,
        streamSid: m.streamSid,
        bargeIn: setup.bargeIn,
        ...(setup.transfer ? { transfer: setup.transfer } : {}),
        log: opts.log,
        socket: {
          send: (text) => ws.send(text),
          backlogBytes: () => ws.bufferedAmount,
          close: () => ws.close(1000, 'call ended'),
        },
      });
      opts.onCall(call, setup);
      return;
    }
    if (!call) {
      complain('media-before-start', m.event);
      return;
    }
    if (m.streamSid !== call.streamSid) {
      complain('unknown-stream-sid', m.event);
      return;
    }
    switch (m.event) {
      case 'media':
        if (parsed.audio) call.receiveAudio(parsed.audio);
        break;
      case 'dtmf':
        call.receiveDtmf(m.dtmf.digit);
        break;
      case 'mark':
        call.receiveMark(m.mark.name);
        break;
      case 'stop':
        call.end('caller', 'stop');
        break;
    }
  });

  ws.on('close', (code: number) => {
    clearTimeout(startTimer);
    call?.end('caller', `socket closed (${code})`);
    if (complaints.size) log.warn({ ignored: Object.fromEntries(complaints) }, 'media stream had bad input');
  });
  ws.on('error', (err: Error) => {
    log.warn({ err: err.message }, 'media stream socket error');
    call?.end('transport-error', err.message);
    ws.terminate();
  });
}
