import { type Clock, systemClock } from '../../clock.js';

export interface FrameSchedulerOptions {
  clock?: Clock;
  /** Frame period (default 20 ms, docs/protocols/audiosocket.md §6). */
  frameMs?: number;
  /**
   * Deadlines this close ahead of `now` are served in the same wake-up. Timers fire on whole
   * milliseconds, and serving neighbours together is what lets many calls share one timer.
   */
  slackMs?: number;
  /**
   * A stream that has fallen up to this many frames behind (a stalled event loop) catches up by
   * sending them back to back; further behind, it resyncs to `now` instead of bursting. 3 frames
   * (60 ms) stays inside Asterisk's RTP timestamp tolerance of 80 ms (`MAX_TIMESTAMP_SKEW`, §6).
   */
  maxCatchUpFrames?: number;
}

/**
 * Called when a stream's frame is due. `lateByMs` is how far past its deadline it is served;
 * `resynced` says the schedule was moved to `now` because it fell too far behind.
 */
export type FrameTask = (lateByMs: number, resynced: boolean) => void;

/** A stream registered with the scheduler (one per call, or per fake-Asterisk peer). */
export interface ScheduledStream {
  /** Absolute time of the stream's next frame. */
  readonly deadline: number;
}

/** A task threw: the scheduler has already removed its stream; the owner ends that one call. */
export type FrameTaskError = (err: unknown) => void;

interface Entry extends ScheduledStream {
  deadline: number;
  task: FrameTask;
  onError: FrameTaskError | undefined;
  /** Position in the heap; -1 once removed. */
  index: number;
}

export interface FrameSchedulerStats {
  streams: number;
  /** Times the timer fired. */
  wakeups: number;
  /** Frames served across all streams. */
  framesServed: number;
  resyncs: number;
}

/**
 * One frame clock shared by every stream in the process. Each stream keeps an absolute deadline that
 * advances by exactly one frame per frame sent (never `now + 20`), so timer lateness never
 * accumulates into drift. Deadlines sit in a binary min-heap and ONE timer is armed for the earliest;
 * a wake-up serves every stream due within `slackMs`. N calls therefore cost at most one timer
 * per distinct millisecond of phase, not N timers.
 */
export class FrameScheduler {
  readonly frameMs: number;
  readonly clock: Clock;
  private readonly slackMs: number;
  private readonly maxCatchUpMs: number;
  private readonly heap: Entry[] = [];
  private timer: unknown = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private serving = false;
  private wakeups = 0;
  private framesServed = 0;
  private resyncs = 0;

  constructor(opts: FrameSchedulerOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.frameMs = opts.frameMs ?? 20;
    this.slackMs = opts.slackMs ?? 1;
    this.maxCatchUpMs = (opts.maxCatchUpFrames ?? 3) * this.frameMs;
  }

  /**
   * Registers a stream whose first frame is due at `firstDeadline` (default one frame from now). A
   * task that throws is removed and `onError` told, so one call's bug never stops the others' audio.
   */
  add(
    task: FrameTask,
    firstDeadline = this.clock.now() + this.frameMs,
    onError?: FrameTaskError,
  ): ScheduledStream {
    const entry: Entry = { deadline: firstDeadline, task, onError, index: this.heap.length };
    this.heap.push(entry);
    this.siftUp(entry.index);
    this.arm();
    return entry;
  }

  /** Stops a stream. Safe to call twice, and from inside its own task. */
  remove(stream: ScheduledStream): void {
    const entry = stream as Entry;
    if (entry.index < 0) return;
    const last = this.heap.pop()!;
    if (last !== entry) {
      this.heap[entry.index] = last;
      last.index = entry.index;
      this.siftDown(last.index);
      this.siftUp(last.index);
    }
    entry.index = -1;
    this.arm();
  }

  /** Moves a stream's next deadline (re-phase: a reply's first frame went out off-grid, now). */
  rephase(stream: ScheduledStream, nextDeadline: number): void {
    const entry = stream as Entry;
    if (entry.index < 0) return;
    entry.deadline = nextDeadline;
    this.siftDown(entry.index);
    this.siftUp(entry.index);
    this.arm();
  }

  stats(): FrameSchedulerStats {
    return {
      streams: this.heap.length,
      wakeups: this.wakeups,
      framesServed: this.framesServed,
      resyncs: this.resyncs,
    };
  }

  /** Stops the timer and forgets every stream (process shutdown). */
  stop(): void {
    for (const entry of this.heap) entry.index = -1;
    this.heap.length = 0;
    this.arm();
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.wakeups++;
    const now = this.clock.now();
    const horizon = now + this.slackMs;
    this.serving = true;
    try {
      for (let top = this.heap[0]; top !== undefined && top.deadline <= horizon; top = this.heap[0]) {
        const lateBy = now - top.deadline;
        const resynced = lateBy > this.maxCatchUpMs;
        top.deadline = resynced ? now + this.frameMs : top.deadline + this.frameMs;
        if (resynced) this.resyncs++;
        this.siftDown(0);
        this.framesServed++;
        try {
          top.task(Math.max(0, lateBy), resynced);
        } catch (err) {
          this.remove(top);
          this.reportTaskError(top, err);
        }
      }
    } finally {
      this.serving = false;
      this.arm();
    }
  };

  private reportTaskError(entry: Entry, err: unknown): void {
    try {
      entry.onError?.(err);
    } catch {
      // The owner's clean-up failed too; the stream is already gone, the other streams go on.
    }
  }

  /** Keeps exactly one timer, armed for the earliest deadline. */
  private arm(): void {
    if (this.serving) return; // onTimer re-arms once, after serving everything due
    const top = this.heap[0];
    if (top === undefined) {
      if (this.timer !== null) this.clock.clearTimeout(this.timer);
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.timer !== null && this.timerAt <= top.deadline) return; // an early wake-up just re-arms
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timerAt = top.deadline;
    this.timer = this.clock.setTimeout(this.onTimer, Math.max(0, top.deadline - this.clock.now()));
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const entry = heap[i]!;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (parent.deadline <= entry.deadline) break;
      heap[i] = parent;
      parent.index = i;
      i = parentIndex;
    }
    heap[i] = entry;
    entry.index = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const entry = heap[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && heap[right]!.deadline < heap[left]!.deadline ? right : left;
      if (heap[child]!.deadline >= entry.deadline) break;
      heap[i] = heap[child]!;
      heap[i]!.index = i;
      i = child;
    }
    heap[i] = entry;
    entry.index = i;
  }
}
