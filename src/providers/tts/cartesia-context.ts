import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { CartesiaTtsError } from './cartesia-error.js';
import type {
  GenerationConfig,
  TtsContextOptions,
  TtsSocket,
  TtsSocketContext,
  WebsocketResponse,
} from './cartesia-sdk.js';
import type { TtsContext, TtsEvent } from './types.js';

/** What a context needs from its session. */
export interface ContextHost {
  /** An open SDK socket; reconnects once if the current one is gone, rejects if that fails. */
  connected(): Promise<TtsSocket>;
  isOpen(socket: TtsSocket): boolean;
  /** The context is over; the session stops tracking it. */
  forget(id: string): void;
  readonly clock: Clock;
  readonly log: Logger;
}

type Phase = 'streaming' | 'finishing' | 'ended';

/**
 * One reply on the shared socket. Text goes out with `continue:true` through the SDK's `ctx.push`, `finish()`
 * is `ctx.no_more_inputs()`, and events come from `ctx.receive()`: the SDK routes each server message to its
 * context's queue, and `ctx.cancel()` removes that queue, so late chunks of a cancelled context
 * (docs/protocols/cartesia-tts.md §2b) never reach us. A `phase` guard also drops anything already in flight
 * between the queue and the callback.
 */
export class CartesiaTtsContext implements TtsContext {
  private phase: Phase = 'streaming';
  private bound?: { socket: TtsSocket; ctx: TtsSocketContext };
  /** SDK sends are async; chaining keeps one context's inputs in order, even across a reconnect. */
  private sends: Promise<void> = Promise.resolve();
  private firstPushAt?: number;
  private heardAudio = false;

  constructor(
    readonly id: string,
    private readonly host: ContextHost,
    private readonly options: Omit<TtsContextOptions, 'contextId' | 'timeout'>,
    private readonly generationConfig: GenerationConfig | undefined,
    private readonly onEvent: (e: TtsEvent) => void,
  ) {}

  push(text: string): void {
    if (this.phase !== 'streaming') return;
    this.firstPushAt ??= this.host.clock.now();
    const generation_config = this.generationConfig;
    this.send((ctx) =>
      ctx.push(generation_config ? { transcript: text, generation_config } : { transcript: text }),
    );
  }

  finish(): void {
    if (this.phase !== 'streaming') return;
    this.phase = 'finishing';
    this.firstPushAt ??= this.host.clock.now();
    this.send((ctx) => ctx.no_more_inputs());
  }

  cancel(): void {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    this.host.forget(this.id);
    const bound = this.bound;
    if (!bound) return; // nothing reached the service yet
    // ctx.cancel() would reopen a closed socket through the SDK's send (§7 "Reconnect"): only when open.
    if (this.host.isOpen(bound.socket)) void bound.ctx.cancel();
    else bound.socket._unregisterContext(this.id);
  }

  /** The session's socket closed under this context: its server-side state is gone. */
  socketLost(socket: TtsSocket, reason: string): void {
    if (this.bound?.socket !== socket || this.phase === 'ended') return;
    this.end({ type: 'error', error: new CartesiaTtsError(reason) });
    // Wakes the SDK's receive() so its loop ends; the SDK itself only notices on the next send.
    socket._unregisterContext(this.id);
  }

  /** The session is closing: end without events. */
  abandon(): void {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    this.bound?.socket._unregisterContext(this.id);
  }

  private send(op: (ctx: TtsSocketContext) => Promise<void>): void {
    this.sends = this.sends
      .then(async () => {
        const ctx = await this.attach();
        if (!ctx || this.phase === 'ended') return;
        // Checked in the same tick as the SDK's own readyState check, so the SDK never gets the
        // chance to reopen the socket silently and strand this context (§7 "Reconnect").
        if (!this.host.isOpen(this.bound!.socket)) {
          throw new CartesiaTtsError('Cartesia socket closed before the text was sent');
        }
        await op(ctx);
      })
      .catch((err: unknown) => {
        const error = err instanceof Error ? err : new CartesiaTtsError(String(err));
        this.end({ type: 'error', error });
      });
  }

  /** Creates the SDK context on the first send, on whichever socket is open by then. */
  private async attach(): Promise<TtsSocketContext | undefined> {
    if (this.bound) return this.bound.ctx;
    const socket = await this.host.connected();
    if (this.phase === 'ended') return undefined;
    const ctx = socket.context({ ...this.options, contextId: this.id });
    this.bound = { socket, ctx };
    void this.receive(ctx);
    return ctx;
  }

  private async receive(ctx: TtsSocketContext): Promise<void> {
    try {
      for await (const event of ctx.receive()) {
        if (this.phase === 'ended') return;
        if (this.handle(event)) return;
      }
      // receive() returns quietly when the SDK drops the queue (cancel, or its silent reconnect).
      if (this.phase !== 'ended') {
        this.end({ type: 'error', error: new CartesiaTtsError('Cartesia context ended without done') });
      }
    } catch (err) {
      if (this.phase === 'ended') return;
      const error = err instanceof Error ? err : new CartesiaTtsError(String(err));
      this.end({ type: 'error', error });
    }
  }

  /** Maps one server message to TtsEvents; returns true when the context is over. */
  private handle(event: WebsocketResponse): boolean {
    switch (event.type) {
      case 'chunk': {
        const audio = event.audio ?? Buffer.from(event.data, 'base64');
        if (audio.length === 0) return false;
        if (!this.heardAudio) {
          this.heardAudio = true;
          const ttfbMs = this.host.clock.now() - (this.firstPushAt ?? this.host.clock.now());
          this.deliver({ type: 'first-audio', ttfbMs });
        }
        // A view on the SDK's decoded bytes, no copy.
        this.deliver({ type: 'audio', audio: Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength) });
        return this.phase === 'ended'; // the callback may have cancelled us
      }
      case 'timestamps': {
        const t = event.word_timestamps;
        if (t) this.deliver({ type: 'timestamps', words: t.words, start: t.start, end: t.end });
        return this.phase === 'ended';
      }
      case 'done':
        this.end({ type: 'done' });
        return true;
      case 'error': {
        const text = `Cartesia ${event.status_code} ${event.title}: ${event.message}`;
        const error = new CartesiaTtsError(text, event.status_code, event.error_code);
        this.end({ type: 'error', error, status: event.status_code });
        return true;
      }
      default:
        return false; // flush_done, phoneme_timestamps: not used by callchart
    }
  }

  private end(event: TtsEvent): void {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    this.host.forget(this.id);
    this.deliver(event, true);
  }

  private deliver(event: TtsEvent, final = false): void {
    if (this.phase === 'ended' && !final) return;
    try {
      this.onEvent(event);
    } catch (err) {
      // A throwing listener must not stall the socket's other contexts.
      this.host.log.error({ err, contextId: this.id, event: event.type }, 'tts event listener threw');
    }
  }
}
