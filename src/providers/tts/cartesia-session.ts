import { randomUUID } from 'node:crypto';
import type { ClientOptions, WebSocket } from 'ws';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { CartesiaTtsContext, type ContextHost } from './cartesia-context.js';
import { CartesiaTtsError } from './cartesia-error.js';
import {
  type CartesiaClient,
  type Emotion,
  type GenerationConfig,
  TTSWS,
  type TtsContextOptions,
  type TtsSocket,
} from './cartesia-sdk.js';
import type { TtsContext, TtsEvent, TtsSession, TtsSessionOptions, TtsVoice } from './types.js';

const WS_OPEN = 1;
const WS_CLOSED = 3;
/** How long close() waits for the server's close frame before tearing the socket down. */
const CLOSE_GRACE_MS = 1000;
/**
 * After every redial failed, how long new contexts fail at once instead of redialling again: the
 * retry of the same reply would otherwise wait out the whole redial ladder a second time while the
 * caller hears nothing, when the cached apology could play.
 */
const REDIAL_AGAIN_AFTER_MS = 3000;

export interface SessionSettings {
  client: CartesiaClient;
  socketOptions: ClientOptions;
  format: TtsSessionOptions;
  maxBufferDelayMs: number;
  /** Wait before each redial when a socket cannot be opened; its length is the number of redials. */
  redialDelaysMs: readonly number[];
  clock: Clock;
  log: Logger;
}

/** The `ws` socket under the SDK's wrapper (on Node it is always a `ws` WebSocket). */
function rawSocket(socket: TtsSocket): WebSocket {
  return socket.socket as unknown as WebSocket;
}

/**
 * One call's Cartesia WebSocket, shared by all its replies (contexts). Owns reconnection: the SDK's own
 * silent reopen-on-send (docs/protocols/cartesia-tts.md §7) would drop every context's queue without a word,
 * so this session never lets the SDK send on a socket that is not open. Instead, a context whose first input
 * finds the socket gone opens a fresh one (bounded redials, shared by every context waiting); contexts that
 * were mid-reply on the lost socket get an `error` event (the reply says the rest on a fresh context).
 * The first open redials the same way; only when every redial fails does it reject.
 */
export class CartesiaTtsSession implements TtsSession {
  private socket!: TtsSocket;
  private reconnecting: Promise<TtsSocket> | undefined;
  /** The last redial ladder that failed, while new contexts should not start another one. */
  private redialFailed: { at: number; error: unknown } | undefined;
  private closed = false;
  private readonly contexts = new Map<string, CartesiaTtsContext>();
  private readonly host: ContextHost;

  private constructor(private readonly settings: SessionSettings) {
    this.host = {
      connected: () => this.connected(),
      isOpen: (socket) => rawSocket(socket).readyState === WS_OPEN,
      forget: (id) => this.contexts.delete(id),
      clock: settings.clock,
      log: settings.log,
    };
  }

  static async open(settings: SessionSettings): Promise<CartesiaTtsSession> {
    const session = new CartesiaTtsSession(settings);
    session.socket = await session.openWithRedials();
    return session;
  }

  get isOpen(): boolean {
    return !this.closed && rawSocket(this.socket).readyState === WS_OPEN;
  }

  context(voice: TtsVoice, onEvent: (e: TtsEvent) => void): TtsContext {
    const ctx = new CartesiaTtsContext(
      randomUUID(),
      this.host,
      this.contextOptions(voice),
      generationConfigOf(voice),
      onEvent,
    );
    this.contexts.set(ctx.id, ctx);
    return ctx;
  }

  synthesize(text: string, voice: TtsVoice): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      const ctx = this.context(voice, (e) => {
        if (e.type === 'audio') parts.push(e.audio);
        else if (e.type === 'done') resolve(Buffer.concat(parts));
        else if (e.type === 'error') reject(e.error);
      });
      ctx.push(text);
      ctx.finish();
    });
  }

  recycle(reason: string): void {
    if (this.closed || !this.host.isOpen(this.socket)) return;
    this.settings.log.warn({ reason }, 'cartesia: socket stalled; dropping it for a fresh one');
    // Not a graceful close: a stalled peer would not answer the close frame either.
    rawSocket(this.socket).terminate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const ctx of this.contexts.values()) ctx.abandon();
    this.contexts.clear();
    await closeSocket(this.socket, this.settings.clock);
  }

  private contextOptions(voice: TtsVoice): Omit<TtsContextOptions, 'contextId' | 'timeout'> {
    const { format, maxBufferDelayMs } = this.settings;
    return {
      model_id: format.modelId,
      voice: { mode: 'id', id: voice.voiceId },
      output_format: {
        container: 'raw',
        encoding: format.encoding,
        sample_rate: format.sampleRate as TtsContextOptions['output_format']['sample_rate'],
      },
      language: voice.language,
      max_buffer_delay_ms: maxBufferDelayMs,
      ...(format.wordTimestamps ? { add_timestamps: true } : {}),
    };
  }

  private connected(): Promise<TtsSocket> {
    if (this.closed) return Promise.reject(new CartesiaTtsError('TTS session is closed'));
    if (this.host.isOpen(this.socket)) return Promise.resolve(this.socket);
    const { clock } = this.settings;
    if (this.redialFailed && clock.now() - this.redialFailed.at < REDIAL_AGAIN_AFTER_MS) {
      return Promise.reject(this.redialFailed.error);
    }
    if (!this.reconnecting) {
      this.settings.log.info('cartesia: socket gone, reconnecting for a new reply');
      this.reconnecting = this.openWithRedials()
        .then(async (socket) => {
          if (this.closed) {
            await closeSocket(socket, this.settings.clock);
            throw new CartesiaTtsError('TTS session is closed');
          }
          this.socket = socket;
          this.redialFailed = undefined;
          return socket;
        })
        .catch((err: unknown) => {
          this.redialFailed = { at: clock.now(), error: err };
          throw err;
        })
        .finally(() => {
          this.reconnecting = undefined;
        });
    }
    return this.reconnecting;
  }

  /** Opens a socket, redialling after each failure as `redialDelaysMs` allows; rejects with the last failure. */
  private async openWithRedials(): Promise<TtsSocket> {
    const { redialDelaysMs, clock, log } = this.settings;
    for (let attempt = 0; ; attempt++) {
      try {
        const socket = await this.openSocket();
        if (attempt > 0) log.info({ attempt }, 'cartesia: socket reopened');
        return socket;
      } catch (err) {
        const delay = redialDelaysMs[attempt];
        if (delay === undefined || this.closed) throw err;
        log.warn(
          { attempt: attempt + 1, err: (err as Error).message },
          'cartesia: connect failed; redialling',
        );
        await new Promise<void>((resolve) => clock.setTimeout(resolve, delay));
      }
    }
  }

  /**
   * Builds the SDK socket by hand rather than with `client.tts.websocket()`: that helper gives no
   * chance to add an `error` listener before connecting, and a refused connection then becomes an
   * unhandled rejection (§7 "Unhandled errors"; measured: ECONNREFUSED crashes the process).
   */
  private async openSocket(): Promise<TtsSocket> {
    const socket = new TTSWS(this.settings.client, this.settings.socketOptions);
    socket.on('error', (err) => {
      // An error message naming a context also reaches that context through receive(): log it
      // quietly. One naming no context, or a transport error, has no other outlet.
      if (err.error?.context_id) this.settings.log.debug({ error: err.error }, 'cartesia: context error');
      else this.settings.log.warn({ err: err.message, error: err.error }, 'cartesia: socket error');
    });
    rawSocket(socket).on('close', (code: number) => this.socketClosed(socket, code));
    try {
      await socket.connect();
    } catch (err) {
      const detail =
        err instanceof Error ? err.message : ((err as { message?: string })?.message ?? String(err));
      throw new CartesiaTtsError(`Cartesia WebSocket connect failed: ${detail}`);
    }
    return socket;
  }

  private socketClosed(socket: TtsSocket, code: number): void {
    if (this.closed) return;
    this.settings.log.warn({ code }, 'cartesia: socket closed');
    const reason = `Cartesia socket closed mid-reply (code ${code})`;
    for (const ctx of [...this.contexts.values()]) ctx.socketLost(socket, reason);
  }
}

/** Sonic-3 controls (§6): only what the voice sets, so the service defaults stay in charge. */
export function generationConfigOf(voice: TtsVoice): GenerationConfig | undefined {
  if (voice.speed === undefined && voice.emotion === undefined) return undefined;
  return {
    ...(voice.speed === undefined ? {} : { speed: voice.speed }),
    ...(voice.emotion === undefined ? {} : { emotion: voice.emotion as Emotion }),
  };
}

async function closeSocket(socket: TtsSocket, clock: Clock): Promise<void> {
  const raw = rawSocket(socket);
  if (raw.readyState === WS_CLOSED) return;
  await new Promise<void>((resolve) => {
    const grace = clock.setTimeout(() => raw.terminate(), CLOSE_GRACE_MS);
    raw.once('close', () => {
      clock.clearTimeout(grace);
      resolve();
    });
    socket.close();
  });
}
