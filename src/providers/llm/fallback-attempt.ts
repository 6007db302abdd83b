// One provider request inside the fallback chain: its launch, event pump, deadline watchdog and retirement.
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { type ChatRequest, type LlmClient, LlmError, type LlmEvent } from './types.js';

/**
 * first-token: the request is late, hedge with the next provider; abandon: twice that, give up
 * on it; gap: the winner went silent mid-reply.
 */
export type Deadline = 'first-token' | 'abandon' | 'gap';

export interface Attempt {
  client: LlmClient;
  controller: AbortController;
  startedAt: number;
  /** Provider-side facts, kept by the pump as events arrive (not when the consumer reads them). */
  firstTokenAt?: number;
  lastEventAt: number;
  /** waiting: no token yet; winner: produced the first token; out: failed, finished or aborted. */
  state: 'waiting' | 'winner' | 'out';
  /** Missed its first-token deadline: still allowed to win, no longer counted on. */
  overdue: boolean;
  /** The watchdog's own note that it reported the first-token deadline. */
  firstTokenDeadlineReported: boolean;
  timer?: unknown;
}

/** What a running attempt reports to the chain, in arrival order. */
export type AttemptMessage =
  | { type: 'event'; attempt: Attempt; event: LlmEvent }
  | { type: 'failed'; attempt: Attempt; error: LlmError }
  | { type: 'ended'; attempt: Attempt }
  | { type: 'deadline'; attempt: Attempt; phase: Deadline };

export interface AttemptDeadlines {
  firstTokenDeadlineMs: number;
  tokenGapDeadlineMs: number;
}

/** Starts, watches and retires the requests of one reply; every outcome goes to `post`. */
export class AttemptRunner {
  constructor(
    private readonly req: ChatRequest,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly deadlines: AttemptDeadlines,
    private readonly post: (msg: AttemptMessage) => void,
  ) {}

  /** A request not started yet: `start` it once the chain has recorded it. */
  create(client: LlmClient): Attempt {
    const now = this.clock.now();
    return {
      client,
      controller: new AbortController(),
      startedAt: now,
      lastEventAt: now,
      state: 'waiting',
      overdue: false,
      firstTokenDeadlineReported: false,
    };
  }

  start(attempt: Attempt): void {
    this.watch(attempt);
    void this.pump(attempt);
  }

  /** Takes a request out of the race and aborts its HTTP request if it is still running. */
  retire(attempt: Attempt): void {
    if (attempt.state === 'out') return;
    attempt.state = 'out';
    this.clearTimer(attempt);
    attempt.controller.abort();
  }

  /** Reads one provider's reply into the chain. */
  private async pump(attempt: Attempt): Promise<void> {
    try {
      const events = attempt.client.stream({ ...this.req, signal: attempt.controller.signal }, this.log);
      for await (const event of events) {
        if (attempt.state === 'out') return;
        attempt.lastEventAt = this.clock.now();
        if (event.type === 'first-token' && attempt.firstTokenAt === undefined) {
          attempt.firstTokenAt = attempt.lastEventAt;
          this.watch(attempt); // from now on, watch the gaps between tokens
        }
        this.post({ type: 'event', attempt, event });
      }
      this.post({ type: 'ended', attempt });
    } catch (err) {
      const error =
        err instanceof LlmError
          ? err
          : new LlmError(err instanceof Error ? err.message : String(err), attempt.client.name, 'connect');
      this.post({ type: 'failed', attempt, error });
    } finally {
      this.clearTimer(attempt);
    }
  }

  /** One watchdog per request, on provider-side times (a slow consumer does not trip it). */
  private watch(attempt: Attempt): void {
    this.clearTimer(attempt);
    const check = () => {
      attempt.timer = undefined;
      if (attempt.state === 'out') return;
      const { phase, dueAt } = this.nextDeadline(attempt);
      const left = dueAt - this.clock.now();
      if (left <= 0) {
        this.post({ type: 'deadline', attempt, phase });
        if (phase !== 'first-token') return;
        attempt.firstTokenDeadlineReported = true;
      }
      attempt.timer = this.clock.setTimeout(
        check,
        Math.max(1, this.nextDeadline(attempt).dueAt - this.clock.now()),
      );
    };
    attempt.timer = this.clock.setTimeout(
      check,
      Math.max(1, this.nextDeadline(attempt).dueAt - this.clock.now()),
    );
  }

  private nextDeadline(attempt: Attempt): { phase: Deadline; dueAt: number } {
    if (attempt.firstTokenAt !== undefined) {
      return { phase: 'gap', dueAt: attempt.lastEventAt + this.deadlines.tokenGapDeadlineMs };
    }
    if (!attempt.firstTokenDeadlineReported) {
      return { phase: 'first-token', dueAt: attempt.startedAt + this.deadlines.firstTokenDeadlineMs };
    }
    return { phase: 'abandon', dueAt: attempt.startedAt + 2 * this.deadlines.firstTokenDeadlineMs };
  }

  private clearTimer(attempt: Attempt): void {
    if (attempt.timer !== undefined) this.clock.clearTimeout(attempt.timer);
    attempt.timer = undefined;
  }
}
