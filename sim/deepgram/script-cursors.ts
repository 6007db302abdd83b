import type { Clock } from '../../src/clock.js';
import { type CallerLine, recognitionUnits } from '../caller/script.js';

/**
 * Position in a caller script: the Nth detected segment takes the Nth line, or the Nth part where a
 * line is said in parts with pauses between them (each part is a segment of its own).
 */
export class ScriptCursor {
  private next = 0;
  private readonly units: readonly CallerLine[];

  constructor(readonly script: readonly CallerLine[]) {
    this.units = recognitionUnits(script);
  }

  /** The line (or part) for the next segment, or undefined once the script has run out. */
  take(): CallerLine | undefined {
    return this.units[this.next++];
  }

  /** The last line taken was never recognised (its stream died mid-segment): the next segment takes it. */
  giveBack(): void {
    if (this.next > 0) this.next--;
  }

  get linesTaken(): number {
    return this.next;
  }
}

interface Entry {
  cursor: ScriptCursor;
  users: number;
  evictTimer: unknown;
}

/**
 * Cursors keyed by the `x-deepgram-session-id` upgrade header (docs/protocols/deepgram-live.md §1), which the
 * SDK sends once per client. A client that redials after a dropped socket keeps its place in the script, as
 * the caller would keep talking; a stream that ends with CloseStream forgets it. Without the header each
 * socket starts afresh.
 */
export class ScriptCursors {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    /** How long the place of a dropped stream is kept for a redial. */
    private readonly keepAfterDropMs: number,
  ) {}

  acquire(sessionKey: string | undefined, script: () => readonly CallerLine[]): ScriptCursor {
    if (sessionKey === undefined) return new ScriptCursor(script());
    const entry = this.entries.get(sessionKey);
    if (entry) {
      if (entry.evictTimer !== undefined) this.clock.clearTimeout(entry.evictTimer);
      entry.evictTimer = undefined;
      entry.users++;
      return entry.cursor;
    }
    const cursor = new ScriptCursor(script());
    this.entries.set(sessionKey, { cursor, users: 1, evictTimer: undefined });
    return cursor;
  }

  /** `finished`: the client ended the stream itself, so no redial will want this place. */
  release(sessionKey: string | undefined, finished: boolean): void {
    if (sessionKey === undefined) return;
    const entry = this.entries.get(sessionKey);
    if (!entry) return;
    entry.users--;
    if (finished) {
      this.forget(sessionKey);
    } else if (entry.users <= 0 && entry.evictTimer === undefined) {
      entry.evictTimer = this.clock.setTimeout(() => this.entries.delete(sessionKey), this.keepAfterDropMs);
    }
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.forget(key);
  }

  private forget(sessionKey: string): void {
    const entry = this.entries.get(sessionKey);
    if (entry?.evictTimer !== undefined) this.clock.clearTimeout(entry.evictTimer);
    this.entries.delete(sessionKey);
  }
}
