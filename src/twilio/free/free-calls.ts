import { LRUCache } from 'lru-cache';
import type { Logger } from '../../log.js';
import type { FreeCall } from './free-call.js';

export interface FreeCallRegistryOptions {
  /** Calls kept at once; a new call beyond this is refused (never an old one dropped). */
  maxCalls?: number;
  /** A call with no webhook for this long is over (Twilio polls at least every few seconds). */
  idleMs?: number;
  log: Logger;
}

/**
 * The Free tier's live calls by CallSid, kept between webhooks. Bounded, and each entry has an idle
 * deadline: when it passes (or the status callback says the call ended) the call's actor is ended.
 */
export class FreeCallRegistry {
  private readonly calls: LRUCache<string, FreeCall>;
  private readonly max: number;

  constructor(opts: FreeCallRegistryOptions) {
    this.max = opts.maxCalls ?? 1000;
    this.calls = new LRUCache<string, FreeCall>({
      max: this.max,
      ttl: opts.idleMs ?? 120_000,
      ttlAutopurge: true,
      updateAgeOnGet: true,
      dispose: (call, sid, reason) => {
        if (reason === 'expire') opts.log.info({ callId: sid }, 'free-tier call idle; ending it');
        call.end(reason === 'expire' ? 'idle' : reason);
      },
    });
  }

  /** False when full: the caller gets a polite refusal instead of pushing out a call in progress. */
  add(call: FreeCall): boolean {
    if (this.calls.size >= this.max) return false;
    this.calls.set(call.callSid, call);
    return true;
  }

  get(callSid: string): FreeCall | undefined {
    return this.calls.get(callSid);
  }

  /** Ends and forgets a call (status callback); false if it was not here. */
  end(callSid: string): boolean {
    return this.calls.delete(callSid);
  }

  /** Forgets a call that ended by itself (its chart finished). */
  forget(callSid: string): void {
    const call = this.calls.peek(callSid);
    if (call?.isEnded) this.calls.delete(callSid);
  }

  get size(): number {
    return this.calls.size;
  }

  endAll(): void {
    this.calls.clear();
  }
}
