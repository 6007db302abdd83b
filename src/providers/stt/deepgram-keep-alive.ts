// The KeepAlive timer of one Deepgram stream: sends a KeepAlive only when no audio went out during the last interval.
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';

export interface DeepgramKeepAliveDeps {
  clock: Clock;
  intervalMs: number;
  /** The timer stops by itself once the stream is no longer open. */
  isOpen: () => boolean;
  /** Sends one KeepAlive (v1: a text frame, docs/protocols/deepgram-live.md §3a; v2: a WebSocket ping); may throw. */
  send: () => void;
  log: Logger;
}

export class DeepgramKeepAlive {
  private timer: unknown;
  private audioSinceKeepAlive = false;

  constructor(private readonly deps: DeepgramKeepAliveDeps) {}

  /** Audio went out: no KeepAlive is needed this interval. */
  noteAudio(): void {
    this.audioSinceKeepAlive = true;
  }

  start(): void {
    this.stop();
    const tick = (): void => {
      if (!this.deps.isOpen()) return;
      if (!this.audioSinceKeepAlive) {
        try {
          this.deps.send();
        } catch (err) {
          this.deps.log.debug({ err }, 'deepgram: KeepAlive not sent');
        }
      }
      this.audioSinceKeepAlive = false;
      this.timer = this.deps.clock.setTimeout(tick, this.deps.intervalMs);
    };
    this.audioSinceKeepAlive = false;
    this.timer = this.deps.clock.setTimeout(tick, this.deps.intervalMs);
  }

  stop(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
