// One circuit breaker per LLM provider, shared by every call: a provider failing or stalling again and
// again is skipped for a cool-down instead of costing each turn its deadline.
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';

export interface BreakerOptions {
  /** Failures or stalls in a row that open the breaker. */
  failures: number;
  /** How long an open breaker skips its provider before one request may probe it (half-open). */
  coolDownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerReport {
  provider: string;
  state: BreakerState;
}

class CircuitBreaker {
  state: BreakerState = 'closed';
  private failuresInARow = 0;
  private openedAt = 0;
  /** Half-open: the one request allowed through is running. */
  private probing = false;

  constructor(
    readonly provider: string,
    private readonly opts: BreakerOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** May a request go to this provider now? Taking the half-open probe reserves it. */
  take(): boolean {
    if (this.state === 'open' && this.clock.now() - this.openedAt >= this.opts.coolDownMs) {
      this.state = 'half-open';
      this.log.info({ provider: this.provider }, 'llm breaker half-open: probing the provider');
    }
    if (this.state === 'closed') return true;
    if (this.state === 'half-open' && !this.probing) {
      this.probing = true;
      return true;
    }
    return false;
  }

  success(): void {
    this.probing = false;
    this.failuresInARow = 0;
    if (this.state !== 'closed') this.log.info({ provider: this.provider }, 'llm breaker closed');
    this.state = 'closed';
  }

  failure(): void {
    this.probing = false;
    this.failuresInARow += 1;
    if (
      this.state === 'half-open' ||
      (this.state === 'closed' && this.failuresInARow >= this.opts.failures)
    ) {
      this.state = 'open';
      this.openedAt = this.clock.now();
      this.log.warn(
        { provider: this.provider, failures: this.failuresInARow, coolDownMs: this.opts.coolDownMs },
        'llm breaker open: skipping the provider',
      );
    }
  }

  /** A request that ended with no verdict (aborted by the caller, a lost hedge) frees the probe. */
  release(): void {
    this.probing = false;
  }
}

/** The breakers of one chain, by provider name. */
export class Breakers {
  private readonly byName = new Map<string, CircuitBreaker>();

  constructor(names: readonly string[], opts: BreakerOptions | undefined, clock: Clock, log: Logger) {
    if (!opts) return;
    for (const name of names) this.byName.set(name, new CircuitBreaker(name, opts, clock, log));
  }

  /**
   * The order to try the links in for one reply: those whose breaker lets them through, in chain order,
   * then the skipped ones, as a last resort when everything else fails too. `taken` are the providers
   * whose breaker admitted this reply (a half-open probe among them): settle each with a verdict or release.
   */
  order<L extends { client: { name: string } }>(links: readonly L[]): { links: L[]; taken: Set<string> } {
    const open: L[] = [];
    const through: L[] = [];
    const taken = new Set<string>();
    for (const link of links) {
      const breaker = this.byName.get(link.client.name);
      if (!breaker || breaker.take()) {
        through.push(link);
        if (breaker) taken.add(link.client.name);
      } else {
        open.push(link);
      }
    }
    return { links: [...through, ...open], taken };
  }

  /** One reply's verdict on a provider: a success always counts, a failure once per reply. */
  verdict(name: string, ok: boolean, judged: Set<string>): void {
    const breaker = this.byName.get(name);
    if (ok) breaker?.success();
    else if (!judged.has(name)) breaker?.failure();
    judged.add(name);
  }

  /** The reply is over: providers it was admitted to but never judged free their half-open probe. */
  settle(admitted: ReadonlySet<string>, judged: ReadonlySet<string>): void {
    for (const name of admitted) if (!judged.has(name)) this.byName.get(name)?.release();
  }

  report(): BreakerReport[] {
    return [...this.byName.values()].map((b) => ({ provider: b.provider, state: b.state }));
  }
}
