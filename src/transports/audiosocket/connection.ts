import type { Socket } from 'node:net';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import type { HangupCause } from '../transport.js';
import { type CallFeed, type CallSettings, createAudioSocketCall } from './call.js';
import { FrameParser } from './frame-parser.js';
import { type Frame, type ProtocolError, protocolError } from './frames.js';

export interface ConnectionContext {
  log: Logger;
  clock: Clock;
  call: CallSettings;
  maxPayloadBytes: number;
  /**
   * Asterisk sends the UUID 0.4–11 ms after connecting (docs/protocols/audiosocket.md §16); a silent peer is
   * dropped after this.
   */
  uuidTimeoutMs: number;
  /** True when a live call already has this UUID: a second connection for it is refused. */
  isLive?(uuid: string): boolean;
  /** A connection was refused for a duplicate UUID. */
  onDuplicate?(): void;
  /** A UUID arrived: the call exists (the feed lets the server end it on shutdown). */
  onCall(feed: CallFeed): void;
  /** A violation was detected (once per connection). */
  onProtocolError(error: ProtocolError): void;
  /** Called once when the connection is gone, with the call if there was one. */
  onClosed(outcome: ConnectionOutcome, feed: CallFeed | null): void;
}

export type ConnectionOutcome = 'no-call' | 'call' | 'protocol-error';

/** Socket errors that mean the caller's side went away (§7, §13). */
const CALLER_GONE = new Set(['ECONNRESET', 'EPIPE']);

/**
 * One TCP connection from Asterisk = one call (§1). Reads the UUID frame first (§13), then feeds
 * frames to the call. Never pauses reading: Asterisk treats a short write as failure (§6). Any
 * violation ends just this connection, with one warn line naming the call and the error.
 */
export function handleConnection(socket: Socket, ctx: ConnectionContext): void {
  socket.setNoDelay(true); // one frame per write, sent now (§6)
  const remote = `${socket.remoteAddress}:${socket.remotePort}`;
  const parser = new FrameParser({ maxPayloadBytes: ctx.maxPayloadBytes });
  let feed: CallFeed | null = null;
  let bytesSeen = 0;
  let outcome: ConnectionOutcome | null = null;
  let uuidTimer: unknown = ctx.clock.setTimeout(() => {
    uuidTimer = null;
    fail(protocolError('uuid-timeout', `no UUID frame within ${ctx.uuidTimeoutMs} ms`));
  }, ctx.uuidTimeoutMs);

  const clearUuidTimer = (): void => {
    if (uuidTimer !== null) ctx.clock.clearTimeout(uuidTimer);
    uuidTimer = null;
  };

  const fail = (error: ProtocolError): void => {
    if (outcome === 'protocol-error') return;
    outcome = 'protocol-error';
    clearUuidTimer();
    ctx.onProtocolError(error);
    ctx.log.warn(
      { callId: feed?.call.callId, remote, code: error.code, kind: error.kind, length: error.length },
      `audiosocket protocol error: ${error.message}`,
    );
    if (feed) feed.end('protocol-error', error.message);
    else socket.destroy();
  };

  const dispatch = (frame: Frame): void => {
    if (!feed) {
      if (frame.kind !== 'uuid') {
        fail(protocolError('first-frame-not-uuid', `first frame is ${frame.kind}, not the UUID (§13)`));
        return;
      }
      clearUuidTimer();
      if (ctx.isLive?.(frame.uuid)) {
        ctx.onDuplicate?.();
        fail(protocolError('duplicate-uuid', `a live call already has UUID ${frame.uuid}`));
        return;
      }
      outcome = 'call';
      feed = createAudioSocketCall(frame.uuid, socket, ctx.call);
      ctx.log.info({ callId: frame.uuid, remote }, 'audiosocket call started');
      try {
        ctx.onCall(feed);
      } catch (err) {
        ctx.log.error({ callId: frame.uuid, err }, 'audiosocket onCall threw');
        feed.end('transport-error', 'onCall threw');
      }
      return;
    }
    if (frame.kind === 'uuid') {
      fail(protocolError('unexpected-uuid', 'second UUID frame in one session'));
      return;
    }
    feed.receive(frame);
  };

  /** Past a violation or hang-up, bytes are still read (never pause, §6) but ignored. */
  const ignoring = (): boolean => outcome === 'protocol-error' || feed?.call.closed === true;

  /** Set once a frame of the current chunk ended the call: the chunk's later frames are dropped. */
  let stopped = false;
  // One callback for the connection's life, not one per chunk or frame.
  const onFrame = (frame: Frame): void => {
    if (stopped) return;
    dispatch(frame);
    stopped = ignoring();
  };

  socket.on('data', (chunk: Buffer) => {
    bytesSeen += chunk.length;
    if (ignoring()) return;
    stopped = false;
    const error = parser.parse(chunk, onFrame);
    if (error && !stopped) {
      fail(feed ? error : { ...error, message: `before the UUID frame: ${error.message}` });
    }
  });

  let endCause: { cause: HangupCause; detail?: string } = { cause: 'caller' };
  socket.on('end', () => {
    const truncated = parser.end();
    if (truncated && outcome !== 'protocol-error' && bytesSeen > 0) fail(truncated);
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    const code = err.code ?? err.message;
    endCause = CALLER_GONE.has(code)
      ? { cause: 'caller', detail: code }
      : { cause: 'transport-error', detail: code };
  });
  socket.on('close', () => {
    clearUuidTimer();
    if (feed) feed.end(endCause.cause, endCause.detail);
    else if (bytesSeen === 0) {
      // The AudioSocket() app connects, finds the channel unanswered and closes without a byte (§5.1).
      ctx.log.debug({ remote }, 'audiosocket connection closed before any byte: no call');
    } else if (outcome !== 'protocol-error') {
      fail(protocolError('truncated', `connection closed after ${bytesSeen} bytes without a UUID frame`));
    }
    ctx.onClosed(outcome ?? 'no-call', feed);
  });
}
