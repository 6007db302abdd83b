import type { CallMetadata } from './call-metadata.js';
import { uuidKey } from './uuid.js';

export interface CallMetadataRegistryOptions {
  /** How long an entry waits for its AudioSocket connection (docs/protocols/agi.md §5.1 suggests 30 s). */
  ttlMs?: number;
  /** How often expired entries are dropped. */
  sweepMs?: number;
  /** Most entries held at once; the oldest is dropped beyond it (a connection flood must not grow memory). */
  maxEntries?: number;
  /** Monotonic ms; tests drive it. */
  now?: () => number;
}

interface Entry {
  meta: CallMetadata;
  expiresAt: number;
}

interface Waiter {
  resolve: (meta: CallMetadata | undefined) => void;
  timer: NodeJS.Timeout;
}

export const DEFAULT_METADATA_TTL_MS = 30_000;
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Hands call metadata from the FastAGI session to the AudioSocket connection that carries the same UUID.
 * Entries are taken once. An entry whose AudioSocket never arrives (the caller hung up in between)
 * expires after the TTL; the sweep timer is unref()'d so it never keeps the process alive.
 */
export class CallMetadataRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(opts: CallMetadataRegistryOptions = {}) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_METADATA_TTL_MS;
    this.maxEntries = opts.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.now = opts.now ?? (() => performance.now());
    this.sweeper = setInterval(() => this.sweep(), opts.sweepMs ?? Math.min(this.ttlMs, 5000));
    this.sweeper.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  put(uuid: string, meta: CallMetadata): void {
    const key = uuidKey(uuid);
    // Someone is already waiting: hand it over directly (resolve also unregisters the waiter).
    const waiter = this.waiters.get(key)?.[0];
    if (waiter) {
      waiter.resolve(meta);
      return;
    }
    this.entries.delete(key); // a re-registration moves to the back of the insertion order
    this.entries.set(key, { meta, expiresAt: this.now() + this.ttlMs });
    if (this.entries.size > this.maxEntries) {
      // Maps iterate in insertion order, so the first key is the oldest registration.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** The entry for `uuid` without taking it (the AudioSocket side reads the declared format early). */
  peek(uuid: string): CallMetadata | undefined {
    const entry = this.entries.get(uuidKey(uuid));
    return entry && entry.expiresAt > this.now() ? entry.meta : undefined;
  }

  /** Forgets an entry, e.g. when the dialplan never learnt its UUID. */
  delete(uuid: string): boolean {
    return this.entries.delete(uuidKey(uuid));
  }

  /**
   * Removes and returns the metadata for `uuid`. If it is not there yet, waits up to `waitMs` for a
   * registration that arrives slightly later; `signal` abandons the wait early.
   */
  take(uuid: string, waitMs = 0, signal?: AbortSignal): Promise<CallMetadata | undefined> {
    const key = uuidKey(uuid);
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      if (entry.expiresAt > this.now()) return Promise.resolve(entry.meta);
    }
    if (waitMs <= 0 || signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const finish = (meta: CallMetadata | undefined) => {
        clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', onAbort);
        const queue = this.waiters.get(key);
        const i = queue?.indexOf(waiter) ?? -1;
        if (queue && i !== -1) queue.splice(i, 1);
        if (queue?.length === 0) this.waiters.delete(key);
        resolve(meta);
      };
      const onAbort = () => finish(undefined);
      const waiter: Waiter = { resolve: finish, timer: setTimeout(() => finish(undefined), waitMs) };
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = this.waiters.get(key) ?? [];
      queue.push(waiter);
      this.waiters.set(key, queue);
    });
  }

  /** Drops expired entries; returns how many. */
  sweep(): number {
    const now = this.now();
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  /** Stops the sweep timer and releases every waiter with `undefined`. */
  close(): void {
    clearInterval(this.sweeper);
    for (const queue of [...this.waiters.values()]) for (const w of [...queue]) w.resolve(undefined);
    this.waiters.clear();
    this.entries.clear();
  }
}
