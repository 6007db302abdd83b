import type Database from 'better-sqlite3';
import { silentLogger } from '../log.js';
import { newBookingId } from './booking-input.js';
import { DEFAULT_TENANT_NUMBER } from './default-tenant.js';
import type { FieldCipher } from './field-cipher.js';
import {
  type BookingRow,
  bookingParams,
  callParams,
  endCallParams,
  interruptedParams,
  tenantParams,
  turnParams,
} from './rows.js';
import { SQL } from './sql.js';
import { toWireError, type WireError, type WriterOp } from './sqlite-writer-protocol.js';
import { BOOKING_ID_ATTEMPTS } from './store-errors.js';
import type { BookingInput, CallEnd } from './types.js';
import { WriteBehindQueue } from './write-behind.js';

export interface OpResult {
  value: unknown;
  /** A write-behind write that was attempted and failed (it never rejects; the facade logs it). */
  writeFailed?: WireError;
  /** Worth a warning in the log, not a failure. */
  warning?: string;
}

/**
 * The SQLite work itself, run on the writer thread (sqlite-writer.ts) that owns the connection. Call and
 * turn writes are write-behind: batched per tick into one transaction. Reads commit what is pending first,
 * so they see every write sent before them (messages arrive in order).
 */
export class SqliteWriterOps {
  private readonly sql: { [K in keyof typeof SQL]: Database.Statement };
  private readonly queue: WriteBehindQueue;

  /** `owner`: written on every call row this process starts; `cipher` seals callback numbers. */
  constructor(
    private readonly db: Database.Database,
    private readonly owner: string,
    private readonly cipher: FieldCipher,
  ) {
    this.sql = Object.fromEntries(
      Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)]),
    ) as SqliteWriterOps['sql'];
    // Failures are reported per write in the reply; the facade logs them on the main thread.
    this.queue = new WriteBehindQueue(db, silentLogger);
  }

  run(body: WriterOp): OpResult | Promise<OpResult> {
    switch (body.op) {
      case 'tenantForNumber':
        return { value: this.sql.tenantByKey.get(body.key, DEFAULT_TENANT_NUMBER) };
      case 'upsertTenant':
        this.sql.upsertTenant.run(...tenantParams(body.key, body.tenant, body.updatedAt));
        return { value: undefined };
      case 'callIdsForCaller':
        this.queue.flushNow();
        return {
          value: this.sql.callIdsForCaller.pluck().all(body.callerHash, body.tenantId, body.limit),
        };
      case 'startCall':
        return this.behind('startCall', body.call.callId, () => {
          this.sql.insertCall.run(...callParams(body.call, this.owner));
        });
      case 'endCall': {
        let unknownCall = false;
        const done = this.behind('endCall', body.end.callId, () => {
          unknownCall = this.endCall(body.end) === 0;
        });
        this.queue.flushNow();
        return done.then((r) =>
          unknownCall ? { ...r, warning: 'endCall for a call with no start row' } : r,
        );
      }
      case 'addTurn':
        return this.behind('addTurn', body.turn.callId, () => {
          this.sql.upsertTurn.run(...turnParams(body.turn));
        });
      case 'closeInterruptedCalls':
        this.queue.flushNow();
        return {
          value: this.sql.closeInterruptedCalls.run(...interruptedParams(body.owner, body.withWorkers))
            .changes,
        };
      case 'createBooking':
        return { value: this.createBooking(body.input, body.createdAt) };
      case 'bookingForCall':
        return { value: this.sql.bookingByCall.get(body.callId) };
      case 'turnsForCall':
        this.queue.flushNow();
        return { value: this.sql.turnsByCall.all(body.callId) };
      case 'callById':
        this.queue.flushNow();
        return { value: this.sql.callById.get(body.callId) };
      case 'purgeTranscripts':
        this.queue.flushNow();
        return { value: this.sql.purgeTranscripts.run(body.before).changes };
      case 'flush':
        this.queue.flushNow();
        return { value: undefined };
      case 'close':
        this.queue.flushNow();
        this.db.close();
        return { value: undefined };
    }
  }

  private behind(kind: string, callId: string, run: () => void): Promise<OpResult> {
    let failure: unknown;
    let failed = false;
    return this.queue
      .enqueue({
        kind,
        callId,
        run,
        onFailed: (err) => {
          failed = true;
          failure = err;
        },
      })
      .then(() => (failed ? { value: undefined, writeFailed: toWireError(failure) } : { value: undefined }));
  }

  /** Returns the rows changed: 0 when the call has no start row. */
  private endCall(e: CallEnd): number {
    const info = this.sql.endCall.run(...endCallParams(e));
    return info.changes;
  }

  /** One commit with synchronous=FULL: the caller is about to be told they are booked. */
  private createBooking(input: BookingInput, createdAt: number): { row: BookingRow; created: boolean } {
    this.queue.flushNow(); // keep the call row ahead of its booking on disk
    this.db.pragma('synchronous = FULL');
    try {
      return this.db.transaction(() => this.insertBookingOnce(input, createdAt))();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  private insertBookingOnce(input: BookingInput, createdAt: number): { row: BookingRow; created: boolean } {
    for (let attempt = 0; attempt < BOOKING_ID_ATTEMPTS; attempt++) {
      // A journalled booking brings the id the caller already heard; only a fresh one may be re-rolled.
      const id = input.id ?? newBookingId();
      let saved: BookingRow | undefined;
      try {
        saved = this.sql.saveBooking.get(...bookingParams(input, id, createdAt, this.cipher)) as
          | BookingRow
          | undefined;
      } catch (err) {
        if (!isPrimaryKeyClash(err) || input.id) throw err;
        continue;
      }
      if (saved) return { row: saved, created: (input.revision ?? 0) === 0 };
      return { row: this.sql.bookingByCall.get(input.callId) as BookingRow, created: false };
    }
    throw new Error(`could not allocate a unique booking id for call ${input.callId}`);
  }
}

function isPrimaryKeyClash(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
