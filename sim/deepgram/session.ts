import { createHash } from 'node:crypto';
import { type RawData, WebSocket } from 'ws';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';
import type { CallerLine } from '../caller/script.js';
import { AudioDecoder } from './audio-decoder.js';
import { parseControlMessage } from './control-message.js';
import { DEFAULT_ENDPOINTER, EnergyEndpointer } from './endpointer.js';
import { HeardWords, PHRASE_PAUSE_SEC } from './heard-words.js';
import {
  metadataMessage,
  resultsMessage,
  type StreamContext,
  speechStartedMessage,
  utteranceEndMessage,
} from './messages.js';
import type { DeepgramSimKnobs } from './options.js';
import { OrderedSender } from './ordered-sender.js';
import { CLOSE_INTERNAL_ERROR, CLOSE_NORMAL, NET_0000_REASON, NET_0001_REASON } from './protocol.js';
import type { ListenQuery } from './query.js';
import type { ScriptCursor } from './script-cursors.js';
import { WindowRms } from './window-rms.js';
import { layoutWords, type TimedWord } from './words.js';

/** Counters the whole simulator shares; sessions only increment them. */
export interface DeepgramSimStats {
  handshakesRejected: number;
  streamsOpened: number;
  streamsActive: number;
  segments: number;
  audioBytes: number;
  keepAlives: number;
  finalizes: number;
  closeStreams: number;
  badMessages: number;
  idleTimeouts: number;
  drops: number;
  /** POST /v1/listen requests (pre-recorded). */
  prerecordedRequests: number;
}

export interface ListenSessionDeps {
  ws: WebSocket;
  query: ListenQuery;
  requestId: string;
  cursor: ScriptCursor;
  knobs: DeepgramSimKnobs;
  clock: Clock;
  log: Logger;
  stats: DeepgramSimStats;
  /** Asks the simulator-wide budget for one injected drop; false once `maxDrops` is spent. */
  takeDrop: () => boolean;
  /** `finished`: the client ended the stream with CloseStream. */
  onEnd: (finished: boolean) => void;
}

/** The segment the endpointer is inside; it took its script line when speech was confirmed. */
interface OpenSegment {
  line: CallerLine | undefined;
  /** ISO 639-1 code, reported only on multilingual streams. */
  language: string;
  words: HeardWords;
  onsetSec: number;
  nextInterimSec: number;
  /** The last pause in the caller's voice already re-reported with an interim (its start, in seconds). */
  pauseReportedSec?: number;
  /** A Finalize already delivered its words; the endpoint will close it with an empty final. */
  flushed: boolean;
}

/**
 * One /v1/listen stream. Reacts only to the audio it receives (byte clock, energy endpointer); the only
 * side channel is the script cursor that stands in for recognition (the Nth segment says line N).
 */
export class ListenSession {
  private readonly decoder: AudioDecoder;
  private readonly windows: WindowRms;
  private readonly endpointer: EnergyEndpointer;
  private readonly windowSec: number;
  private readonly sender: OrderedSender;
  private readonly ctx: StreamContext;
  private readonly hash = createHash('sha256');
  private readonly created = new Date();
  private idleTimer: unknown;
  private finalizedUntilSec = 0;
  private segment: OpenSegment | undefined;
  private segmentsFinished = 0;
  private lastWordEndSec = 0;
  /** Words were reported since the last UtteranceEnd (a final re-reporting them does not reopen it). */
  private utteranceOpen = false;
  private lastUtteranceEndAtSec = -1;
  private closeStreamReceived = false;
  private stalled = false;
  private dropped = false;
  private ended = false;

  constructor(private readonly deps: ListenSessionDeps) {
    const { query, knobs } = deps;
    this.decoder = new AudioDecoder(query.encoding, query.sampleRate, query.channels);
    const windowSamples = Math.round((query.sampleRate * DEFAULT_ENDPOINTER.windowMs) / 1000);
    this.windowSec = windowSamples / query.sampleRate;
    this.windows = new WindowRms(windowSamples);
    this.endpointer = new EnergyEndpointer({
      ...DEFAULT_ENDPOINTER,
      thresholdRms: knobs.energyThreshold,
      minSpeechMs: knobs.minSpeechMs,
      endpointingMs: query.endpointingMs === false ? knobs.gapWithoutEndpointingMs : query.endpointingMs,
    });
    this.sender = new OrderedSender(deps.clock);
    this.ctx = {
      requestId: deps.requestId,
      model: query.model,
      channels: query.channels,
      punctuated: query.punctuate || query.smartFormat,
      multilingual: query.language === 'multi',
    };
  }

  start(): void {
    const { ws } = this.deps;
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('close', () => this.onClosed());
    ws.on('error', (err) => this.deps.log.debug({ err }, 'deepgram sim: socket error'));
    this.armIdleTimer();
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.ended) return;
    if (isBinary) {
      this.armIdleTimer();
      const chunk = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      // docs/protocols/deepgram-live.md §3a: a zero-length binary frame is the deprecated way to end a
      // stream.
      if (chunk.length === 0) this.closeStream();
      else this.onAudio(chunk);
      return;
    }
    const parsed = parseControlMessage(data.toString());
    if (!parsed.ok) {
      this.deps.stats.badMessages++;
      this.deps.log.warn(
        { requestId: this.deps.requestId, reason: parsed.reason },
        'deepgram sim: ignored text frame',
      );
      this.armIdleTimer();
      return;
    }
    switch (parsed.message.type) {
      case 'KeepAlive':
        this.deps.stats.keepAlives++;
        if (this.decoder.bytesReceived > 0 || this.deps.knobs.keepAliveBeforeAudio) this.armIdleTimer();
        return;
      case 'Finalize':
        this.armIdleTimer();
        this.finalize();
        return;
      case 'CloseStream':
        this.armIdleTimer();
        this.closeStream();
        return;
    }
  }

  private onAudio(chunk: Buffer): void {
    if (this.closeStreamReceived) return; // §3a: nothing after CloseStream is transcribed
    this.deps.stats.audioBytes += chunk.length;
    this.hash.update(chunk);
    for (const rms of this.windows.push(this.decoder.push(chunk))) {
      this.onWindow(rms);
      if (this.ended || this.dropped) return;
    }
    const { knobs } = this.deps;
    if (this.decoder.audioSeconds >= knobs.dropAfterAudioSec) this.dropIfBudgetAllows();
  }

  private get nowSec(): number {
    return this.endpointer.now * this.windowSec;
  }

  private onWindow(rms: number): void {
    const event = this.endpointer.push(rms);
    if (event?.type === 'speech-start') this.openSegment(event.onset * this.windowSec);
    if (event?.type === 'speech-end') {
      this.closeSegment(event.offset * this.windowSec, this.deps.query.endpointingMs !== false);
    }
    this.maybeInterim();
    this.maybeUtteranceEnd();
    this.maybeSilenceFinal();
  }

  private openSegment(onsetSec: number): void {
    this.deps.stats.segments++;
    const line = this.deps.cursor.take();
    this.segment = {
      line,
      language: (line && 'lang' in line ? line.lang : undefined) ?? 'en',
      words: new HeardWords(line, this.deps.knobs.unscriptedText, onsetSec),
      onsetSec,
      nextInterimSec: onsetSec + this.deps.knobs.interimEveryMs / 1000,
      flushed: false,
    };
    // §5 item 5: SpeechStarted precedes the first interim of the utterance.
    if (this.deps.query.vadEvents) this.send(speechStartedMessage(this.ctx, onsetSec));
  }

  private closeSegment(offsetSec: number, speechFinal: boolean): void {
    const segment = this.segment;
    if (!segment) return;
    this.segment = undefined;
    const words = segment.flushed ? [] : layoutWords(segment.words.written, segment.onsetSec, offsetSec);
    this.emitFinal(words, segment, { speechFinal, fromFinalize: false });
    this.afterSegment();
  }

  /** §5 item 2: interims re-report the open segment with a transcript that grows with the speech heard. */
  private maybeInterim(): void {
    const segment = this.segment;
    if (!this.deps.query.interimResults || !segment || segment.flushed || !this.endpointer.inSpeech) return;
    const now = this.nowSec;
    // A recogniser reports what it has when the voice pauses, not only on its cadence: once per pause,
    // and a pause ends the phrase being said, so it is heard whole.
    const pauseStart = this.lastVoicedSec;
    const pauseBegan = now - pauseStart >= PHRASE_PAUSE_SEC && segment.pauseReportedSec !== pauseStart;
    if (now < segment.nextInterimSec && !pauseBegan) return;
    if (pauseBegan) {
      segment.pauseReportedSec = pauseStart;
      segment.words.pause(now);
    }
    segment.nextInterimSec = now + this.deps.knobs.interimEveryMs / 1000;
    const heard = segment.words.heard({
      pausing: false,
      voicedUntilSec: this.lastVoicedSec,
      wordsPerSec: this.deps.knobs.wordsPerSec,
    });
    const prefix = heard.length ? heard : segment.words.written.slice(0, 1);
    const words = layoutWords(prefix, segment.onsetSec, this.lastVoicedSec);
    this.noteWords(words, segment.onsetSec);
    this.send(
      resultsMessage(this.ctx, {
        start: this.finalizedUntilSec,
        duration: now - this.finalizedUntilSec,
        isFinal: false,
        speechFinal: false,
        fromFinalize: false,
        words,
        language: segment.language,
      }),
    );
  }

  /** §5 item 4: after a word gap of utterance_end_ms (needs interim_results), once per last word. */
  private maybeUtteranceEnd(): void {
    const { query } = this.deps;
    if (!query.interimResults || query.utteranceEndMs === undefined) return;
    if (!this.utteranceOpen) return;
    const now = this.nowSec;
    if (now - Math.max(this.lastWordEndSec, this.lastVoicedSec) < query.utteranceEndMs / 1000) return;
    this.utteranceOpen = false;
    this.lastUtteranceEndAtSec = now;
    this.send(utteranceEndMessage(this.ctx, this.lastWordEndSec));
  }

  /** §5 item 3: long silence still yields (empty) finals, so the timeline keeps tiling. */
  private maybeSilenceFinal(): void {
    const every = this.deps.knobs.silenceFinalEveryMs;
    if (every <= 0 || this.segment || this.endpointer.inSpeech) return;
    if (this.nowSec - this.finalizedUntilSec < every / 1000) return;
    this.emitFinal([], undefined, { speechFinal: false, fromFinalize: false });
  }

  /** §5 item 6: what is buffered becomes final now, with from_finalize; the stream stays open. */
  private finalize(): void {
    this.deps.stats.finalizes++;
    const segment = this.segment;
    if (segment && !segment.flushed) {
      segment.flushed = true;
      // The sim cannot tell how much of the line was said; Finalize normally follows the caller's last word.
      const words = layoutWords(
        segment.words.written,
        segment.onsetSec,
        Math.max(segment.onsetSec, this.lastVoicedSec),
      );
      this.emitFinal(words, segment, { speechFinal: false, fromFinalize: true });
    } else if (this.nowSec > this.finalizedUntilSec) {
      this.emitFinal([], undefined, { speechFinal: false, fromFinalize: true });
    }
  }

  /** §5 item 7: remaining finals, then Metadata, then a normal close. */
  private closeStream(): void {
    if (this.closeStreamReceived) return;
    this.closeStreamReceived = true;
    this.deps.stats.closeStreams++;
    const segment = this.segment;
    if (segment) {
      this.segment = undefined;
      const words = segment.flushed
        ? []
        : layoutWords(segment.words.written, segment.onsetSec, this.lastVoicedSec);
      this.emitFinal(words, segment, { speechFinal: false, fromFinalize: false });
      this.afterSegment();
    }
    const metadata = metadataMessage(this.ctx, {
      sha256: this.hash.digest('hex'),
      created: this.created,
      durationSec: this.decoder.audioSeconds,
      receivedAudio: this.decoder.bytesReceived > 0,
    });
    this.send(metadata);
    this.sender.schedule(() => {
      if (!this.stalled) this.closeSocket(CLOSE_NORMAL, '');
    });
  }

  private emitFinal(
    words: readonly TimedWord[],
    segment: OpenSegment | undefined,
    flags: { speechFinal: boolean; fromFinalize: boolean },
  ): void {
    const now = this.nowSec;
    const start = this.finalizedUntilSec;
    this.finalizedUntilSec = now;
    if (segment) this.noteWords(words, segment.onsetSec);
    const message = resultsMessage(this.ctx, {
      start,
      duration: now - start,
      isFinal: true,
      ...flags,
      words,
      language: segment?.language ?? 'en',
    });
    this.send(message, this.deps.knobs.finalDelayMs);
  }

  private afterSegment(): void {
    this.segmentsFinished++;
    const { knobs } = this.deps;
    if (this.segmentsFinished >= knobs.stallAfterSegments) {
      // Let the final already decided go out, then fall silent.
      this.sender.schedule(() => {
        this.stalled = true;
      });
    }
    if (this.segmentsFinished >= knobs.dropAfterSegments)
      this.sender.schedule(() => this.dropIfBudgetAllows());
  }

  private noteWords(words: readonly TimedWord[], segmentOnsetSec: number): void {
    const last = words[words.length - 1];
    if (!last) return;
    this.lastWordEndSec = last.end;
    if (segmentOnsetSec >= this.lastUtteranceEndAtSec) this.utteranceOpen = true;
  }

  private get lastVoicedSec(): number {
    return this.endpointer.lastVoicedBoundary * this.windowSec;
  }

  private send(message: Record<string, unknown>, delayMs = 0): void {
    const text = JSON.stringify(message);
    this.sender.schedule(() => {
      const { ws } = this.deps;
      if (!this.stalled && ws.readyState === WebSocket.OPEN) ws.send(text);
    }, delayMs);
  }

  private dropIfBudgetAllows(): void {
    if (this.dropped || this.ended || !this.deps.takeDrop()) return;
    this.dropped = true;
    this.deps.stats.drops++;
    this.deps.log.info({ requestId: this.deps.requestId }, 'deepgram sim: injected drop');
    this.sender.cancel();
    this.closeSocket(CLOSE_INTERNAL_ERROR, NET_0000_REASON);
  }

  private armIdleTimer(): void {
    const { clock, knobs } = this.deps;
    if (this.idleTimer !== undefined) clock.clearTimeout(this.idleTimer);
    this.idleTimer = clock.setTimeout(() => {
      this.deps.stats.idleTimeouts++;
      this.sender.cancel();
      this.closeSocket(CLOSE_INTERNAL_ERROR, NET_0001_REASON);
    }, knobs.idleTimeoutMs);
  }

  private closeSocket(code: number, reason: string): void {
    const { ws } = this.deps;
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason);
  }

  private onClosed(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.idleTimer !== undefined) this.deps.clock.clearTimeout(this.idleTimer);
    this.sender.cancel();
    this.deps.onEnd(this.closeStreamReceived);
  }
}
