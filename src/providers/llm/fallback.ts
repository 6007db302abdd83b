// The provider fallback chain as one LlmClient: which request wins, when to hedge or switch, when to give up.
import { type Clock, systemClock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { type BreakerOptions, type BreakerReport, Breakers } from './circuit-breaker.js';
import { type Attempt, type AttemptMessage, AttemptRunner } from './fallback-attempt.js';
import { Inbox } from './inbox.js';
import { type ChatRequest, type LlmClient, LlmError, type LlmEvent } from './types.js';

/**
 * The provider fallback chain (Groq → Cerebras → Anthropic by default) as one LlmClient.
 *
 * - A provider that fails before its reply has content (connection error, 429/5xx, error
 *   event, truncation, malformed stream, an empty reply) is replaced by the next one.
 * - A provider that stalls is treated like one that failed, except that it keeps running: when it
 *   misses the first-token deadline the next provider is started as a hedge, and whichever
 *   produces a token first wins; the other requests are aborted. A request still silent at twice
 *   the deadline is abandoned, so a chain of stalled providers ends in bounded time.
 * - Once text or a tool call has reached the consumer the chain never switches (words cannot be
 *   unsaid): a failure or a token gap longer than the deadline ends the reply with that
 *   provider's LlmError (kind `stall` for a gap) so the runtime can apologise.
 * - `first-token` is emitted once, just before the first content event, by the winner, with the
 *   time measured from the start of the chain. `fallback` events report every switch or hedge.
 * - Aborting `req.signal` aborts every request in flight; the stream then throws kind `aborted`.
 * - When no provider is left, the stream throws an LlmError naming every failure.
 * - With `breaker`, a provider failing or stalling repeatedly is tried last for a cool-down, then
 *   probed by one request (circuit-breaker.ts).
 */

export interface FallbackLink {
  client: LlmClient;
}

export interface FallbackOptions {
  /** From a request's start to its first token; past it the next provider is started as a hedge. */
  firstTokenDeadlineMs: number;
  /** Longest silence between events of the winning reply. */
  tokenGapDeadlineMs: number;
  /** A circuit breaker per provider; none without it. */
  breaker?: BreakerOptions;
  log: Logger;
  clock?: Clock;
}

/** The chain as an LlmClient, with its providers' breaker states (for /metrics). */
export interface FallbackChain extends LlmClient {
  breakers(): BreakerReport[];
}

type FirstTokenEvent = Extract<LlmEvent, { type: 'first-token' }>;

type Message = AttemptMessage | { type: 'consumer-abort' };

export function createFallbackChain(links: readonly FallbackLink[], opts: FallbackOptions): FallbackChain {
  if (links.length === 0) throw new Error('a fallback chain needs at least one provider');
  const name = links.map((l) => l.client.name).join('>');
  opts.log.debug({ chain: name }, 'llm fallback chain ready');
  const names = links.map((l) => l.client.name);
  const breakers = new Breakers(names, opts.breaker, opts.clock ?? systemClock, opts.log);
  return {
    name,
    breakers: () => breakers.report(),
    async *stream(req: ChatRequest, log: Logger): AsyncGenerator<LlmEvent> {
      const run = new ChainRun(name, links, req, log, opts, breakers);
      try {
        run.start();
        for (;;) {
          const step = run.handle(await run.next());
          for (const event of step.events) yield event;
          if (step.done) return;
        }
      } finally {
        run.dispose();
      }
    },
  };
}

/** One reply through the chain: the state the generator above drives, one message at a time. */
class ChainRun {
  private readonly inbox = new Inbox<Message>();
  private readonly attempts: Attempt[] = [];
  private readonly clock: Clock;
  private readonly runner: AttemptRunner;
  private readonly startedAt: number;
  private readonly failures: string[] = [];
  private nextLink = 0;
  private winner: Attempt | undefined;
  private pendingFirstToken: FirstTokenEvent | undefined;
  private contentSent = false;
  private lastError: LlmError | undefined;
  /** Links in the order tried (open breakers last); providers admitted by their breaker, and judged. */
  private readonly order: readonly FallbackLink[];
  private readonly admitted: Set<string>;
  private readonly judged = new Set<string>();
  private readonly onConsumerAbort = () => this.inbox.push({ type: 'consumer-abort' });

  constructor(
    private readonly name: string,
    links: readonly FallbackLink[],
    private readonly req: ChatRequest,
    private readonly log: Logger,
    private readonly opts: FallbackOptions,
    private readonly breakers: Breakers,
  ) {
    this.clock = opts.clock ?? systemClock;
    ({ links: this.order, taken: this.admitted } = breakers.order(links));
    this.runner = new AttemptRunner(req, log, this.clock, opts, (msg) => this.inbox.push(msg));
    this.startedAt = this.clock.now();
  }

  start(): void {
    if (this.req.signal?.aborted) throw new LlmError('reply aborted', this.name, 'aborted');
    this.req.signal?.addEventListener('abort', this.onConsumerAbort, { once: true });
    this.launch();
  }

  next(): Promise<Message> {
    return this.inbox.next();
  }

  /** Decides what one message means; throws the LlmError that ends the reply. */
  handle(msg: Message): { events: LlmEvent[]; done?: boolean } {
    // Checked on every message, so events already queued are not delivered after an abort.
    if (msg.type === 'consumer-abort' || this.req.signal?.aborted) {
      throw new LlmError('reply aborted', this.name, 'aborted');
    }
    const attempt = msg.attempt;
    if (attempt.state === 'out') return { events: [] };
    switch (msg.type) {
      case 'event':
        return this.onEvent(attempt, msg.event);
      case 'failed':
        return { events: this.onFailure(attempt, msg.error) };
      case 'ended':
        return {
          events: this.onFailure(
            attempt,
            new LlmError('reply ended without done', attempt.client.name, 'truncated'),
          ),
        };
      case 'deadline':
        if (msg.phase === 'first-token') return { events: this.onFirstTokenDeadline(attempt) };
        if (msg.phase === 'gap') return { events: this.onTokenGap(attempt) };
        return {
          events: this.onFailure(
            attempt,
            new LlmError(
              `no first token after ${2 * this.opts.firstTokenDeadlineMs} ms`,
              attempt.client.name,
              'stall',
            ),
          ),
        };
    }
  }

  dispose(): void {
    this.req.signal?.removeEventListener('abort', this.onConsumerAbort);
    for (const attempt of this.attempts) this.runner.retire(attempt);
    this.breakers.settle(this.admitted, this.judged);
  }

  /** The provider answered (first token) or failed (an error, a missed first-token deadline). */
  private judge(attempt: Attempt, ok: boolean): void {
    this.breakers.verdict(attempt.client.name, ok, this.judged);
  }

  private onEvent(attempt: Attempt, event: LlmEvent): { events: LlmEvent[]; done?: boolean } {
    switch (event.type) {
      case 'first-token':
        if (this.winner) return { events: [] };
        this.judge(attempt, true);
        this.winner = attempt;
        attempt.state = 'winner';
        this.pendingFirstToken = {
          ...event,
          ttftMs: (attempt.firstTokenAt ?? this.clock.now()) - this.startedAt,
        };
        for (const other of this.attempts) {
          if (other !== attempt && other.state === 'waiting') {
            this.log.info(
              { provider: other.client.name, winner: attempt.client.name },
              'llm hedge lost; aborting it',
            );
            this.runner.retire(other);
          }
        }
        return { events: [] };
      case 'text':
      case 'tool-call': {
        if (attempt !== this.winner) return { events: [] };
        const events: LlmEvent[] = [];
        if (this.pendingFirstToken) {
          const first = this.pendingFirstToken;
          this.log.info(
            { provider: first.provider, model: first.model, ttftMs: Math.round(first.ttftMs) },
            'llm first token',
          );
          events.push(first);
          this.pendingFirstToken = undefined;
        }
        this.contentSent = true;
        events.push(event);
        return { events };
      }
      case 'done':
        if (attempt !== this.winner || !this.contentSent) {
          return {
            events: this.onFailure(attempt, new LlmError('empty reply', attempt.client.name, 'truncated')),
          };
        }
        this.runner.retire(attempt);
        return { events: [event], done: true };
      case 'fallback':
        // A nested chain reporting its own switches.
        return { events: [event] };
    }
  }

  /** A request failed, or stalled while it still had nothing to say. */
  private onFailure(attempt: Attempt, error: LlmError): LlmEvent[] {
    if (attempt === this.winner && this.contentSent) {
      this.log.warn({ provider: attempt.client.name, err: error }, 'llm failed mid-reply; not switching');
      throw error;
    }
    this.runner.retire(attempt);
    if (error.kind !== 'aborted') this.judge(attempt, false);
    this.lastError = error;
    this.failures.push(`${attempt.client.name}: ${error.message}`);
    this.log.warn(
      { provider: attempt.client.name, kind: error.kind, status: error.status },
      'llm provider failed',
    );
    if (attempt === this.winner) {
      this.winner = undefined;
      this.pendingFirstToken = undefined;
    }
    if (this.hasRequestOnTime()) return [];
    const next = this.launch();
    if (next) return [this.fallbackEvent(attempt, next, reasonOf(error))];
    // Overdue requests may still answer until they are abandoned; otherwise nothing is left.
    if (this.attempts.some((a) => a.state === 'waiting')) return [];
    this.giveUp();
  }

  /** First deadline: start the next provider alongside (a hedge); the late one may still win. */
  private onFirstTokenDeadline(attempt: Attempt): LlmEvent[] {
    if (attempt.state !== 'waiting') return [];
    attempt.overdue = true;
    this.judge(attempt, false); // a stall counts against the breaker even if the request wins later
    const reason = `no first token after ${this.opts.firstTokenDeadlineMs} ms`;
    this.log.warn({ provider: attempt.client.name }, `llm ${reason}`);
    if (this.hasRequestOnTime()) return [];
    const next = this.launch();
    return next ? [this.fallbackEvent(attempt, next, reason)] : [];
  }

  private onTokenGap(attempt: Attempt): LlmEvent[] {
    if (attempt !== this.winner) return [];
    this.runner.retire(attempt); // abort the silent request whether or not the chain can switch
    const error = new LlmError(
      `no token for ${this.opts.tokenGapDeadlineMs} ms mid-reply`,
      attempt.client.name,
      'stall',
    );
    return this.onFailure(attempt, error);
  }

  /** A winner, or a request still within its first-token deadline. */
  private hasRequestOnTime(): boolean {
    return this.attempts.some((a) => a.state === 'winner' || (a.state === 'waiting' && !a.overdue));
  }

  private giveUp(): never {
    const last = this.lastError;
    throw new LlmError(
      `all LLM providers failed (${this.failures.join('; ')})`,
      this.name,
      last?.kind ?? 'connect',
      last?.status,
      last?.retryAfterMs,
    );
  }

  private fallbackEvent(from: Attempt, to: Attempt, reason: string): LlmEvent {
    this.log.warn({ from: from.client.name, to: to.client.name, reason }, 'llm fallback');
    return { type: 'fallback', from: from.client.name, to: to.client.name, reason };
  }

  private launch(): Attempt | undefined {
    const link = this.order[this.nextLink];
    if (!link) return undefined;
    this.nextLink += 1;
    const attempt = this.runner.create(link.client);
    this.attempts.push(attempt);
    this.runner.start(attempt);
    return attempt;
  }
}

const reasonOf = (e: LlmError): string => (e.kind === 'status' && e.status ? `HTTP ${e.status}` : e.kind);
