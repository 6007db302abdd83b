import type { Clock } from '../../src/clock.js';

interface Pending {
  due: number;
  run: () => void;
}

/**
 * Delivers a stream's outgoing actions in the order they were decided, each no earlier than its own
 * delay. A final held back by `finalDelayMs` must not be overtaken by the next SpeechStarted, so a
 * later action never leaves before an earlier one even when its own delay is shorter.
 */
export class OrderedSender {
  private readonly queue: Pending[] = [];
  private lastDue = 0;
  private timer: unknown;
  private cancelled = false;

  constructor(private readonly clock: Clock) {}

  /** Runs `action` after `delayMs` of wall time and after everything scheduled before it. */
  schedule(action: () => void, delayMs = 0): void {
    if (this.cancelled) return;
    const due = Math.max(this.lastDue, this.clock.now() + delayMs);
    this.lastDue = due;
    this.queue.push({ due, run: action });
    this.pump();
  }

  /** Drops everything not yet delivered (the socket is going away). */
  cancel(): void {
    this.cancelled = true;
    this.queue.length = 0;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    if (this.timer !== undefined) return;
    while (this.queue.length && !this.cancelled) {
      const head = this.queue[0]!;
      const wait = head.due - this.clock.now();
      if (wait > 0) {
        this.timer = this.clock.setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.queue.shift();
      head.run();
    }
  }
}
