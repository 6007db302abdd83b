import type Database from 'better-sqlite3';
import type { Logger } from '../log.js';

export interface QueuedWrite {
  /** For logs: what the write is, e.g. 'addTurn'. */
  kind: string;
  callId: string;
  run: () => void;
  /** Told when this write was not stored (after the log line and `onError`). */
  onFailed?: (err: unknown) => void;
}

export type WriteErrorHandler = (write: Pick<QueuedWrite, 'kind' | 'callId'>, err: unknown) => void;

interface Pending extends QueuedWrite {
  done: () => void;
}

/**
 * Collects writes made during one event-loop turn and commits them in a single transaction on the
 * next `setImmediate`, so a call's hot path never waits on SQLite and hundreds of calls share one
 * fsync-free commit per tick.
 *
 * Each write runs inside its own savepoint: one bad row (a turn for an unknown call) is logged and
 * dropped without taking its neighbours with it. Promises returned by `enqueue` resolve once the
 * write's batch has been attempted and never reject, so fire-and-forget callers cannot crash the
 * process with an unhandled rejection; failures go to the log and to `onError`.
 */
export class WriteBehindQueue {
  private pending: Pending[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private readonly runOne: (write: QueuedWrite) => void;

  constructor(
    private readonly db: Database.Database,
    private readonly log: Logger,
    private readonly onError?: WriteErrorHandler,
  ) {
    // A transaction function called inside another transaction becomes a savepoint.
    this.runOne = db.transaction((write: QueuedWrite) => write.run());
  }

  get size(): number {
    return this.pending.length;
  }

  enqueue(write: QueuedWrite): Promise<void> {
    return new Promise<void>((resolve) => {
      this.pending.push({ ...write, done: resolve });
      this.scheduled ??= setImmediate(() => this.flushNow());
    });
  }

  /** Commits everything queued so far, synchronously. Called by the tick, by reads and by close. */
  flushNow(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const failed: Array<{ write: Pending; err: unknown }> = [];
    try {
      this.db.transaction(() => {
        for (const write of batch) {
          try {
            this.runOne(write);
          } catch (err) {
            failed.push({ write, err });
          }
        }
      })();
    } catch (err) {
      // The commit itself failed (disk full, lock held too long): nothing in the batch was stored.
      failed.length = 0;
      for (const write of batch) failed.push({ write, err });
    }
    for (const { write, err } of failed) {
      this.log.error({ err, kind: write.kind, callId: write.callId }, 'store write failed');
      this.onError?.({ kind: write.kind, callId: write.callId }, err);
      write.onFailed?.(err);
    }
    for (const write of batch) write.done();
  }
}
