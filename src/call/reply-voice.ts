import type { Logger } from '../log.js';
import type { TtsContext, TtsEvent, TtsVoice } from '../providers/tts/types.js';
import type { CallLine } from './call-line.js';
import type { ReplyAudioLedger } from './heard-text.js';

/** How long the TTS may keep a reply waiting before its context is given up as stalled. */
export interface TtsWatchdogs {
  /** From the first text sent to the reply's first audio. */
  firstAudioMs: number;
  /** Between audio chunks while the TTS still owes audio (text sent since the last chunk, or the reply finished). */
  gapMs: number;
}

/** A typical speaking rate, to estimate how much of a reply was voiced when the TTS gave no word times. */
const WORDS_PER_SEC = 2.5;

export const DEFAULT_TTS_WATCHDOGS: TtsWatchdogs = { firstAudioMs: 1000, gapMs: 1500 };

/** What a reply's voice reports to the reply. */
export interface VoiceListener {
  audio(audio: Buffer): void;
  /** Every piece of the reply has been voiced. */
  done(): void;
  /** The TTS could not voice the reply, even on a fresh context, and no fixed line could stand in. */
  failed(error: Error, afterAudio: boolean): void;
  /** A fixed line synthesised ahead replaced what the TTS could not voice; it plays as the end of the reply. */
  replaced(text: string, clip: Buffer): void;
}

type Failure = 'error' | 'first_audio_timeout' | 'gap_timeout';

/**
 * The TTS side of one reply. Text goes into one context as it comes; when that context fails, drops
 * with its socket or stalls (no first audio, or a gap mid-reply), it is cancelled and what was not
 * voiced yet is said again on a fresh context (the session redials a lost socket). If that fails too,
 * the cached apology plays instead, so a reply is never simply lost; only without one does it fail.
 */
export class ReplyVoice {
  private ctx: TtsContext | undefined;
  private finished = false;
  private over = false;
  private retried = false;
  private audioSeen = false;
  /** The current context has sent audio (its first-audio watchdog is over). */
  private ctxAudio = false;
  /** Words the TTS has reported voicing (timestamps), over every context of this reply. */
  private voicedWords = 0;
  /** Reply audio before the current context, so its word times continue the reply's timeline. */
  private offsetSec = 0;
  /** Text sent to the current context since its last audio chunk: the TTS owes audio for it. */
  private owed = false;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;

  constructor(
    private readonly line: CallLine,
    private readonly voice: TtsVoice,
    private readonly ledger: ReplyAudioLedger,
    private readonly watchdogs: TtsWatchdogs,
    /** The cached apology for this reply's step, if the line cache holds it. */
    private readonly apology: () => { text: string; clip: Buffer } | undefined,
    private readonly listener: VoiceListener,
    private readonly log: Logger,
  ) {}

  /** A context failed and the rest was said again (or replaced): the audio is not one clean take. */
  get recovered(): boolean {
    return this.retried;
  }

  /** Text is sent as is (the caller keeps the spaces between pieces). */
  push(text: string): void {
    if (this.over || this.finished) return;
    this.ledger.text += text;
    if (this.ctx) {
      this.ctx.push(text);
      this.expectAudio();
    } else if (this.attempt === 0) {
      this.open();
    }
    // Otherwise a context is being opened: it starts with everything not voiced yet, this included.
  }

  finish(): void {
    if (this.over || this.finished) return;
    this.finished = true;
    if (this.ctx) {
      this.ctx.finish();
      this.expectAudio();
    }
  }

  /** The reply was stopped (barge-in, hang-up): drop the context, report nothing more. */
  cancel(): void {
    if (this.over) return;
    this.over = true;
    this.clearTimer();
    this.ctx?.cancel();
  }

  /** Opens a context on the session (waiting for it, or for its redial) with all not voiced yet. */
  private open(): void {
    const attempt = ++this.attempt;
    this.ctxAudio = false;
    this.line.tts.then(
      (session) => {
        if (this.over || attempt !== this.attempt) return;
        const text = this.unvoiced();
        if (!text && this.finished) {
          // Everything had been voiced when the last context failed: the reply is complete.
          this.over = true;
          this.listener.done();
          return;
        }
        this.ctx = session.context(this.voice, (e) => this.onEvent(attempt, e));
        if (text) this.ctx.push(text);
        if (this.finished) this.ctx.finish();
        if (text || this.finished) this.expectAudio();
      },
      (err: unknown) => {
        if (this.over || attempt !== this.attempt) return;
        // The session could not be opened at all (the tts child counts and reports it): no retry helps.
        this.retried = true;
        this.fail('error', err instanceof Error ? err : new Error(String(err)), false);
      },
    );
  }

  private onEvent(attempt: number, e: TtsEvent): void {
    if (this.over || attempt !== this.attempt) return;
    switch (e.type) {
      case 'audio':
        this.audioSeen = true;
        this.ctxAudio = true;
        this.owed = false;
        this.clearTimer();
        if (this.finished) this.expectAudio(); // `done` is still owed
        this.line.ttsFailuresInARow = 0;
        this.ledger.audioMs += e.audio.length / this.line.bytesPerMs;
        this.listener.audio(e.audio);
        break;
      case 'timestamps': {
        this.ledger.words ??= { words: [], end: [] };
        this.ledger.words.words.push(...e.words);
        this.ledger.words.end.push(...e.end.map((t) => t + this.offsetSec));
        this.voicedWords += e.words.length;
        break;
      }
      case 'done':
        this.over = true;
        this.clearTimer();
        this.listener.done();
        break;
      case 'error':
        this.fail('error', e.error);
        break;
      default:
        break;
    }
  }

  /** Text or the end of the reply was sent: audio must follow within the watchdog. */
  private expectAudio(): void {
    this.owed = true;
    if (this.timer) return;
    const ms = this.ctxAudio ? this.watchdogs.gapMs : this.watchdogs.firstAudioMs;
    const kind: Failure = this.ctxAudio ? 'gap_timeout' : 'first_audio_timeout';
    const attempt = this.attempt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.over || attempt !== this.attempt || !this.owed) return;
      this.fail(kind, new Error(`tts: no audio for ${ms} ms`));
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One context failed: say the rest on a fresh one, else the cached apology, else give up. */
  private fail(kind: Failure, error: Error, count = true): void {
    this.clearTimer();
    this.ctx?.cancel();
    this.ctx = undefined;
    if (count) this.line.observer.providerError('tts', kind);
    if (!this.retried) {
      this.retried = true;
      this.log.warn(
        { kind, err: error.message, afterAudio: this.audioSeen },
        'tts context failed; saying the rest on a fresh one',
      );
      this.line.observer.recovery?.('tts', 'respoken');
      this.offsetSec = this.ledger.audioMs / 1000;
      // A stall is the socket's as likely as the context's: say the rest on a fresh connection.
      if (kind !== 'error')
        void this.line.tts.then(
          (session) => session.recycle(kind),
          () => {},
        );
      this.open();
      return;
    }
    this.over = true;
    const apology = this.apology();
    if (apology) {
      this.log.warn(
        { kind, err: error.message },
        'tts could not voice the reply; playing the cached apology',
      );
      this.line.observer.recovery?.('tts', 'apology');
      this.listener.replaced(apology.text, apology.clip);
      return;
    }
    this.line.observer.recovery?.('tts', 'gave_up');
    this.listener.failed(error, this.audioSeen);
  }

  /**
   * The text not voiced yet, from the start of the sentence the TTS was in, so the caller hears whole
   * sentences. Voiced words are those the TTS reported (word timestamps), else an estimate from the
   * audio received at a typical speaking rate.
   */
  private unvoiced(): string {
    const words = this.ledger.text.trim().split(/\s+/).filter(Boolean);
    if (!this.audioSeen) return words.join(' ');
    const estimate = Math.floor((this.ledger.audioMs / 1000) * WORDS_PER_SEC);
    let from = Math.min(words.length, this.ledger.words ? this.voicedWords : estimate);
    while (from > 0 && !/[.?!]$/.test(words[from - 1]!)) from--;
    return words.slice(from).join(' ');
  }
}
