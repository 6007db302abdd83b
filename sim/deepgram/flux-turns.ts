import type { CallerLine } from '../caller/script.js';
import type { EndpointerEvent } from './endpointer.js';
import { HeardWords } from './heard-words.js';
import { type ConfidenceModel, endOfTurnConfidence } from './turn-completeness.js';
import { type LineWord, layoutWords, type TimedWord } from './words.js';

/** §4e: the TurnInfo events. */
export type FluxEventName = 'StartOfTurn' | 'Update' | 'EagerEndOfTurn' | 'TurnResumed' | 'EndOfTurn';
export type EndOfTurnTrigger = 'model' | 'timeout' | 'manual';

export interface FluxTurnEvent {
  event: FluxEventName;
  turnIndex: number;
  windowStartSec: number;
  windowEndSec: number;
  transcript: string;
  words: TimedWord[];
  confidence: number;
  trigger?: EndOfTurnTrigger;
  /** ISO 639-1 codes of the turn's lines, for flux-general-multi. */
  languages: string[];
}

export interface FluxThresholds {
  /** Unset: no EagerEndOfTurn / TurnResumed (§2b). */
  eagerEotThreshold: number | undefined;
  eotThreshold: number;
  eotTimeoutMs: number;
}

export interface FluxTurnConfig extends FluxThresholds {
  windowMs: number;
  /** Voiced audio needed before speech counts (clicks and breaths do not open or resume a turn). */
  minSpeechMs: number;
  /** Silence inside a script part that marks a phrase boundary (a comma's pause). */
  phrasePauseMs: number;
  /** Audio between Update events of an open turn (§5 Flux item 2: about 0.25 s). */
  updateEveryMs: number;
  /** Speaking rate that grows the transcript of the phrase being spoken. */
  wordsPerSec: number;
  confidence: ConfidenceModel;
}

/** One script part (a line, or a piece of a line said in parts) as one speech segment. */
interface Part {
  /** Phrases heard whole: one more for each pause inside the part, all of them once the segment ends. */
  words: HeardWords;
  language: string;
  onsetSec: number;
  voiceEndSec: number;
}

interface Turn {
  index: number;
  startSec: number;
  parts: Part[];
  /** Transcript of the EagerEndOfTurn not yet resumed or confirmed. */
  eagerText: string | undefined;
}

/** Bound on the segments one turn keeps (a turn of endless noise would otherwise grow without end). */
const MAX_PARTS_PER_TURN = 32;

/**
 * Flux turn-taking derived from the audio, one 10 ms window at a time: speech opens a turn, silence
 * grows the end-of-turn confidence (turn-completeness.ts) of the words heard so far, and the
 * thresholds turn it into EagerEndOfTurn / EndOfTurn; speech after an EagerEndOfTurn is TurnResumed.
 * Recognition is the script: each speech segment takes the next part from `takePart`.
 */
export class FluxTurnDetector {
  private boundary = 0;
  private voicedRun = 0;
  /** Inside a speech segment of the energy endpointer. */
  private inSegment = false;
  /** The current window was voice inside a segment. */
  private voicedNow = false;
  private lastVoicedEnd = 0;
  private turn: Turn | undefined;
  private turnsEnded = 0;
  private nextUpdateAt = 0;
  private readonly minSpeechWindows: number;

  constructor(
    private config: FluxTurnConfig,
    private readonly takePart: () => CallerLine | undefined,
    private readonly unscriptedText = '',
  ) {
    this.minSpeechWindows = Math.max(1, Math.ceil(config.minSpeechMs / config.windowMs));
  }

  /** Configure (§3b): new thresholds apply from the next window. */
  setThresholds(t: Partial<FluxThresholds>): void {
    this.config = { ...this.config, ...t };
  }

  get thresholds(): FluxThresholds {
    const { eagerEotThreshold, eotThreshold, eotTimeoutMs } = this.config;
    return { eagerEotThreshold, eotThreshold, eotTimeoutMs };
  }

  get turnOpen(): boolean {
    return this.turn !== undefined;
  }

  /** Parts taken so far (the simulator's segment count). */
  partsTaken = 0;

  /**
   * One 10 ms window: whether it was voiced, and the energy endpointer's event for it. Segments are
   * the endpointer's (speech-start after minSpeechMs, speech-end after its endpointing silence), so
   * Flux splits the audio into script parts exactly where the v1 endpointer splits it into lines.
   */
  push(voiced: boolean, segment?: EndpointerEvent): FluxTurnEvent[] {
    const b = ++this.boundary;
    const out: FluxTurnEvent[] = [];
    this.voicedRun = voiced ? this.voicedRun + 1 : 0;
    this.voicedNow = false;
    if (segment?.type === 'speech-start') this.segmentStarted(segment.onset, b, out);
    else if (segment?.type === 'speech-end') this.segmentEnded();
    else if (voiced && this.inSegment) this.voiceInSegment(b, out);
    if (this.turn && !this.voicedNow) this.silence(b, out);
    if (this.turn && out.length === 0 && b * this.config.windowMs >= this.nextUpdateAt) {
      out.push(this.info('Update'));
    }
    if (out.length) this.nextUpdateAt = b * this.config.windowMs + this.config.updateEveryMs;
    return out;
  }

  /** ForceEndTurn (§3b): ends the open turn on what was heard; ignored with no turn open. */
  forceEnd(): FluxTurnEvent[] {
    const turn = this.turn;
    if (!turn) return [];
    for (const p of turn.parts) p.words.all();
    return this.endTurn('manual', this.confidenceNow());
  }

  /** CloseStream (§5 Flux item 5): the last Update of an open turn, never an EndOfTurn. */
  flush(): FluxTurnEvent[] {
    return this.turn ? [this.info('Update')] : [];
  }

  private sec(boundary: number): number {
    return (boundary * this.config.windowMs) / 1000;
  }

  private heardVoice(b: number): void {
    this.voicedNow = true;
    this.lastVoicedEnd = b;
    const part = this.turn?.parts.at(-1);
    if (part) part.voiceEndSec = this.sec(b);
  }

  /** A new speech segment: a new turn, or (after an EagerEndOfTurn) the caller going on. */
  private segmentStarted(onset: number, b: number, out: FluxTurnEvent[]): void {
    this.inSegment = true;
    if (!this.turn) {
      this.turn = { index: this.turnsEnded, startSec: this.sec(onset), parts: [], eagerText: undefined };
      this.openPart(onset);
      this.heardVoice(b);
      out.push(this.info('StartOfTurn'));
      return;
    }
    if (this.turn.parts.length < MAX_PARTS_PER_TURN) this.openPart(onset);
    this.heardVoice(b);
    this.resume(out);
  }

  /** The segment is over: the next speech is the next part, so this one has been heard whole. */
  private segmentEnded(): void {
    this.inSegment = false;
    const part = this.turn?.parts.at(-1);
    part?.words.all();
  }

  /**
   * Voice inside a segment. After a pause of phrasePauseMs the next phrase has begun; once the voice
   * has lasted minSpeechMs it is speech, and an EagerEndOfTurn it followed is resumed. Voice in the
   * segment of a turn that has already ended belongs to no turn (the next segment opens one).
   */
  private voiceInSegment(b: number, out: FluxTurnEvent[]): void {
    const part = this.turn?.parts.at(-1);
    if (!this.turn || !part) return;
    const gapMs = (b - 1 - this.lastVoicedEnd) * this.config.windowMs;
    if (gapMs >= this.config.phrasePauseMs) part.words.pause(this.sec(b - 1));
    this.heardVoice(b);
    if (this.voicedRun >= this.minSpeechWindows) this.resume(out);
  }

  private resume(out: FluxTurnEvent[]): void {
    if (this.turn?.eagerText === undefined) return;
    this.turn.eagerText = undefined;
    out.push(this.info('TurnResumed'));
  }

  private openPart(onset: number): void {
    const previous = this.turn?.parts.at(-1);
    previous?.words.all();
    const line = this.takePart();
    this.partsTaken++;
    const start = this.sec(onset);
    this.turn?.parts.push({
      words: new HeardWords(line, this.unscriptedText, start),
      language: line?.lang ?? 'en',
      onsetSec: start,
      voiceEndSec: start,
    });
  }

  private silence(b: number, out: FluxTurnEvent[]): void {
    const turn = this.turn!;
    const silenceMs = (b - this.lastVoicedEnd) * this.config.windowMs;
    const text = this.transcript();
    if (turn.eagerText !== undefined && text !== turn.eagerText) {
      turn.eagerText = undefined;
      out.push(this.info('TurnResumed'));
    }
    const confidence = endOfTurnConfidence(text, silenceMs, this.config.confidence);
    const { eagerEotThreshold, eotThreshold, eotTimeoutMs } = this.config;
    const ends = confidence >= eotThreshold || silenceMs >= eotTimeoutMs;
    const eager = eagerEotThreshold !== undefined && confidence >= eagerEotThreshold;
    // §5 Flux item 3: an EagerEndOfTurn (when enabled) always precedes the EndOfTurn it announces.
    if ((eager || (ends && eagerEotThreshold !== undefined)) && turn.eagerText === undefined && text !== '') {
      turn.eagerText = text;
      out.push(this.info('EagerEndOfTurn', confidence));
    }
    if (ends) out.push(...this.endTurn(confidence >= eotThreshold ? 'model' : 'timeout', confidence));
  }

  private confidenceNow(): number {
    const silenceMs = this.voicedNow ? 0 : (this.boundary - this.lastVoicedEnd) * this.config.windowMs;
    return endOfTurnConfidence(this.transcript(), silenceMs, this.config.confidence);
  }

  private endTurn(trigger: EndOfTurnTrigger, confidence: number): FluxTurnEvent[] {
    const event = { ...this.info('EndOfTurn', confidence), trigger };
    this.turn = undefined;
    this.turnsEnded++;
    return [event];
  }

  /** Words heard so far: whole phrases, plus the phrase being spoken as far as the speaking rate goes. */
  private heardWords(part: Part, isLast: boolean): LineWord[] {
    const silenceMs = this.voicedNow ? 0 : (this.boundary - this.lastVoicedEnd) * this.config.windowMs;
    return part.words.heard({
      // A pause ends the phrase being said: it is heard whole.
      pausing: isLast && silenceMs >= this.config.phrasePauseMs,
      voicedUntilSec: this.sec(this.lastVoicedEnd),
      wordsPerSec: this.config.wordsPerSec,
    });
  }

  private transcript(): string {
    return this.timedWords()
      .map((w) => w.punctuated)
      .join(' ');
  }

  private timedWords(): TimedWord[] {
    const parts = this.turn?.parts ?? [];
    return parts.flatMap((p, i) =>
      layoutWords(this.heardWords(p, i === parts.length - 1), p.onsetSec, p.voiceEndSec),
    );
  }

  private info(event: FluxEventName, confidence = this.confidenceNow()): FluxTurnEvent {
    const turn = this.turn!;
    const words = this.timedWords();
    return {
      event,
      turnIndex: turn.index,
      windowStartSec: turn.startSec,
      windowEndSec: this.sec(this.boundary),
      transcript: words.map((w) => w.punctuated).join(' '),
      words,
      confidence,
      languages: [...new Set(turn.parts.map((p) => p.language))],
    };
  }
}
