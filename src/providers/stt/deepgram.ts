import { DeepgramClient } from '@deepgram/sdk';
import { type Clock, systemClock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { isFluxModel, listenV2Dialect, toListenV2Query } from './deepgram-flux-dialect.js';
import { toListenV1Query } from './deepgram-query.js';
import { type DeepgramSessionTimings, DeepgramSttSession } from './deepgram-session.js';
import { listenV1Dialect } from './deepgram-v1-dialect.js';
import type { SttEvent, SttOptions, SttProvider, SttSession } from './types.js';

export interface DeepgramSttConfig {
  apiKey: string;
  /**
   * Default wss://api.deepgram.com; a simulator's ws://127.0.0.1:port works the same
   * (docs/protocols/deepgram-live.md §7).
   */
  baseUrl?: string;
  /** KeepAlive cadence while no audio flows; Deepgram recommends 3-5 s (§3a), the SDK sends none. */
  keepAliveMs?: number;
  connectTimeoutMs?: number;
  /** Bounded wait for Metadata and the close after CloseStream. */
  closeTimeoutMs?: number;
  /** Wait before each redial after a drop; its length is the number of attempts. */
  reconnectDelaysMs?: readonly number[];
  /** No message for this long while the caller speaks: the socket is redialled (0: never). */
  silentSocketMs?: number;
  /** Recent caller audio kept to be sent again after a redial (0: none). */
  replayMs?: number;
  clock?: Clock;
}

export const DEEPGRAM_DEFAULT_TIMINGS: DeepgramSessionTimings = {
  keepAliveMs: 4000,
  connectTimeoutMs: 5000,
  closeTimeoutMs: 2000,
  reconnectDelaysMs: [100, 400, 1200],
  silentSocketMs: 2000,
  replayMs: 4000,
};

/** Deepgram live STT behind the product's SttProvider interface: Nova on /v1/listen, Flux (model flux-*) on /v2/listen. */
export class DeepgramSttProvider implements SttProvider {
  readonly name = 'deepgram';
  private readonly timings: DeepgramSessionTimings;

  constructor(private readonly config: DeepgramSttConfig) {
    this.timings = {
      keepAliveMs: config.keepAliveMs ?? DEEPGRAM_DEFAULT_TIMINGS.keepAliveMs,
      connectTimeoutMs: config.connectTimeoutMs ?? DEEPGRAM_DEFAULT_TIMINGS.connectTimeoutMs,
      closeTimeoutMs: config.closeTimeoutMs ?? DEEPGRAM_DEFAULT_TIMINGS.closeTimeoutMs,
      reconnectDelaysMs: config.reconnectDelaysMs ?? DEEPGRAM_DEFAULT_TIMINGS.reconnectDelaysMs,
      silentSocketMs: config.silentSocketMs ?? DEEPGRAM_DEFAULT_TIMINGS.silentSocketMs,
      replayMs: config.replayMs ?? DEEPGRAM_DEFAULT_TIMINGS.replayMs,
    };
  }

  async open(options: SttOptions, onEvent: (e: SttEvent) => void, log: Logger): Promise<SttSession> {
    if (this.config.apiKey.trim() === '') throw new Error('Deepgram API key is empty (DEEPGRAM_API_KEY)');
    // One client per call: the SDK stamps each client's sockets with one x-deepgram-session-id (§1),
    // so a redial is recognisable as the same call, and concurrent calls never share an identity.
    const client = new DeepgramClient({
      apiKey: this.config.apiKey,
      baseUrl: this.config.baseUrl ?? 'wss://api.deepgram.com',
    });
    const session = new DeepgramSttSession({
      client,
      dialect: isFluxModel(options.model)
        ? listenV2Dialect(toListenV2Query(options))
        : listenV1Dialect(toListenV1Query(options)),
      interims: options.interimResults,
      bytesPerSec: options.sampleRate * (options.encoding === 'linear16' ? 2 : 1),
      timings: this.timings,
      clock: this.config.clock ?? systemClock,
      log: log.child({ stt: 'deepgram' }),
      onEvent,
    });
    await session.start();
    return session;
  }
}
