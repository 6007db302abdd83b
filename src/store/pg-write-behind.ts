import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../log.js';
import type { WriteErrorHandler } from './write-behind.js';

export interface PgQueuedWrite {
  /** For logs: what the write is, e.g. 'addTurn'. */
  kind: string;
  callId: string;
  run: (client: PoolClient) => Promise<unknown>;
}

interface Pending extends PgQueuedWrite {
  done: () => void;
}

/** Writes waiting for the database; past this, new ones are dropped (and logged) rather than piling up. */
export const PG_MAX_PENDING_WRITES = 20_000;

/**
 * The Postgres counterpart of WriteBehindQueue: writes made during one event-loop turn go to the
 * database together on the next `setImmediate`, in one transaction with synchronous_commit off (a
 * crash may lose the last moments of call/turn rows, never a booking). Batches commit one after
 * another, so a turn never overtakes its call row.
 *
 * If any write in a batch fails, the batch is rolled back and its writes are retried one by one, so
 * one bad row is logged and dropped without its neighbours. Promises from `enqueue` resolve once the
 * write has been attempted and never reject; failures go to the log and to `onError`.
 */
export class PgWriteBehindQueue {
  private pending: Pending[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  /** The last batch handed to the database; the next one starts after it. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    private readonly onError?: WriteErrorHandler,
    private readonly maxPending = PG_MAX_PENDING_WRITES,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  enqueue(write: PgQueuedWrite): Promise<void> {
    if (this.pending.length >= this.maxPending) {
      this.fail(write, new Error('store write queue full'));
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.pending.push({ ...write, done: resolve });
      this.scheduled ??= setImmediate(() => void this.flush());
    });
  }

  /** Resolves once every write enqueued before this call has been attempted. Never rejects. */
  flush(): Promise<void> {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.tail = this.tail.then(() => this.commit(batch));
    return this.tail;
  }

  private async commit(batch: Pending[]): Promise<void> {
    let client: PoolClient | undefined;
    try {
      client = await this.pool.connect();
      if (!(await this.commitTogether(client, batch))) await this.commitOneByOne(client, batch);
      client.release();
    } catch (err) {
      // No connection, or the connection died mid-way: nothing more of this batch can be stored.
      client?.release(true);
      for (const write of batch) this.fail(write, err);
    } finally {
      for (const write of batch) write.done();
    }
  }

  /** One transaction for the whole batch; false if a write failed and the batch was rolled back. */
  private async commitTogether(client: PoolClient, batch: Pending[]): Promise<boolean> {
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL synchronous_commit = off');
      for (const write of batch) await write.run(client);
    } catch {
      await client.query('ROLLBACK');
      return false;
    }
    await client.query('COMMIT');
    return true;
  }

  private async commitOneByOne(client: PoolClient, batch: Pending[]): Promise<void> {
    for (const write of batch) {
      try {
        await write.run(client);
      } catch (err) {
        this.fail(write, err);
      }
    }
  }

  private fail(write: PgQueuedWrite, err: unknown): void {
    this.log.error({ err, kind: write.kind, callId: write.callId }, 'store write failed');
    this.onError?.({ kind: write.kind, callId: write.callId }, err);
  }
}
