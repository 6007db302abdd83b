// One live Deepgram STT stream: dialling, redialling after a drop, audio out, events in, and a clean close.
import type { DeepgramClient } from '@deepgram/sdk';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import type { DeepgramSocket, ListenDialect } from './deepgram-dialect.js';
import { DeepgramKeepAlive } from './deepgram-keep-alive.js';
import type { SttEvent, SttSession } from './types.js';

/** ReconnectingWebSocket.ReadyState.OPEN in the SDK. */
const SOCKET_OPEN = 1;

export interface DeepgramSessionTimings {
  keepAliveMs: number;
  connectTimeoutMs: number;
  closeTimeoutMs: number;
  /** One entry per redial attempt: how long to wait before it. */
  reconnectDelaysMs: readonly number[];
}

export interface DeepgramSessionDeps {
  client: DeepgramClient;
  /** Nova (/v1/listen) or Flux (/v2/listen): dialling, control messages, server messages. */
  dialect: ListenDialect;
  interims: boolean;
  /** Audio bytes per second of the session's format, to keep event times continuous across sockets. */
  bytesPerSec: number;
  timings: DeepgramSessionTimings;
  clock: Clock;
  log: Logger;
  onEvent: (event: SttEvent) => void;
}

type State = 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

/**
 * One live STT stream on the official SDK. The SDK's own redial is switched off (reconnectAttempts: 0,
 * docs/protocols/deepgram-live.md §6: otherwise it retries 30 times, 1-10 s apart, while audio is queued) so
 * this class decides: a few quick redials, then a fatal error. It also sends the KeepAlive the SDK never
 * sends.
 */
export class DeepgramSttSession implements SttSession {
  private state: State = 'connecting';
  private socket: DeepgramSocket | undefined;
  /** Bumped at each dial, so late frames of an abandoned socket are ignored. */
  private dialGeneration = 0;
  private readonly keepAlive: DeepgramKeepAlive;
  private bytesOnSocket = 0;
  private offsetSec = 0;
  private droppedChunks = 0;
  private closePromise: Promise<void> | undefined;
  private onSocketClosedWhileClosing: ((code: number, reason: string) => void) | undefined;
  private wakeBackoff: (() => void) | undefined;

  constructor(private readonly deps: DeepgramSessionDeps) {
    this.keepAlive = new DeepgramKeepAlive({
      clock: deps.clock,
      intervalMs: deps.timings.keepAliveMs,
      isOpen: () => this.isOpen,
      send: () => {
        if (this.socket) deps.dialect.keepAlive(this.socket);
      },
      log: deps.log,
    });
  }

  get isOpen(): boolean {
    return this.state === 'open' && this.socket?.readyState === SOCKET_OPEN;
  }

  /** First dial; rejects (and leaves nothing running) if the service cannot be reached. */
  async start(): Promise<void> {
    const socket = await this.dial();
    this.adopt(socket);
  }

  sendAudio(chunk: Buffer): void {
    const socket = this.socket;
    if (!this.isOpen || !socket) {
      this.droppedChunks++;
      return;
    }
    try {
      socket.sendMedia(chunk);
      this.bytesOnSocket += chunk.length;
      this.keepAlive.noteAudio();
    } catch {
      // Closed between the check and the send: same as not open, the audio is dropped.
      this.droppedChunks++;
    }
  }

  finalize(): void {
    if (!this.isOpen) return;
    try {
      if (this.socket) this.deps.dialect.finalize(this.socket);
    } catch (err) {
      this.deps.log.debug({ err }, 'deepgram: Finalize not sent');
    }
  }

  close(): Promise<void> {
    this.closePromise ??= this.closeOnce();
    return this.closePromise;
  }

  private async closeOnce(): Promise<void> {
    const wasOpen = this.isOpen;
    const socket = this.socket;
    this.state = 'closing';
    this.keepAlive.stop();
    this.wakeBackoff?.();
    let code = 1000;
    let reason = 'closed by client';
    if (wasOpen && socket) {
      // §3a/§5 item 7: CloseStream, then the service sends its last finals and Metadata and closes 1000.
      const closed = new Promise<{ code: number; reason: string } | undefined>((resolve) => {
        const timer = this.deps.clock.setTimeout(() => resolve(undefined), this.deps.timings.closeTimeoutMs);
        this.onSocketClosedWhileClosing = (c, r) => {
          this.deps.clock.clearTimeout(timer);
          resolve({ code: c, reason: r });
        };
      });
      try {
        this.deps.dialect.closeStream(socket);
      } catch (err) {
        this.deps.log.debug({ err }, 'deepgram: CloseStream not sent');
      }
      const result = await closed;
      this.onSocketClosedWhileClosing = undefined;
      if (result) ({ code, reason } = result);
      else this.deps.log.warn('deepgram: no close after CloseStream; closing the socket ourselves');
    }
    this.abandon(socket);
    this.finish(code, reason);
  }

  private async dial(): Promise<DeepgramSocket> {
    const generation = ++this.dialGeneration;
    const { client, dialect, timings } = this.deps;
    const socket = await dialect.dial(client, {
      reconnectAttempts: 0,
      connectionTimeoutInSeconds: timings.connectTimeoutMs / 1000,
    });
    // The SDK keeps one handler per event (§6); each is installed once, here.
    socket.on('message', (raw) => {
      if (generation === this.dialGeneration) this.onMessage(raw);
    });
    socket.on('close', (event) => this.onSocketClose(socket, event.code, String(event.reason ?? '')));
    socket.on('error', (err) => this.deps.log.debug({ err: err.message }, 'deepgram: socket error'));
    socket.connect();
    try {
      await this.withTimeout(socket.waitForOpen(), timings.connectTimeoutMs);
      return socket;
    } catch (err) {
      this.abandon(socket);
      throw toError(err, 'Deepgram socket did not open');
    }
  }

  private adopt(socket: DeepgramSocket): void {
    this.socket = socket;
    this.bytesOnSocket = 0;
    this.state = 'open';
    this.keepAlive.start();
  }

  private onMessage(raw: unknown): void {
    const mapping = { offsetSec: this.offsetSec, interims: this.deps.interims };
    for (const event of this.deps.dialect.toEvents(raw, mapping, this.deps.log)) this.emit(event);
  }

  private onSocketClose(socket: DeepgramSocket, code: number, reason: string): void {
    if (socket !== this.socket) return; // a dial that failed, or a socket already given up
    if (this.state === 'closing') {
      this.onSocketClosedWhileClosing?.(code, reason);
      return;
    }
    if (this.state !== 'open') return;
    this.deps.log.warn({ code, reason }, 'deepgram: socket dropped; redialling');
    void this.reconnect(code, reason);
  }

  private async reconnect(code: number, reason: string): Promise<void> {
    this.state = 'reconnecting';
    this.keepAlive.stop();
    this.offsetSec += this.bytesOnSocket / this.deps.bytesPerSec;
    this.abandon(this.socket);
    this.socket = undefined;
    const delays = this.deps.timings.reconnectDelaysMs;
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= delays.length; attempt++) {
      this.emit({ type: 'reconnecting', attempt, code, reason });
      await this.sleep(delays[attempt - 1]!);
      if (this.state !== 'reconnecting') return;
      try {
        const socket = await this.dial();
        if (this.state !== 'reconnecting') {
          this.abandon(socket);
          return;
        }
        this.adopt(socket);
        this.deps.log.info({ attempt, droppedChunks: this.droppedChunks }, 'deepgram: reconnected');
        this.emit({ type: 'reconnected', attempt });
        return;
      } catch (err) {
        lastError = toError(err, 'redial failed');
        this.deps.log.warn({ attempt, err: lastError.message }, 'deepgram: redial failed');
      }
    }
    if (this.state !== 'reconnecting') return;
    const detail = lastError ? `: ${lastError.message}` : '';
    this.emit({
      type: 'error',
      error: new Error(`Deepgram socket lost (${code} ${reason}); ${delays.length} redials failed${detail}`),
      fatal: true,
    });
    this.finish(code, reason);
  }

  private finish(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.keepAlive.stop();
    this.socket = undefined;
    this.emit({ type: 'closed', code, reason });
  }

  /** Detaches and closes a socket we no longer want; the SDK's synchronous close event is then ignored. */
  private abandon(socket: DeepgramSocket | undefined): void {
    if (!socket) return;
    if (socket === this.socket) this.socket = undefined;
    this.dialGeneration++;
    try {
      socket.close();
    } catch {
      // already closed
    }
  }

  /** Backoff that close() can cut short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: unknown;
      const done = (): void => {
        this.deps.clock.clearTimeout(timer);
        if (this.wakeBackoff === done) this.wakeBackoff = undefined;
        resolve();
      };
      timer = this.deps.clock.setTimeout(done, ms);
      this.wakeBackoff = done;
    });
  }

  private withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.deps.clock.setTimeout(
        () => reject(new Error(`Deepgram socket did not open within ${ms} ms`)),
        ms,
      );
      promise.then(
        (value) => {
          this.deps.clock.clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          this.deps.clock.clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** A throwing consumer must not break the socket handlers (the SDK would only console.error it). */
  private emit(event: SttEvent): void {
    try {
      this.deps.onEvent(event);
    } catch (err) {
      this.deps.log.error({ err, event: event.type }, 'deepgram: STT event handler threw');
    }
  }
}

/** waitForOpen rejects with the SDK's ErrorEvent, not an Error. */
function toError(err: unknown, fallback: string): Error {
  if (err instanceof Error) return err;
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string') {
    return new Error(err.message || fallback);
  }
  return new Error(fallback);
}
