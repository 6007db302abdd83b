import { type RawData, WebSocket } from 'ws';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';
import { AudioDecoder } from './audio-decoder.js';
import { injectDrop } from './drop.js';
import { DEFAULT_ENDPOINTER, EnergyEndpointer } from './endpointer.js';
import { FluxMessages, parseFluxControl } from './flux-messages.js';
import type { FluxQuery } from './flux-query.js';
import { FluxTurnDetector, type FluxTurnEvent } from './flux-turns.js';
import type { DeepgramSimKnobs } from './options.js';
import { OrderedSender } from './ordered-sender.js';
import { CLOSE_INTERNAL_ERROR, NET_0001_REASON } from './protocol.js';
import type { ScriptCursor } from './script-cursors.js';
import type { DeepgramSimStats } from './session.js';
import { WindowRms } from './window-rms.js';

export interface FluxSessionDeps {
  ws: WebSocket;
  query: FluxQuery;
  requestId: string;
  cursor: ScriptCursor;
  knobs: DeepgramSimKnobs;
  clock: Clock;
  log: Logger;
  stats: DeepgramSimStats;
  takeDrop: () => boolean;
  onEnd: (finished: boolean) => void;
}

/** Close code for a client message the server cannot parse (the real code is not recorded). */
const CLOSE_POLICY = 1008;
/** A comma's pause in the simulator's clips is 150-250 ms; gaps between words are under 100 ms. */
const PHRASE_PAUSE_MS = 120;
/** §5 Flux item 2. */
const UPDATE_EVERY_MS = 250;

/**
 * One /v2/listen (Flux) stream. Like the v1 session it reacts only to the audio it receives (byte
 * clock, the same energy detector); turns, their transcripts and end-of-turn confidence come from
 * FluxTurnDetector, with the script cursor standing in for recognition (the Nth segment says part N).
 */
export class FluxSession {
  private readonly decoder: AudioDecoder;
  private readonly windows: WindowRms;
  private readonly endpointer: EnergyEndpointer;
  private readonly detector: FluxTurnDetector;
  private readonly messages: FluxMessages;
  private readonly sender: OrderedSender;
  private keyterms: string[];
  private languageHints: string[];
  private idleTimer: unknown;
  private turnsEnded = 0;
  private partsCounted = 0;
  private closeStreamReceived = false;
  private dropped = false;
  private ended = false;

  constructor(private readonly deps: FluxSessionDeps) {
    const { query, knobs } = deps;
    this.decoder = new AudioDecoder(query.encoding, query.sampleRate, 1);
    const windowSamples = Math.round((query.sampleRate * DEFAULT_ENDPOINTER.windowMs) / 1000);
    this.windows = new WindowRms(windowSamples);
    this.endpointer = new EnergyEndpointer({
      ...DEFAULT_ENDPOINTER,
      thresholdRms: knobs.energyThreshold,
      minSpeechMs: knobs.minSpeechMs,
      endpointingMs: knobs.fluxSegmentGapMs,
    });
    this.detector = new FluxTurnDetector(
      {
        windowMs: (windowSamples / query.sampleRate) * 1000,
        minSpeechMs: knobs.minSpeechMs,
        phrasePauseMs: PHRASE_PAUSE_MS,
        updateEveryMs: UPDATE_EVERY_MS,
        wordsPerSec: knobs.wordsPerSec,
        eagerEotThreshold: query.eagerEotThreshold,
        eotThreshold: query.eotThreshold,
        eotTimeoutMs: query.eotTimeoutMs,
        confidence: { settleMs: knobs.fluxSettleMs, giveUpMs: knobs.fluxGiveUpMs },
      },
      () => deps.cursor.take(),
      knobs.unscriptedText,
    );
    this.messages = new FluxMessages(deps.requestId, query.model === 'flux-general-multi');
    this.sender = new OrderedSender(deps.clock);
    this.keyterms = query.keyterms;
    this.languageHints = query.languageHints;
  }

  start(): void {
    const { ws } = this.deps;
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    // The Node SDK's keep-alive is a WebSocket ping (there is no KeepAlive message on v2).
    ws.on('ping', () => {
      this.deps.stats.keepAlives++;
      this.armIdleTimer();
    });
    ws.on('close', () => this.onClosed());
    ws.on('error', (err) => this.deps.log.debug({ err }, 'deepgram sim: socket error'));
    this.send(this.messages.connected());
    this.armIdleTimer();
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.ended) return;
    this.armIdleTimer();
    if (isBinary) {
      const chunk = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      this.onAudio(chunk);
      return;
    }
    const parsed = parseFluxControl(data.toString());
    if (!parsed.ok) {
      this.deps.stats.badMessages++;
      this.deps.log.warn({ reason: parsed.reason }, 'deepgram sim: bad v2 client message');
      if (parsed.configure) {
        this.send(this.messages.configureFailure());
        return;
      }
      // §3b: an unreadable client message is fatal on v2.
      this.send(this.messages.error('UNPARSABLE_CLIENT_MESSAGE', parsed.reason));
      this.sender.schedule(() => this.closeSocket(CLOSE_POLICY, 'unparsable client message'));
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'CloseStream':
        this.closeStream();
        return;
      case 'ForceEndTurn':
        this.emit(this.detector.forceEnd());
        return;
      case 'Configure': {
        const t = message.thresholds;
        this.detector.setThresholds({
          ...(t?.eager_eot_threshold !== undefined ? { eagerEotThreshold: t.eager_eot_threshold } : {}),
          ...(t?.eot_threshold !== undefined ? { eotThreshold: t.eot_threshold } : {}),
          ...(t?.eot_timeout_ms !== undefined ? { eotTimeoutMs: t.eot_timeout_ms } : {}),
        });
        this.keyterms = message.keyterms ?? this.keyterms;
        this.languageHints = message.language_hints ?? this.languageHints;
        this.send(
          this.messages.configureSuccess(this.detector.thresholds, this.keyterms, this.languageHints),
        );
        return;
      }
    }
  }

  private onAudio(chunk: Buffer): void {
    if (this.closeStreamReceived) return;
    this.deps.stats.audioBytes += chunk.length;
    for (const rms of this.windows.push(this.decoder.push(chunk))) {
      const segment = this.endpointer.push(rms);
      this.emit(this.detector.push(this.endpointer.voiced, segment));
      if (this.ended || this.dropped) return;
    }
    if (this.decoder.audioSeconds >= this.deps.knobs.dropAfterAudioSec) this.dropIfBudgetAllows();
  }

  private emit(events: readonly FluxTurnEvent[]): void {
    const { knobs, stats } = this.deps;
    stats.segments += this.detector.partsTaken - this.partsCounted;
    this.partsCounted = this.detector.partsTaken;
    for (const e of events) {
      // The model's decisions take `finalDelayMs` to come out, like a v1 final.
      const decision = e.event === 'EagerEndOfTurn' || e.event === 'EndOfTurn';
      this.send(this.messages.turnInfo(e), decision ? knobs.finalDelayMs : 0);
      if (e.event !== 'EndOfTurn') continue;
      this.turnsEnded++;
      if (this.turnsEnded >= knobs.dropAfterSegments) this.sender.schedule(() => this.dropIfBudgetAllows());
    }
  }

  /** §5 Flux item 5: the outstanding Update, then a close without a status code (1005 at the client). */
  private closeStream(): void {
    if (this.closeStreamReceived) return;
    this.closeStreamReceived = true;
    this.deps.stats.closeStreams++;
    for (const e of this.detector.flush()) this.send(this.messages.turnInfo(e));
    this.sender.schedule(() => {
      const { ws } = this.deps;
      if (ws.readyState === WebSocket.OPEN) ws.close();
    });
  }

  private send(message: Record<string, unknown>, delayMs = 0): void {
    const text = JSON.stringify(message);
    this.sender.schedule(() => {
      const { ws } = this.deps;
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
    }, delayMs);
  }

  private dropIfBudgetAllows(): void {
    if (this.dropped || this.ended || !this.deps.takeDrop()) return;
    this.dropped = true;
    this.deps.stats.drops++;
    this.deps.log.info({ requestId: this.deps.requestId }, 'deepgram sim: injected drop');
    this.sender.cancel();
    injectDrop(this.deps.ws, this.deps.knobs.dropKind);
  }

  /** §5 Flux item 7 (UNVERIFIED): the v1 idle rule, NET-0001 after `idleTimeoutMs` without a frame. */
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
