import { timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** What the voice webhook decided for a call whose Media Stream is about to open. */
export interface PendingStream {
  token: string;
  did: string;
  callerId: string;
  bargeIn: boolean;
}

/**
 * Calls answered with <Connect><Stream> whose WebSocket has not started yet, by CallSid. A stream is
 * accepted only for a call we answered, and only with the one-time token we put in its <Parameter>.
 * Bounded, and an entry lapses if Twilio never opens the stream.
 */
export class PendingStreams {
  private readonly entries: LRUCache<string, PendingStream>;

  constructor(opts: { max?: number; ttlMs?: number } = {}) {
    this.entries = new LRUCache({ max: opts.max ?? 2000, ttl: opts.ttlMs ?? 30_000, ttlAutopurge: true });
  }

  add(callSid: string, entry: PendingStream): void {
    this.entries.set(callSid, entry);
  }

  /** Takes the entry if the token matches; a stream can be claimed once. */
  claim(callSid: string, token: string | undefined): PendingStream | undefined {
    const entry = this.entries.get(callSid);
    if (!entry || token === undefined) return undefined;
    const a = Buffer.from(entry.token);
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    this.entries.delete(callSid);
    return entry;
  }

  /** Streams answered and not yet opened: admitted calls that count against MAX_CALLS. */
  get size(): number {
    return this.entries.size;
  }

  drop(callSid: string): boolean {
    return this.entries.delete(callSid);
  }
}
