import { LRUCache } from 'lru-cache';
import { uuidKey } from './uuid.js';

/**
 * How the agent's leg of a call ended, as the dialplan reads it back after `AudioSocket()` returns
 * (`AGI(agi://…/outcome,${VA_UUID})`): `outcome` becomes VA_OUTCOME, `transferTo` VA_TRANSFER_TO.
 */
export interface CallLegOutcome {
  /** booked, transferred, declined, abusive, no-response, booking-failed, interrupted, caller-hangup, … */
  outcome: string;
  /** The tenant's number to `Dial` when the outcome is `transferred`. */
  transferTo?: string;
}

export interface CallOutcomeRegistryOptions {
  /** How long an outcome waits for the dialplan to ask for it. */
  ttlMs?: number;
  /** Most outcomes held at once; the least recently set is dropped beyond it. */
  maxEntries?: number;
}

interface Waiter {
  resolve: (o: CallLegOutcome | undefined) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_TTL_MS = 60_000;
const DEFAULT_MAX_ENTRIES = 10_000;
/** Dialplan requests waiting at once for an outcome not yet set (FastAGI bounds connections anyway). */
const MAX_WAITERS = 1024;

/**
 * Outcomes of ended (or ending) calls by UUID, for the FastAGI `outcome` script. Bounded and expiring
 * (lru-cache's own `max` and `ttl`), so calls whose dialplan never asks cost nothing for long. The
 * agent sets the outcome just before it hangs up; a request that arrives a moment earlier waits.
 */
export class CallOutcomeRegistry {
  private readonly entries: LRUCache<string, CallLegOutcome>;
  private readonly waiters = new Map<string, Waiter[]>();
  private waiting = 0;

  constructor(opts: CallOutcomeRegistryOptions = {}) {
    this.entries = new LRUCache<string, CallLegOutcome>({
      max: opts.maxEntries ?? DEFAULT_MAX_ENTRIES,
      ttl: opts.ttlMs ?? DEFAULT_TTL_MS,
      ttlAutopurge: false,
    });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Records (or replaces) a call's outcome; a request already waiting for it gets it at once. */
  set(uuid: string, outcome: CallLegOutcome): void {
    const key = uuidKey(uuid);
    const queue = this.waiters.get(key);
    if (queue?.length) {
      for (const w of [...queue]) w.resolve(outcome);
      return;
    }
    this.entries.set(key, outcome);
  }

  /**
   * Removes and returns the outcome of `uuid`; if it is not there yet, waits up to `waitMs` for it.
   * Undefined when the call is unknown (never connected, expired, or asked for twice).
   */
  take(uuid: string, waitMs = 0): Promise<CallLegOutcome | undefined> {
    const key = uuidKey(uuid);
    const found = this.entries.get(key);
    if (found) {
      this.entries.delete(key);
      return Promise.resolve(found);
    }
    if (waitMs <= 0 || this.waiting >= MAX_WAITERS) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve: (o) => {
          clearTimeout(waiter.timer);
          const queue = this.waiters.get(key) ?? [];
          const i = queue.indexOf(waiter);
          if (i !== -1) {
            queue.splice(i, 1);
            this.waiting--;
          }
          if (queue.length === 0) this.waiters.delete(key);
          resolve(o);
        },
        timer: setTimeout(() => waiter.resolve(undefined), waitMs),
      };
      waiter.timer.unref();
      const queue = this.waiters.get(key) ?? [];
      queue.push(waiter);
      this.waiters.set(key, queue);
      this.waiting++;
    });
  }

  /** Releases every waiter with `undefined` and forgets every outcome. */
  close(): void {
    for (const queue of [...this.waiters.values()]) for (const w of [...queue]) w.resolve(undefined);
    this.entries.clear();
  }
}
