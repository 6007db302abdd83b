import { rmsMulaw } from '../../audio/energy.js';
import { LevelHistory } from '../../audio/level-history.js';
import type { Logger } from '../../log.js';
import type { CallTransport, HangupCause, TransportAudioFormat, TransportEvents } from '../transport.js';
import { TransportListeners } from '../transport-listeners.js';

/** Twilio Media Streams carry 8 kHz mu-law both ways; 160 bytes is 20 ms. */
export const MULAW_8K: TransportAudioFormat = { encoding: 'mulaw', sampleRate: 8000, frameBytes: 160 };
const BYTES_PER_MS = 8;
/** Agent audio leaves in chunks of at most 100 ms: small enough for exact marks and a cheap `clear`. */
const MAX_CHUNK_BYTES = 800;
/** Sent-but-unplayed audio kept track of; more than this is a runaway reply, not speech. */
const MAX_PENDING_CHUNKS = 3000;
/** Names of cleared marks still to be echoed (Twilio echoes every pending mark on `clear`). */
const MAX_CLEARED_MARKS = 4096;
/** A peer that stops reading: this much unsent data ends the call. */
const MAX_SOCKET_BACKLOG_BYTES = 1 << 20;

export interface StreamSocket {
  send(text: string): void;
  /** Bytes queued in the socket and not yet written. */
  backlogBytes(): number;
  close(): void;
}

export interface MediaStreamCallOptions {
  callId: string;
  streamSid: string;
  socket: StreamSocket;
  log: Logger;
  /** Enterprise: caller speech interrupts the agent. Pro: it is ignored while the agent speaks. */
  bargeIn: boolean;
  /** Hands the live call to `to` (REST update with <Dial>); absent when no REST client is configured. */
  transfer?: (to: string) => Promise<void>;
  /** After a transfer, how long Twilio gets to end the stream before we close it ourselves. */
  transferGraceMs?: number;
  now?: () => number;
}

interface SentChunk {
  name: string;
  bytes: number;
  rms: number;
}

/**
 * One call on a Twilio bidirectional Media Stream, behind the runtime's CallTransport interface.
 * Twilio buffers agent audio and plays it in real time, so nothing is paced here: each chunk goes out
 * at once followed by a `mark`, and the echoed marks say exactly what the caller has heard.
 */
export class MediaStreamCall implements CallTransport {
  readonly format = MULAW_8K;
  readonly callId: string;
  readonly streamSid: string;
  readonly bargeIn: boolean;
  private readonly listeners = new TransportListeners((event, err) => {
    // A listener bug ends this call, never the process.
    this.opts.log.error({ callId: this.callId, err, event }, 'media stream listener threw');
    if (event !== 'closed') this.finish('transport-error', `${event} listener threw`);
  });
  private readonly pending: SentChunk[] = [];
  private pendingBytes = 0;
  private readonly cleared = new Set<string>();
  private readonly levels = new LevelHistory();
  private playedBytes = 0;
  private markSeq = 0;
  private isClosed = false;
  private hangupAfterPlayout = false;
  private warnedOverflow = false;
  private warnedUnknownMark = false;
  private transferTo: string | undefined;
  private handingOver = false;
  private readonly now: () => number;

  constructor(private readonly opts: MediaStreamCallOptions) {
    this.callId = opts.callId;
    this.streamSid = opts.streamSid;
    this.bargeIn = opts.bargeIn;
    this.now = opts.now ?? (() => performance.now());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  on<E extends keyof TransportEvents>(event: E, listener: TransportEvents[E]): void {
    this.listeners.add(event, listener);
  }

  play(audio: Buffer): void {
    if (this.isClosed || audio.length === 0) return;
    // Even pieces of at most 100 ms, so no tiny tail chunk follows a big one.
    const pieces = Math.ceil(audio.length / MAX_CHUNK_BYTES);
    const size = Math.ceil(audio.length / pieces);
    for (let at = 0; at < audio.length; at += size) {
      if (this.pending.length >= MAX_PENDING_CHUNKS) {
        if (!this.warnedOverflow) {
          this.warnedOverflow = true;
          this.opts.log.warn({ callId: this.callId }, 'agent audio backlog full; dropping audio');
        }
        return;
      }
      const chunk = audio.subarray(at, Math.min(audio.length, at + size));
      const name = `a${++this.markSeq}`;
      this.send({ event: 'media', streamSid: this.streamSid, media: { payload: chunk.toString('base64') } });
      this.send({ event: 'mark', streamSid: this.streamSid, mark: { name } });
      this.pending.push({ name, bytes: chunk.length, rms: rmsMulaw(chunk) });
      this.pendingBytes += chunk.length;
    }
  }

  flush(): number {
    const dropped = this.pendingBytes / BYTES_PER_MS;
    if (this.pending.length) {
      this.send({ event: 'clear', streamSid: this.streamSid });
      // Twilio echoes these marks anyway; none of their audio was heard.
      for (const c of this.pending) this.rememberCleared(c.name);
      this.pending.length = 0;
      this.pendingBytes = 0;
    }
    if (this.hangupAfterPlayout) this.agentHangup();
    return dropped;
  }

  queuedMs(): number {
    return this.pendingBytes / BYTES_PER_MS;
  }

  playedMs(): number {
    return this.playedBytes / BYTES_PER_MS;
  }

  /** What the caller hears now (the chunk at the head of Twilio's buffer) or heard in the window. */
  recentOutputRms(windowMs: number): number {
    return Math.max(this.levels.maxSince(this.now(), windowMs), this.pending[0]?.rms ?? 0);
  }

  hangup(opts: { afterPlayout?: boolean } = {}): void {
    if (this.isClosed) return;
    if (opts.afterPlayout && this.pending.length) {
      this.hangupAfterPlayout = true; // finished when the last mark comes back
      return;
    }
    this.agentHangup();
  }

  /** The agent's next hang-up becomes a transfer to `to` (once its last words have played). */
  transferOnHangup(to: string): void {
    this.transferTo = to;
  }

  // --- fed by the stream connection ---

  receiveAudio(audio: Buffer): void {
    if (!this.isClosed) this.listeners.emit('audio', audio);
  }

  receiveDtmf(digit: string): void {
    if (!this.isClosed) this.listeners.emit('dtmf', digit);
  }

  /** A mark came back: its chunk and every chunk before it have been played. */
  receiveMark(name: string): void {
    if (this.isClosed) return;
    if (this.cleared.delete(name)) return;
    const index = this.pending.findIndex((c) => c.name === name);
    if (index < 0) {
      if (!this.warnedUnknownMark) {
        this.warnedUnknownMark = true;
        this.opts.log.warn({ callId: this.callId, mark: name }, 'mark we never sent; ignored');
      }
      return;
    }
    const at = this.now();
    for (const c of this.pending.splice(0, index + 1)) {
      this.playedBytes += c.bytes;
      this.pendingBytes -= c.bytes;
      this.levels.record(at, c.rms);
    }
    if (this.pending.length === 0) {
      this.listeners.emit('playoutDone');
      if (this.hangupAfterPlayout) this.agentHangup();
    }
  }

  end(cause: HangupCause, detail?: string): void {
    this.finish(cause, detail);
  }

  /** Hang up, or hand over: after the REST update Twilio replaces the stream and sends `stop`. */
  private agentHangup(): void {
    const to = this.transferTo;
    if (!to || this.handingOver || this.isClosed) {
      if (!this.handingOver) this.finish('agent');
      return;
    }
    this.handingOver = true;
    const log = this.opts.log;
    if (!this.opts.transfer) {
      log.error({ callId: this.callId }, 'transfer wanted but no Twilio REST client; hanging up');
      this.finish('agent', 'transfer unavailable');
      return;
    }
    this.opts.transfer(to).then(
      () => {
        log.info({ callId: this.callId, to }, 'call handed over');
        const grace = setTimeout(
          () => this.finish('agent', 'transferred'),
          this.opts.transferGraceMs ?? 5000,
        );
        grace.unref?.();
        this.on('closed', () => clearTimeout(grace));
      },
      (err: unknown) => {
        log.error({ callId: this.callId, err }, 'transfer failed; hanging up');
        this.finish('agent', 'transfer failed');
      },
    );
  }

  private send(message: object): void {
    if (this.isClosed) return;
    if (this.opts.socket.backlogBytes() > MAX_SOCKET_BACKLOG_BYTES) {
      this.finish('transport-error', 'peer stopped reading');
      return;
    }
    this.opts.socket.send(JSON.stringify(message));
  }

  private rememberCleared(name: string): void {
    if (this.cleared.size >= MAX_CLEARED_MARKS) {
      const oldest = this.cleared.values().next().value;
      if (oldest !== undefined) this.cleared.delete(oldest);
    }
    this.cleared.add(name);
  }

  private finish(cause: HangupCause, detail?: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    // Closing our side ends <Connect>; with no verb after it, Twilio hangs up. After the caller's
    // `stop` there is nothing left to say either, so the socket never outlives the call.
    this.opts.socket.close();
    this.opts.log.info(
      { callId: this.callId, cause, detail, playedMs: Math.round(this.playedMs()) },
      'media stream call ended',
    );
    this.listeners.emit('closed', cause, detail);
  }
}
