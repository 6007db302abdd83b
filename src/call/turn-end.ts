/**
 * When the caller's turn ends, decided from what the STT says and when the caller last made a sound.
 *
 * - **Early signal** (`ending`): the caller has been silent `eagerSilenceMs` after a transcript that
 *   reads as a finished sentence. A reply may start now, held back.
 * - **Finalize**: still silent at `finalizeSilenceMs`, the STT is asked to finalise at once (Deepgram
 *   `Finalize`) instead of waiting out its endpoint. The gap between the two thresholds lets the
 *   pauses inside a sentence (commas, a breath: up to about 200 ms) pass without ending the turn.
 * - **Resumed** (`resumed`): sound or a changed transcript after an early signal.
 * - **Final** (`final`): the STT closed the utterance (speech_final, a finalised result after an early
 *   signal, or UtteranceEnd). A transcript that stops mid-sentence ("it's, um,", "my postcode is") is
 *   held instead, and only ends the turn after `incompleteHoldMs` of silence, so a caller who pauses
 *   to think is not answered halfway.
 * With Flux the service makes these decisions itself (EagerEndOfTurn, TurnResumed, EndOfTurn) and
 * this class only relays them.
 */
export interface TurnEndOptions {
  eagerSilenceMs: number;
  finalizeSilenceMs: number;
  incompleteHoldMs: number;
  /** false: no early signals of our own (the STT sends them, or speculation is off). */
  estimate: boolean;
}

export interface TurnEndSignals {
  ending(text: string): void;
  resumed(): void;
  final(text: string): void;
  /** Ask the STT to finalise what it has now. */
  finalize(): void;
}

/** Words a finished sentence does not end on (English and Spanish), plus fillers. */
const CONTINUES =
  /(?:^|\s)(?:and|or|but|so|because|then|the|a|an|my|our|your|is|are|was|it's|its|to|of|in|on|at|for|with|from|um+|uh+|er+|erm|like|y|o|pero|porque|el|la|los|las|un|una|mi|su|es|de|del|en|con|que|para|por|eh+|este|pues)$/i;

/** Does this transcript read as a finished sentence? (No trailing comma, dash, ellipsis or joining word.) */
export function looksComplete(text: string): boolean {
  const t = text.trim();
  if (!t) return false;
  if (/(?:,|;|:|-|–|—|\.\.\.|…)$/.test(t)) return false;
  return !CONTINUES.test(t.replace(/[.!?]+$/, '').trim());
}

const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/[.,!?;:¿¡]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

export class TurnEnd {
  private finals: string[] = [];
  private interim = '';
  private lastVoicedAt = Number.NEGATIVE_INFINITY;
  private signalled: string | undefined;
  private finalizeSent = false;
  private holding = false;

  constructor(
    private readonly opts: TurnEndOptions,
    private readonly signals: TurnEndSignals,
  ) {}

  /** Every caller frame, after the echo gate: was it the caller's voice? `now` is caller-audio time (ms). */
  frame(voiced: boolean, now: number): void {
    if (voiced) {
      this.lastVoicedAt = now;
      this.resume();
      return;
    }
    const silentMs = now - this.lastVoicedAt;
    if (this.holding) {
      if (silentMs >= this.opts.incompleteHoldMs) this.flush();
      return;
    }
    if (!this.opts.estimate) return;
    const text = this.candidate();
    if (this.signalled === undefined) {
      if (text && silentMs >= this.opts.eagerSilenceMs && looksComplete(text)) {
        this.signalled = text;
        this.signals.ending(text);
      }
    } else if (!this.finalizeSent && silentMs >= this.opts.finalizeSilenceMs) {
      this.finalizeSent = true;
      this.signals.finalize();
    }
  }

  interimResult(text: string): void {
    this.interim = text.trim();
    // A transcript that changed under an early signal means the caller said more.
    if (this.signalled !== undefined && norm(this.candidate()) !== norm(this.signalled)) this.resume();
  }

  finalResult(text: string, opts: { speechFinal: boolean; fromFinalize: boolean }): void {
    if (text.trim()) this.finals.push(text.trim());
    this.interim = '';
    if (opts.speechFinal || (opts.fromFinalize && this.signalled !== undefined)) this.endIfComplete();
  }

  utteranceEnd(): void {
    this.flush();
  }

  /** Flux decided (EagerEndOfTurn, TurnResumed, EndOfTurn): relay it. */
  serviceEnding(text: string): void {
    this.signalled = text;
    this.signals.ending(text);
  }

  serviceResumed(): void {
    this.resume();
  }

  serviceEnded(text: string): void {
    this.finals = text.trim() ? [text.trim()] : [];
    this.interim = '';
    this.flush();
  }

  private candidate(): string {
    return [...this.finals, this.interim].filter(Boolean).join(' ');
  }

  private endIfComplete(): void {
    if (looksComplete(this.finals.join(' '))) this.flush();
    else this.holding = this.finals.length > 0;
  }

  private resume(): void {
    this.holding = false;
    if (this.signalled === undefined) return;
    this.signalled = undefined;
    this.finalizeSent = false;
    this.signals.resumed();
  }

  private flush(): void {
    const text = this.finals.join(' ');
    this.finals = [];
    this.interim = '';
    this.holding = false;
    this.signalled = undefined;
    this.finalizeSent = false;
    if (text) this.signals.final(text);
  }
}
