import type { Socket } from 'node:net';
import { frameBytes as frameBytesFor } from '../../audio/pcm.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import type { CallTransport, HangupCause, TransportAudioFormat, TransportEvents } from '../transport.js';
import { TransportListeners } from '../transport-listeners.js';
import type { FrameScheduler } from './frame-scheduler.js';
import { HANGUP_FRAME } from './frame-serializer.js';
import type { Frame, SampleRate } from './frames.js';

import { CallPacer, type PacerCounters } from './pacer.js';

/**
 * One Asterisk call over one AudioSocket connection (docs/protocols/audiosocket.md §1); `callId` is the
 * AudioSocket UUID.
 */
export interface AudioSocketCall extends CallTransport {
  /**
   * Resolves with the call's audio format: the one the dialplan declared, else the first caller
   * audio frame's (rate from its kind), else, after `firstAudioWaitMs` with no audio at all, the
   * default rate (logged). `format` holds the default until then. Agent audio flows once it resolves.
   */
  readonly formatReady: Promise<TransportAudioFormat>;
  /** Playout counters of this call. */
  stats(): Readonly<PacerCounters>;
  /** Bytes waiting in Node's socket buffer: near 0 unless the peer stopped reading (bounded, see server options). */
  writeBacklogBytes(): number;
}

export interface CallSettings {
  log: Logger;
  clock: Clock;
  scheduler: FrameScheduler;
  firstAudioWaitMs: number;
  defaultSampleRate: SampleRate;
  /** Node's write buffer may hold this much before frames are dropped (slow consumer). */
  maxWriteBufferBytes: number;
  /** Dropping frames for this long means the peer is gone: end the call. */
  stallCloseMs: number;
  /** After our FIN, how long the peer gets to close before the socket is destroyed. */
  closeGraceMs: number;
  /** Rates the call runtime can serve (the TTS can produce); a call at any other rate is ended. */
  supportedRates?: ReadonlySet<number>;
}

/** What the connection feeds into a call; kept off the public `AudioSocketCall` type. */
export interface CallFeed {
  readonly call: AudioSocketCall;
  /** A frame from Asterisk after the UUID. */
  receive(frame: Frame): void;
  /** The connection ended (or must end) for `cause`; sends `00 00 00` first unless the caller left. */
  end(cause: HangupCause, detail?: string): void;
  /** The dialplan declared the format (FastAGI `format=slin16`): settle it now, without waiting. */
  declare(sampleRate: SampleRate): void;
}

/** The transport format of an AudioSocket call: always slin, at one of the kinds' rates. */
export type SlinFormat = TransportAudioFormat & { encoding: 'slin'; sampleRate: SampleRate };

export function slinFormat(sampleRate: SampleRate): SlinFormat {
  return { encoding: 'slin', sampleRate, frameBytes: frameBytesFor(sampleRate) };
}

class AudioSocketCallImpl implements AudioSocketCall, CallFeed {
  readonly call: AudioSocketCall = this;
  readonly formatReady: Promise<TransportAudioFormat>;
  private resolveFormat!: (format: TransportAudioFormat) => void;
  private currentFormat: SlinFormat;
  private formatKnown = false;
  private formatTimer: unknown = null;
  private readonly pacer: CallPacer;
  // A listener bug must end this call, not the process (the socket's data handler would rethrow).
  private readonly listeners = new TransportListeners((event, err) => {
    this.settings.log.error({ callId: this.callId, err, event }, 'audiosocket call listener threw');
    if (event !== 'closed') this.finish('transport-error', `${event} listener threw`);
  });
  private isClosed = false;
  private hangupAfterPlayout = false;
  private stalledSince: number | null = null;
  /** How the format was settled: a rate that was only assumed is logged as such. */
  private formatSource: 'declared' | 'first-frame' | 'assumed' | null = null;

  constructor(
    readonly callId: string,
    private readonly socket: Socket,
    private readonly settings: CallSettings,
  ) {
    this.currentFormat = slinFormat(settings.defaultSampleRate);
    this.formatReady = new Promise((resolve) => {
      this.resolveFormat = resolve;
    });
    this.pacer = new CallPacer({
      scheduler: settings.scheduler,
      format: this.currentFormat,
      send: (frame) => this.writeFrame(frame),
      // Node's socket keeps a buffer only while a write is pending: none pending, none kept.
      frameReleased: () => this.socket.writableLength === 0,
      onPlayoutDone: () => this.playoutDone(),
      onError: (err) => {
        this.settings.log.error({ callId: this.callId, err }, 'audiosocket pacing task threw');
        this.finish('transport-error', 'pacing task threw');
      },
    });
    this.formatTimer = settings.clock.setTimeout(() => {
      this.formatTimer = null;
      if (this.formatKnown || this.isClosed) return;
      settings.log.warn(
        { callId, waitedMs: settings.firstAudioWaitMs, assumed: settings.defaultSampleRate },
        'no caller audio and no declared format: assuming the default rate (declare format= in the dialplan)',
      );
      this.settleFormat(settings.defaultSampleRate, 'assumed');
    }, settings.firstAudioWaitMs);
  }

  get format(): TransportAudioFormat {
    return this.currentFormat;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  on<E extends keyof TransportEvents>(event: E, listener: TransportEvents[E]): void {
    this.listeners.add(event, listener);
  }

  play(audio: Buffer): void {
    if (!this.isClosed) this.pacer.play(audio);
  }

  flush(): number {
    const dropped = this.pacer.flush();
    if (this.hangupAfterPlayout) this.finish('agent');
    return dropped;
  }

  queuedMs(): number {
    return this.pacer.queuedMs();
  }

  playedMs(): number {
    return this.pacer.playedMs();
  }

  recentOutputRms(windowMs: number): number {
    return this.pacer.recentOutputRms(windowMs);
  }

  stats(): Readonly<PacerCounters> {
    return this.pacer.stats();
  }

  writeBacklogBytes(): number {
    return this.socket.writableLength;
  }

  hangup(opts: { afterPlayout?: boolean } = {}): void {
    if (this.isClosed) return;
    if (opts.afterPlayout && this.pacer.busy) {
      this.hangupAfterPlayout = true; // finished from playoutDone (or flush)
      return;
    }
    this.finish('agent');
  }

  receive(frame: Frame): void {
    if (this.isClosed) return;
    switch (frame.kind) {
      case 'audio':
        if (!this.formatKnown) this.settleFormat(frame.sampleRate, 'first-frame');
        else if (frame.sampleRate !== this.currentFormat.sampleRate) {
          // Never passed on mislabelled: speech to text would hear it at the wrong speed. Without a
          // resampler here (see docs/asterisk.md) the call ends cleanly, with a hangup frame.
          this.settings.log.warn(
            {
              callId: this.callId,
              from: this.currentFormat.sampleRate,
              to: frame.sampleRate,
              formatSource: this.formatSource,
            },
            'caller audio changed sample rate mid-call; ending the call',
          );
          this.finish(
            'agent',
            `caller audio changed from ${this.currentFormat.sampleRate} to ${frame.sampleRate} Hz`,
          );
          return;
        }
        if (this.isClosed) return; // ended by settleFormat (a rate the voice cannot be produced at)
        this.listeners.audio(frame.payload);
        return;
      case 'dtmf':
        this.listeners.emit('dtmf', frame.digit);
        return;
      case 'hangup':
        // Asterisk never sends 0x00 (it just closes, §7); if something does, it means goodbye.
        this.finish('caller', 'hangup frame from peer');
        return;
      case 'error':
        // No Asterisk builds 0xFF (§3.1): log it and hang up rather than treat it as a violation.
        this.settings.log.warn(
          { callId: this.callId, code: frame.code },
          'audiosocket error frame from peer',
        );
        this.finish('caller', `error frame code=${frame.code ?? 'none'}`);
        return;
      case 'uuid':
        // The connection turns a repeated UUID into a protocol error before it gets here.
        return;
    }
  }

  end(cause: HangupCause, detail?: string): void {
    this.finish(cause, detail);
  }

  declare(sampleRate: SampleRate): void {
    if (!this.isClosed) this.settleFormat(sampleRate, 'declared');
  }

  private settleFormat(sampleRate: SampleRate, source: 'declared' | 'first-frame' | 'assumed'): void {
    if (this.formatKnown) return;
    this.formatKnown = true;
    this.formatSource = source;
    if (this.formatTimer !== null) this.settings.clock.clearTimeout(this.formatTimer);
    this.formatTimer = null;
    this.currentFormat = slinFormat(sampleRate);
    if (!this.isClosed && this.settings.supportedRates && !this.settings.supportedRates.has(sampleRate)) {
      this.settings.log.warn(
        { callId: this.callId, sampleRate, supported: [...this.settings.supportedRates] },
        'caller audio at a sample rate the voice cannot be produced at; ending the call',
      );
      this.finish('agent', `unsupported sample rate ${sampleRate} Hz`);
    }
    this.resolveFormat(this.currentFormat);
    if (!this.isClosed) this.pacer.start(this.currentFormat);
  }

  private playoutDone(): void {
    this.listeners.emit('playoutDone');
    if (this.hangupAfterPlayout) this.finish('agent');
  }

  /** Every frame goes out in one write (§6); a peer that stops reading gets frames dropped, then cut off. */
  private writeFrame(frame: Buffer): boolean {
    const socket = this.socket;
    if (!socket.writable) return false;
    if (socket.writableLength > this.settings.maxWriteBufferBytes) {
      const now = this.settings.clock.now();
      this.stalledSince ??= now;
      if (now - this.stalledSince >= this.settings.stallCloseMs) {
        this.finish('transport-error', `peer stopped reading for ${Math.round(now - this.stalledSince)} ms`);
      }
      return false;
    }
    this.stalledSince = null;
    socket.write(frame);
    return true;
  }

  private finish(cause: HangupCause, detail?: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.pacer.stop();
    this.settleFormat(this.settings.defaultSampleRate, 'assumed'); // unblock awaiters of a call that never sent audio
    const socket = this.socket;
    if (cause !== 'caller' && socket.writable) {
      // Asterisk hangs up on 00 00 00 and closes within ~1 ms (§7, §16); the FIN follows it.
      socket.end(HANGUP_FRAME);
      const grace = this.settings.clock.setTimeout(() => socket.destroy(), this.settings.closeGraceMs);
      socket.once('close', () => this.settings.clock.clearTimeout(grace));
    } else {
      socket.destroy();
    }
    const stats = this.pacer.stats();
    this.settings.log.info(
      {
        callId: this.callId,
        cause,
        detail,
        playedMs: Math.round(this.pacer.playedMs()),
        framesSent: stats.framesSent,
        underruns: stats.underruns,
        lateFrames: stats.lateFrames,
        droppedFrames: stats.droppedFrames,
      },
      'audiosocket call ended',
    );
    this.listeners.emit('closed', cause, detail);
  }
}

export function createAudioSocketCall(callId: string, socket: Socket, settings: CallSettings): CallFeed {
  return new AudioSocketCallImpl(callId, socket, settings);
}
