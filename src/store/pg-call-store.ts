import type { Pool } from 'pg';
import { type Logger, silentLogger } from '../log.js';
import { newBookingId, parseBookingInput } from './booking-input.js';
import { DEFAULT_TENANT, DEFAULT_TENANT_NUMBER } from './default-tenant.js';
import { type FieldCipher, fieldCipher } from './field-cipher.js';
import { migratePg } from './pg-migrations.js';
import { isUniqueViolation, openPgPool } from './pg-pool.js';
import { PgWriteBehindQueue } from './pg-write-behind.js';
import {
  type BookingRow,
  bookingFromRow,
  bookingParams,
  type CallRow,
  callFromRow,
  callParams,
  endCallParams,
  interruptedParams,
  type StoredCall,
  type TenantRow,
  type TurnRow,
  tenantFromRow,
  tenantParams,
  turnFromRow,
  turnParams,
} from './rows.js';
import { SQL } from './sql.js';
import { forPostgres } from './sql-dialect.js';
import { assertOpen, BOOKING_ID_ATTEMPTS, droppedAfterClose } from './store-errors.js';
import { defaultOwner, type StoreIdentity } from './store-identity.js';
import { dialledNumberKey, tenantNumberKey } from './tenant-number-key.js';
import { parseTenant } from './tenant-schema.js';
import type { Booking, BookingInput, CallEnd, CallRecord, CallStore, Tenant, TurnRecord } from './types.js';
import type { WriteErrorHandler } from './write-behind.js';

const PG_SQL = forPostgres(SQL);

export interface PgCallStoreOptions extends StoreIdentity {
  /** postgres://user:password@host:port/database */
  url: string;
  log?: Logger;
  /** Wall clock (epoch ms) for booking timestamps; tests pin it. */
  now?: () => number;
  /** Told about every write-behind write that failed (already logged). */
  onWriteError?: WriteErrorHandler;
}

/**
 * CallStore on PostgreSQL, for several nodes sharing one database. Behaves like SqliteCallStore: call
 * and turn writes are write-behind (PgWriteBehindQueue), bookings commit durably before they resolve,
 * and a call books at most once, across nodes too (UNIQUE call_id with ON CONFLICT DO NOTHING).
 */
export class PgCallStore implements CallStore {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly queue: PgWriteBehindQueue;
  private readonly owner: string;
  private readonly cipher: FieldCipher;
  /** Calls started and not yet ended on this node; they are not "previous" calls. */
  private readonly activeCalls = new Set<string>();
  private closed = false;

  /** Connects and brings the schema up to date; several nodes may open at once. */
  static async open(opts: PgCallStoreOptions): Promise<PgCallStore> {
    const log = opts.log ?? silentLogger;
    const pool = openPgPool(opts.url, log);
    try {
      await migratePg(pool);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return new PgCallStore(pool, { ...opts, log });
  }

  private constructor(
    private readonly pool: Pool,
    opts: PgCallStoreOptions,
  ) {
    this.log = opts.log ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.queue = new PgWriteBehindQueue(pool, this.log, opts.onWriteError);
    this.owner = opts.owner ?? defaultOwner();
    this.cipher = fieldCipher(opts.dataKey);
  }

  async tenantForNumber(dialled: string): Promise<Tenant> {
    assertOpen(this.closed);
    const { rows } = await this.pool.query<TenantRow>(PG_SQL.tenantByKey, [
      dialledNumberKey(dialled),
      DEFAULT_TENANT_NUMBER,
    ]);
    return rows[0] ? tenantFromRow(rows[0]) : DEFAULT_TENANT;
  }

  async upsertTenant(t: Tenant): Promise<void> {
    assertOpen(this.closed);
    const tenant = parseTenant(t);
    await this.pool.query(PG_SQL.upsertTenant, tenantParams(tenantNumberKey(tenant), tenant, this.now()));
  }

  async isRepeatCaller(callerHash: string, tenantId: string): Promise<boolean> {
    assertOpen(this.closed);
    if (!callerHash) return false; // withheld numbers are nobody in particular
    await this.queue.flush();
    // A handful is enough: all we need is one call that is not in progress on this node.
    const { rows } = await this.pool.query<{ call_id: string }>(PG_SQL.callIdsForCaller, [
      callerHash,
      tenantId,
      this.activeCalls.size + 1,
    ]);
    return rows.some((r) => !this.activeCalls.has(r.call_id));
  }

  startCall(c: CallRecord): Promise<void> {
    if (droppedAfterClose(this.closed, this.log, 'startCall', c.callId)) return Promise.resolve();
    this.activeCalls.add(c.callId);
    return this.queue.enqueue({
      kind: 'startCall',
      callId: c.callId,
      run: (db) => db.query(PG_SQL.insertCall, callParams(c, this.owner)),
    });
  }

  /** Queues the end row and commits everything pending for every call before resolving. */
  endCall(e: CallEnd): Promise<void> {
    if (droppedAfterClose(this.closed, this.log, 'endCall', e.callId)) return Promise.resolve();
    this.activeCalls.delete(e.callId);
    const written = this.queue.enqueue({
      kind: 'endCall',
      callId: e.callId,
      run: async (db) => {
        const res = await db.query(PG_SQL.endCall, endCallParams(e));
        if (res.rowCount === 0) this.log.warn({ callId: e.callId }, 'endCall for a call with no start row');
      },
    });
    void this.queue.flush();
    return written;
  }

  addTurn(t: TurnRecord): Promise<void> {
    if (droppedAfterClose(this.closed, this.log, 'addTurn', t.callId)) return Promise.resolve();
    return this.queue.enqueue({
      kind: 'addTurn',
      callId: t.callId,
      run: (db) => db.query(PG_SQL.upsertTurn, turnParams(t)),
    });
  }

  async closeInterruptedCalls(owner: string, opts: { withWorkers?: boolean } = {}): Promise<number> {
    assertOpen(this.closed);
    await this.queue.flush();
    const res = await this.pool.query(
      PG_SQL.closeInterruptedCalls,
      interruptedParams(owner, opts.withWorkers ?? false),
    );
    return res.rowCount ?? 0;
  }

  async purgeTranscripts(before: number): Promise<number> {
    assertOpen(this.closed);
    await this.queue.flush();
    return (await this.pool.query(PG_SQL.purgeTranscripts, [before])).rowCount ?? 0;
  }

  /** Commits with synchronous_commit on (the server default): the caller is about to hear "booked". */
  async createBooking(b: BookingInput): Promise<{ booking: Booking; created: boolean }> {
    assertOpen(this.closed);
    const input = parseBookingInput(b);
    await this.queue.flush(); // keep the call row ahead of its booking
    const createdAt = this.now();
    for (let attempt = 0; attempt < BOOKING_ID_ATTEMPTS; attempt++) {
      // A journalled booking brings the id the caller already heard; only a fresh one may be re-rolled.
      const id = input.id ?? newBookingId();
      let clash: unknown;
      try {
        const { rows } = await this.pool.query<BookingRow>(
          PG_SQL.saveBooking,
          bookingParams(input, id, createdAt, this.cipher),
        );
        if (rows[0]) {
          return { booking: bookingFromRow(rows[0], this.cipher), created: (input.revision ?? 0) === 0 };
        }
      } catch (err) {
        // A clash on the id rather than the call: another node may have just stored this very booking
        // (same journalled id), or the random id is taken.
        if (!isUniqueViolation(err)) throw err;
        clash = err;
      }
      const existing = await this.bookingForCall(input.callId);
      if (existing) return { booking: existing, created: false };
      if (clash && input.id) throw clash;
    }
    throw new Error(`could not allocate a unique booking id for call ${input.callId}`);
  }

  async bookingForCall(callId: string): Promise<Booking | undefined> {
    assertOpen(this.closed);
    const { rows } = await this.pool.query<BookingRow>(PG_SQL.bookingByCall, [callId]);
    return rows[0] ? bookingFromRow(rows[0], this.cipher) : undefined;
  }

  async turnsForCall(callId: string): Promise<TurnRecord[]> {
    assertOpen(this.closed);
    await this.queue.flush();
    const { rows } = await this.pool.query<TurnRow>(PG_SQL.turnsByCall, [callId]);
    return rows.map(turnFromRow);
  }

  /** The stored call row (for admin views and tests); undefined if it was never written. */
  async callById(callId: string): Promise<StoredCall | undefined> {
    assertOpen(this.closed);
    await this.queue.flush();
    const { rows } = await this.pool.query<CallRow>(PG_SQL.callById, [callId]);
    return rows[0] ? callFromRow(rows[0]) : undefined;
  }

  /** Commits pending write-behind writes now. */
  async flush(): Promise<void> {
    if (!this.closed) await this.queue.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.flush();
    await this.pool.end();
  }
}
