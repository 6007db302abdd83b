import type WebSocket from 'ws';
import { ByteQueue } from '../../audio/byte-queue.js';
import { rmsS16le } from '../../audio/energy.js';
import { LevelHistory } from '../../audio/level-history.js';
import { pcmDurationMs } from '../../audio/pcm.js';
import type { Logger } from '../../log.js';
import type { FrameScheduler, ScheduledStream } from '../audiosocket/frame-scheduler.js';
import type { CallTransport, HangupCause, TransportAudioFormat, TransportEvents } from '../transport.js';
import { TransportListeners } from '../transport-listeners.js';
import { checkAudio, FRAME_BYTES, parseClientMessage, SAMPLE_RATE, type ServerMessage } from './messages.js';

export const BROWSER_FORMAT: TransportAudioFormat = {
  encoding: 'slin',
  sampleRate: SAMPLE_RATE,
  frameBytes: FRAME_BYTES,
};

/** Agent audio queued on the server beyond this is dropped (a reply is far shorter). */
const MAX_QUEUED_MS = 60_000;
/** The socket buffer may hold this much before agent frames are dropped (a page that stopped reading). */
const MAX_SOCKET_BACKLOG = 256 * 1024;
/** How long past the expected end of playout a silent page is waited for. */
const PAGE_REPORT_GRACE_MS = 1000;

/**
 * One call from the dashboard's "Call the agent" button, over one WebSocket. Agent audio is paced at
 * 20 ms a frame on the shared frame clock (so a flush really drops what is not yet sent), and the page
 * reports how much it has played, as Twilio's marks do: `playedMs()` is what the caller heard.
 */
export class BrowserCall implements CallTransport {
  readonly format = BROWSER_FORMAT;
  private readonly listeners = new TransportListeners((event, err) => {
    // A listener bug ends this call, never the process.
    this.log.error({ callId: this.callId, err, event }, 'browser call listener threw');
    if (event !== 'closed') this.finish('transport-error', `${event} listener threw`);
  });
  private readonly queue = new ByteQueue();
  private readonly levels = new LevelHistory();
  private stream: ScheduledStream | null;
  /** Agent frames are being paced out (the server queue had audio at the last tick). */
  private sending = false;
  /** The server queue ran dry; waiting for the page to report it has played the rest. */
  private drainTimer: NodeJS.Timeout | null = null;
  private sentBytes = 0;
  private reportedPlayedMs = 0;
  private reportedDroppedMs = 0;
  private hangupAfterPlayout = false;
  private isClosed = false;

  constructor(
    readonly callId: string,
    private readonly ws: WebSocket,
    private readonly scheduler: FrameScheduler,
    private readonly log: Logger,
  ) {
    this.stream = scheduler.add(this.onFrameDue);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  on<E extends keyof TransportEvents>(event: E, listener: TransportEvents[E]): void {
    this.listeners.add(event, listener);
  }

  /** One message from the page after `start` (the server has already checked its size). */
  receive(data: Buffer, isBinary: boolean): void {
    if (this.isClosed) return;
    if (isBinary) {
      const problem = checkAudio(data);
      if (problem) this.protocolError(problem);
      else this.listeners.emit('audio', data);
      return;
    }
    const msg = parseClientMessage(data.toString('utf8'));
    if (!msg.ok) {
      this.protocolError(msg.error);
      return;
    }
    switch (msg.value.type) {
      case 'played':
        // Never more than was sent: a page cannot claim to have heard audio it never got.
        this.reportedPlayedMs = Math.min(msg.value.ms, this.sentMs());
        this.reportedDroppedMs = Math.min(msg.value.droppedMs ?? 0, this.sentMs() - this.reportedPlayedMs);
        if (this.drainTimer && this.inPageMs() === 0) this.playoutDone();
        return;
      case 'dtmf':
        this.listeners.emit('dtmf', msg.value.digit);
        return;
      case 'hangup':
        this.finish('caller');
        return;
      case 'start':
        this.protocolError('start sent twice');
        return;
    }
  }

  play(audio: Buffer): void {
    if (this.isClosed || audio.length === 0) return;
    if (this.queuedServerMs() > MAX_QUEUED_MS) {
      this.log.warn({ callId: this.callId }, 'browser call: agent audio queue full; dropping audio');
      return;
    }
    this.queue.push(audio);
    this.stopDrainTimer(); // more of the reply: playout is not done after all
    // The first frame of a reply leaves at once; the frame clock is re-phased to it.
    if (this.stream && !this.sending && this.queue.length >= FRAME_BYTES) {
      this.sendNext();
      this.scheduler.rephase(this.stream, this.scheduler.clock.now() + this.scheduler.frameMs);
    }
  }

  flush(): number {
    const droppedServer = pcmDurationMs(this.queue.clear(), SAMPLE_RATE);
    const unplayed = this.inPageMs();
    this.sending = false;
    this.stopDrainTimer();
    this.send({ type: 'clear' });
    if (this.hangupAfterPlayout) this.finish('agent');
    return droppedServer + unplayed;
  }

  queuedMs(): number {
    return this.queuedServerMs() + this.inPageMs();
  }

  playedMs(): number {
    return Math.min(this.reportedPlayedMs, this.sentMs());
  }

  recentOutputRms(windowMs: number): number {
    return this.levels.maxSince(this.scheduler.clock.now(), windowMs);
  }

  hangup(opts: { afterPlayout?: boolean } = {}): void {
    if (this.isClosed) return;
    if (opts.afterPlayout && (this.queue.length > 0 || this.sending || this.drainTimer)) {
      this.hangupAfterPlayout = true;
      return;
    }
    this.finish('agent');
  }

  /** The socket closed or failed. */
  socketClosed(cause: HangupCause, detail?: string): void {
    this.finish(cause, detail);
  }

  private sentMs(): number {
    return pcmDurationMs(this.sentBytes, SAMPLE_RATE);
  }

  private queuedServerMs(): number {
    return pcmDurationMs(this.queue.length, SAMPLE_RATE);
  }

  /** Sent and neither played nor dropped yet: the page's own buffer, as last reported. */
  private inPageMs(): number {
    const ms = this.sentMs() - this.reportedPlayedMs - this.reportedDroppedMs;
    return ms < 1 ? 0 : ms;
  }

  /**
   * Like Twilio's mark coming back: the reply is done when the page says it has played it. A page
   * that stops reporting is taken to have played it once that much time (and a second) has passed.
   */
  private startDrain(): void {
    if (this.inPageMs() === 0) {
      this.playoutDone();
      return;
    }
    this.drainTimer = setTimeout(() => {
      this.reportedPlayedMs = this.sentMs() - this.reportedDroppedMs;
      this.playoutDone();
    }, this.inPageMs() + PAGE_REPORT_GRACE_MS);
    this.drainTimer.unref();
  }

  private stopDrainTimer(): void {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
  }

  private playoutDone(): void {
    this.stopDrainTimer();
    this.listeners.emit('playoutDone');
    if (this.hangupAfterPlayout) this.finish('agent');
  }

  private readonly onFrameDue = (): void => {
    this.sendNext();
  };

  private sendNext(): void {
    if (this.queue.length === 0) {
      if (this.sending) {
        this.sending = false;
        this.startDrain();
      }
      return;
    }
    const frame = Buffer.alloc(FRAME_BYTES); // a short last frame is padded with silence
    const bytes = this.queue.takeInto(frame, 0, FRAME_BYTES);
    this.sending = true;
    if (this.ws.bufferedAmount > MAX_SOCKET_BACKLOG) return; // dropped, not queued without bound
    this.ws.send(frame, { binary: true });
    // Whole frames: the page plays the padding too, and its played count must line up with this one.
    this.sentBytes += FRAME_BYTES;
    this.levels.record(this.scheduler.clock.now(), rmsS16le(frame, 0, bytes));
  }

  private send(msg: ServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private protocolError(detail: string): void {
    this.log.warn({ callId: this.callId, detail }, 'browser call: bad message; ending the call');
    this.finish('protocol-error', detail);
  }

  private finish(cause: HangupCause, detail?: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.stream) this.scheduler.remove(this.stream);
    this.stream = null;
    this.stopDrainTimer();
    this.queue.clear();
    if (this.ws.readyState === this.ws.OPEN) {
      this.send({ type: 'hangup', cause });
      this.ws.close(cause === 'protocol-error' ? 1008 : 1000, cause);
    }
    this.log.info(
      { callId: this.callId, cause, detail, playedMs: Math.round(this.playedMs()) },
      'browser call ended',
    );
    this.listeners.emit('closed', cause, detail);
  }
}
