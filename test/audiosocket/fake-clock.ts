import type { Clock } from '../../src/clock.js';

/** A manual Clock: time moves only when a test says so, and due timers fire in deadline order. */
export class FakeClock implements Clock {
  /** setTimeout calls so far (how many timers the code under test armed). */
  timersArmed = 0;
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  /** `lateness` adds ms to every timer, like a busy event loop firing timers late. */
  constructor(
    start = 1000,
    private readonly lateness: () => number = () => 0,
  ) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms) + this.lateness(), fn });
    this.timersArmed++;
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Pending timers. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing each timer at its own due time. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let nextId = -1;
      let nextAt = Number.POSITIVE_INFINITY;
      for (const [id, timer] of this.timers) {
        if (timer.at < nextAt) {
          nextAt = timer.at;
          nextId = id;
        }
      }
      if (nextId < 0 || nextAt > end) break;
      const timer = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.t = Math.max(this.t, timer.at);
      timer.fn();
    }
    this.t = end;
  }

  /** Time passes with no timer firing: a blocked event loop. The next `advance` fires them late. */
  stall(ms: number): void {
    this.t += ms;
  }
}
