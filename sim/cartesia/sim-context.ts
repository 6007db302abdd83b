import type { Clock } from '../../src/clock.js';
import { encodeSamples } from './audio-encoding.js';
import type { GenerationInput } from './client-messages.js';
import type { ResolvedFault } from './faults.js';
import type { Encoding, SampleRate } from './protocol.js';
import {
  chunkMessage,
  doneMessage,
  errorMessage,
  flushDoneMessage,
  type ServerMessage,
  type SimError,
  timestampsMessage,
} from './server-messages.js';
import { type SpeakingStyle, speakWords } from './speech-synth.js';
import { TranscriptBuffer } from './transcript-buffer.js';

/**
 * Fields fixed by a context's first input; later inputs must repeat them (docs/protocols/cartesia-tts.md §2a,
 * last rule).
 */
export interface ContextConfig {
  modelId: string;
  voiceId: string;
  encoding: Encoding;
  sampleRate: SampleRate;
  language?: string;
  locale?: string;
  addTimestamps: boolean;
  maxBufferDelayMs: number;
}

export interface ContextPacing {
  timeToFirstAudioMs: number;
  realTimeFactor: number;
  chunkMs: number;
  charsPerSecond: number;
}

export type ContextEnd = 'done' | 'cancelled' | 'error' | 'dropped';

/** Where a context's output goes: a WebSocket, or one HTTP response. */
export interface ContextSink {
  send(message: ServerMessage): void;
  /** The `drop` fault: tear the transport down without a goodbye. */
  drop(): void;
  /** Called exactly once, when the context will send nothing more. */
  ended(how: ContextEnd): void;
  /** A chunk went out after the client cancelled (§2b: in-flight generation finishes). */
  lateChunk?(): void;
}

interface Scheduled {
  /** Clock time at which the generator has produced this item. */
  readyAt: number;
  /** Which rendering pass produced it; cancel keeps only the pass already streaming (§2b). */
  batch: number;
}

type OutItem = Scheduled &
  (
    | { kind: 'chunk'; audio: Buffer; stepMs: number; flushId: number }
    | { kind: 'timestamps'; words: string[]; start: number[]; end: number[]; flushId: number }
    | { kind: 'flush_done'; flushId: number }
    | { kind: 'done' }
  );

export function configOf(input: GenerationInput, defaultMaxBufferDelayMs: number): ContextConfig {
  return {
    modelId: input.modelId,
    voiceId: input.voiceId,
    encoding: input.encoding,
    sampleRate: input.sampleRate,
    ...(input.language ? { language: input.language } : {}),
    ...(input.locale ? { locale: input.locale } : {}),
    addTimestamps: input.addTimestamps,
    maxBufferDelayMs: input.maxBufferDelayMs ?? defaultMaxBufferDelayMs,
  };
}

/**
 * One context: collects streamed text, renders whole words as soon as they are known, and sends
 * the audio in paced chunks (§4). Generation is modelled as one sequential worker per context: the
 * first chunk is ready `timeToFirstAudioMs` after generation starts, each later chunk
 * `chunk duration × realTimeFactor` after the previous one (reported as `step_time`).
 */
export class SimContext {
  private readonly text = new TranscriptBuffer();
  private readonly style: SpeakingStyle;
  private state: 'open' | 'cancelled' | 'ended' = 'open';
  private outbox: OutItem[] = [];
  private flushId = 1;
  private timelineSec = 0;
  private batch = 0;
  private streamingBatch = 0;
  private generatorFreeAt = 0;
  private generating = false;
  private chunksSent = 0;
  private textSoFar = '';
  private pumpTimer: unknown;
  private holdTimer: unknown;

  constructor(
    readonly id: string,
    readonly config: ContextConfig,
    private readonly pacing: ContextPacing,
    private fault: ResolvedFault | undefined,
    private readonly clock: Clock,
    private readonly sink: ContextSink,
    private readonly requestId: string,
    /** A fault aimed at this context's words (`textStartsWith`), looked up as the text arrives. */
    private readonly faultFor?: (text: string) => ResolvedFault | undefined,
  ) {
    this.style = { voiceId: config.voiceId, speed: 1, volume: 1, charsPerSecond: pacing.charsPerSecond };
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  accept(input: GenerationInput): void {
    if (this.state !== 'open') return; // §4 item 4: input after the end is undefined; ignore it.
    const mismatch = this.mismatch(input);
    if (mismatch) {
      this.fail({ status: 400, title: 'Invalid context', message: mismatch, code: 'context_mismatch' });
      return;
    }
    // generation_config rides on pushes only (the SDK omits it on flush/no_more_inputs): keep the last.
    if (input.speed !== undefined) this.style.speed = input.speed;
    if (input.volume !== undefined) this.style.volume = input.volume;
    if (!this.fault && this.faultFor && this.textSoFar.length < 200) {
      this.textSoFar += input.transcript;
      this.fault = this.faultFor(this.textSoFar.trimStart());
      // A stall from the start, aimed at words that arrived in pieces: what the first pieces queued
      // is never sent either.
      if (this.silentFromStart)
        this.outbox = this.outbox.filter((i) => i.kind !== 'chunk' && i.kind !== 'timestamps');
    }
    this.text.append(input.transcript);
    if (input.flush || !input.continue) {
      this.clearHold();
      this.render(this.text.takeAll());
      if (input.flush) this.enqueueMarker({ kind: 'flush_done', flushId: this.flushId++ });
      if (!input.continue) this.enqueueMarker({ kind: 'done' });
    } else {
      this.render(this.text.takeCompleteWords());
      this.holdFragment();
    }
    this.schedulePump();
  }

  /** §2b: drop text not yet generating; the pass already streaming finishes; nothing else follows. */
  cancel(): void {
    if (this.state !== 'open') return;
    this.state = 'cancelled';
    this.text.clear();
    this.clearHold();
    const inFlight = this.streamingBatch;
    this.outbox = this.outbox.filter(
      (i) => i.batch === inFlight && this.chunksSent > 0 && (i.kind === 'chunk' || i.kind === 'timestamps'),
    );
    if (this.outbox.length === 0) this.end('cancelled');
  }

  /** Sends an error for this context and ends it (§3f: `done:true`). */
  fail(error: SimError): void {
    if (this.state === 'ended') return;
    this.sink.send(errorMessage(error, this.requestId, this.id));
    this.end('error');
  }

  /** The transport went away: stop timers, send nothing. */
  dispose(): void {
    if (this.state !== 'ended') this.end('dropped');
  }

  private mismatch(input: GenerationInput): string | undefined {
    const c = this.config;
    if (input.modelId !== c.modelId) return 'model_id changed within a context';
    if (input.voiceId !== c.voiceId) return 'voice changed within a context';
    if (input.encoding !== c.encoding || input.sampleRate !== c.sampleRate) {
      return 'output_format changed within a context';
    }
    if (input.language !== c.language || input.locale !== c.locale) {
      return 'language changed within a context';
    }
    return undefined;
  }

  /** §2a max_buffer_delay_ms: the longest a trailing fragment waits for the rest of its word. */
  private holdFragment(): void {
    if (!this.text.hasFragment) {
      this.clearHold();
      return;
    }
    if (this.config.maxBufferDelayMs === 0) {
      this.render(this.text.takeAll());
      return;
    }
    if (this.holdTimer !== undefined) return;
    this.holdTimer = this.clock.setTimeout(() => {
      this.holdTimer = undefined;
      if (this.state !== 'open') return;
      this.render(this.text.takeAll());
      this.schedulePump();
    }, this.config.maxBufferDelayMs);
  }

  private clearHold(): void {
    if (this.holdTimer === undefined) return;
    this.clock.clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
  }

  private render(words: string[]): void {
    if (words.length === 0 || this.silentFromStart) return;
    const spoken = speakWords(words, this.config.sampleRate, this.style, this.timelineSec);
    this.timelineSec += spoken.durationSec;
    const batch = ++this.batch;
    const now = this.clock.now();
    const perChunk = Math.max(1, Math.round((this.pacing.chunkMs * this.config.sampleRate) / 1000));
    let at = Math.max(this.generatorFreeAt, now);
    for (let from = 0; from < spoken.samples.length; from += perChunk) {
      const samples = spoken.samples.subarray(from, from + perChunk);
      const stepMs = (samples.length / this.config.sampleRate) * 1000 * this.pacing.realTimeFactor;
      // §4 item 8: the context's first chunk costs the start-up latency, later ones their step time.
      at = this.generating ? at + stepMs : now + this.pacing.timeToFirstAudioMs;
      this.generating = true;
      const audio = encodeSamples(samples, this.config.encoding);
      this.outbox.push({ kind: 'chunk', audio, stepMs, flushId: this.flushId, readyAt: at, batch });
    }
    this.generatorFreeAt = at;
    if (this.config.addTimestamps) {
      const { words: w, start, end } = spoken;
      this.outbox.push({
        kind: 'timestamps',
        words: w,
        start,
        end,
        flushId: this.flushId,
        readyAt: at,
        batch,
      });
    }
  }

  private enqueueMarker(item: { kind: 'flush_done'; flushId: number } | { kind: 'done' }): void {
    if (this.silentFromStart) return;
    const readyAt = Math.max(this.generatorFreeAt, this.clock.now());
    this.outbox.push({ ...item, readyAt, batch: this.batch });
  }

  private schedulePump(): void {
    if (this.pumpTimer !== undefined || this.state === 'ended') return;
    const next = this.outbox[0];
    if (!next) return;
    const delay = Math.max(0, next.readyAt - this.clock.now());
    this.pumpTimer = this.clock.setTimeout(() => {
      this.pumpTimer = undefined;
      this.pump();
    }, delay);
  }

  private pump(): void {
    const now = this.clock.now();
    while (this.state !== 'ended') {
      const item = this.outbox[0];
      if (!item || item.readyAt > now) break;
      this.outbox.shift();
      if (!this.emit(item)) return;
    }
    if (this.state === 'cancelled' && this.outbox.length === 0) {
      this.end('cancelled');
      return;
    }
    this.schedulePump();
  }

  /** The `stall` fault without `afterChunks`: nothing is ever generated. */
  private get silentFromStart(): boolean {
    return this.fault?.kind === 'stall' && this.fault.afterChunks === undefined;
  }

  /** Sends one item, applying this context's fault first. Returns false once the context is over. */
  private emit(item: OutItem): boolean {
    const f = this.fault;
    // A stall mid-reply: past `afterChunks`, everything is swallowed and the context stays open.
    if (f?.kind === 'stall' && f.afterChunks !== undefined && this.chunksSent >= f.afterChunks) return true;
    if (f && f.kind !== 'stall' && this.state === 'open') {
      // Never later than just before `done`, so a fault always lands mid-context.
      const due = this.chunksSent >= (f.afterChunks ?? (f.kind === 'drop' ? 1 : 0)) || item.kind === 'done';
      if (due && f.kind === 'error') {
        const message = f.message ?? `Simulated failure (status ${f.status})`;
        this.fail({ status: f.status, title: 'Simulated error', message, code: 'simulated_fault' });
        return false;
      }
      if (due && f.kind === 'drop') {
        this.end('dropped');
        this.sink.drop();
        return false;
      }
    }
    switch (item.kind) {
      case 'chunk':
        this.sink.send(chunkMessage(this.id, item.audio, item.stepMs, item.flushId));
        this.chunksSent++;
        this.streamingBatch = item.batch;
        if (this.state === 'cancelled') this.sink.lateChunk?.();
        return true;
      case 'timestamps':
        this.sink.send(timestampsMessage(this.id, item.flushId, item.words, item.start, item.end));
        return true;
      case 'flush_done':
        this.sink.send(flushDoneMessage(this.id, item.flushId));
        return true;
      case 'done':
        this.sink.send(doneMessage(this.id));
        this.end('done');
        return false;
    }
  }

  private end(how: ContextEnd): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.outbox = [];
    this.clearHold();
    if (this.pumpTimer !== undefined) this.clock.clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    this.sink.ended(how);
  }
}
