import { type Clock, systemClock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { Cartesia, type CartesiaClient } from './cartesia-sdk.js';
import { CartesiaTtsSession } from './cartesia-session.js';
import { socketOptionsFor } from './cartesia-socket-options.js';
import type { TtsProvider, TtsSession, TtsSessionOptions } from './types.js';

export { CartesiaTtsError } from './cartesia-error.js';

export interface CartesiaTtsConfig {
  apiKey: string;
  /**
   * `https://api.cartesia.ai`, or a simulator's `http://127.0.0.1:PORT` (plain TCP,
   * docs/protocols/cartesia-tts.md §8 work-around A).
   */
  baseURL: string;
  /**
   * §2a `max_buffer_delay_ms`. 0 (default) starts generating on every input at once: callchart
   * already sends whole phrases, and each buffered millisecond is added to time to first audio.
   */
  maxBufferDelayMs?: number;
  /** Upgrade must complete within this long (`ws` handshakeTimeout). */
  handshakeTimeoutMs?: number;
  /** Wait before each redial of a socket that cannot be opened; its length is the number of redials. */
  redialDelaysMs?: readonly number[];
  clock?: Clock;
}

/** The wait before each of `n` redials: quick first, since a caller is waiting, then at most 1 s apart. */
export function cartesiaRedialDelays(n: number): number[] {
  return Array.from({ length: n }, (_, i) => [50, 250, 600][i] ?? 1000);
}

/** §2a: the rates `output_format.sample_rate` accepts. */
const SAMPLE_RATES = new Set([8000, 16000, 22050, 24000, 44100, 48000]);

/** Cartesia Sonic over the official SDK's WebSocket: one socket per call, one context per reply. */
export class CartesiaTtsProvider implements TtsProvider {
  readonly name = 'cartesia';
  private readonly client: CartesiaClient;

  constructor(private readonly config: CartesiaTtsConfig) {
    // The SDK does not read CARTESIA_API_KEY itself (§7 "API key"): always pass it.
    this.client = new Cartesia({ apiKey: config.apiKey, baseURL: config.baseURL });
  }

  async open(options: TtsSessionOptions, log: Logger): Promise<TtsSession> {
    if (!SAMPLE_RATES.has(options.sampleRate)) {
      throw new RangeError(`Cartesia cannot produce ${options.sampleRate} Hz audio`);
    }
    return CartesiaTtsSession.open({
      client: this.client,
      socketOptions: socketOptionsFor(this.config.baseURL, this.config.handshakeTimeoutMs ?? 5000),
      format: options,
      maxBufferDelayMs: this.config.maxBufferDelayMs ?? 0,
      redialDelaysMs: this.config.redialDelaysMs ?? cartesiaRedialDelays(3),
      clock: this.config.clock ?? systemClock,
      log: log.child({ provider: 'cartesia' }),
    });
  }
}
