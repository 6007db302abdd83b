// One live Deepgram STT stream: dialling, redialling after a drop, audio out, events in, and a clean close.
import type { DeepgramClient } from '@deepgram/sdk';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { withTimeout } from '../../with-timeout.js';
import { CallerAudioRing, SilentSocketWatch } from './caller-audio-ring.js';
import type { DeepgramSocket, ListenDialect } from './deepgram-dialect.js';
import { DeepgramKeepAlive } from './deepgram-keep-alive.js';
import { toError } from './deepgram-timeout.js';
import { STT_SILENT_SOCKET_CODE, type SttEvent, type SttSession } from './types.js';

/** ReconnectingWebSocket.ReadyState.OPEN in the SDK. */
const SOCKET_OPEN = 1;

export interface DeepgramSessionTimings {
  keepAliveMs: number;
  connectTimeoutMs: number;
  closeTimeoutMs: number;
  /** One entry per redial attempt: how long to wait before it. */
  reconnectDelaysMs: readonly number[];
  /** No message for this long while the caller speaks: the socket is redialled (0: never). */
  silentSocketMs: number;
  /** Recent caller audio kept to be sent again to a redialled socket (0: none). */
  replayMs: number;
}

/** The close code reported for a socket given up as silent (a private-use code: it never came on the wire). */
const SILENT_CODE_REASON = { code: STT_SILENT_SOCKET_CODE, reason: 'no results while the caller spoke' };

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
  /** Where the current socket's audio time 0 lies in the call's audio, in seconds. */
  private offsetSec = 0;
  private readonly ring: CallerAudioRing;
  private readonly watch: SilentSocketWatch;
  private closePromise: Promise<void> | undefined;
  private onSocketClosedWhileClosing: ((code: number, reason: string) => void) | undefined;
  private wakeBackoff: (() => void) | undefined;

  constructor(private readonly deps: DeepgramSessionDeps) {
    this.ring = new CallerAudioRing(
      Math.round((deps.timings.replayMs / 1000) * deps.bytesPerSec),
      deps.bytesPerSec,
    );
    this.watch = new SilentSocketWatch(deps.timings.silentSocketMs, deps.bytesPerSec);
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

  /** `voiced`: the chunk carries the caller's voice (a socket silent while it does is redialled). */
  sendAudio(chunk: Buffer, voiced = false): void {
    this.ring.append(chunk);
    const socket = this.socket;
    if (!this.isOpen || !socket) return; // kept in the ring for the redial, as far as it reaches
    try {
      socket.sendMedia(chunk);
      this.keepAlive.noteAudio();
    } catch {
      return; // closed between the check and the send: same as not open (the ring keeps it)
    }
    if (this.watch.sent(chunk.length, voiced, this.deps.clock.now())) {
      const ms = this.deps.timings.silentSocketMs;
      this.deps.log.warn({ silentMs: ms }, 'deepgram: no results while the caller spoke; redialling');
      void this.reconnect(SILENT_CODE_REASON.code, SILENT_CODE_REASON.reason);
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
      await withTimeout(
        socket.waitForOpen(),
        timings.connectTimeoutMs,
        `Deepgram socket did not open within ${timings.connectTimeoutMs} ms`,
        this.deps.clock,
      );
      return socket;
    } catch (err) {
      this.abandon(socket);
      throw toError(err, 'Deepgram socket did not open');
    }
  }

  /**
   * The socket becomes the session's. After a redial it is first sent the caller audio the lost socket
   * never finalised (as far as the ring reaches), so words said across the redial are not lost.
   * Returns how much audio was sent again, in ms.
   */
  private adopt(socket: DeepgramSocket): number {
    const { from, chunks } = this.ring.unconfirmed();
    this.socket = socket;
    this.offsetSec = from / this.deps.bytesPerSec;
    this.state = 'open';
    this.watch.heard();
    let replayed = 0;
    try {
      for (const chunk of chunks) {
        socket.sendMedia(chunk);
        replayed += chunk.length;
      }
    } catch (err) {
      this.deps.log.debug({ err }, 'deepgram: replay cut short');
    }
    this.keepAlive.start();
    return Math.round((replayed / this.deps.bytesPerSec) * 1000);
  }

  private onMessage(raw: unknown): void {
    this.watch.heard();
    const mapping = { offsetSec: this.offsetSec, interims: this.deps.interims };
    for (const event of this.deps.dialect.toEvents(raw, mapping, this.deps.log)) {
      this.ring.noteConfirmed(event);
      this.emit(event);
    }
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
        const replayedMs = this.adopt(socket);
        this.deps.log.info({ attempt, replayedMs }, 'deepgram: reconnected');
        this.emit({ type: 'reconnected', attempt, replayedMs });
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

  /** A throwing consumer must not break the socket handlers (the SDK would only console.error it). */
  private emit(event: SttEvent): void {
    try {
      this.deps.onEvent(event);
    } catch (err) {
      this.deps.log.error({ err, event: event.type }, 'deepgram: STT event handler threw');
    }
  }
}
