// The CallStore on SQLite: call, turn and tenant reads and writes, and the durable booking insert.
import type Database from 'better-sqlite3';
import { type Logger, silentLogger } from '../log.js';
import { newBookingId, parseBookingInput } from './booking-input.js';
import { DEFAULT_TENANT, DEFAULT_TENANT_NUMBER } from './default-tenant.js';
import { openDatabase } from './open-database.js';
import {
  type BookingRow,
  bookingFromRow,
  type CallRow,
  callFromRow,
  type StoredCall,
  type TenantRow,
  type TurnRow,
  tenantFromRow,
  turnFromRow,
} from './rows.js';
import { prepareStatements } from './sqlite-statements.js';
import { BOOKING_ID_ATTEMPTS, StoreClosedError } from './store-errors.js';
import { dialledNumberKey, tenantNumberKey } from './tenant-number-key.js';
import { parseTenant } from './tenant-schema.js';
import type { Booking, BookingInput, CallEnd, CallRecord, CallStore, Tenant, TurnRecord } from './types.js';
import { WriteBehindQueue, type WriteErrorHandler } from './write-behind.js';

// Existing importers take these from here.
export { StoreClosedError, type StoredCall };

export interface SqliteCallStoreOptions {
  /** Database file; created with its directory. Default data/callchart.db. */
  path?: string;
  log?: Logger;
  /** Wall clock (epoch ms) for booking timestamps; tests pin it. */
  now?: () => number;
  /** Told about every write-behind write that failed (already logged). */
  onWriteError?: WriteErrorHandler;
}

/**
 * CallStore on better-sqlite3. Call and turn writes are write-behind (see WriteBehindQueue): they never
 * run on the caller's stack. Bookings are the exception: createBooking resolves only after its own
 * transaction has committed with synchronous=FULL, because the caller is about to be told "you're booked".
 */
export class SqliteCallStore implements CallStore {
  private readonly db: Database.Database;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly queue: WriteBehindQueue;
  /** Calls started and not yet ended in this process; they are not "previous" calls. */
  private readonly activeCalls = new Set<string>();
  private closed = false;
  private readonly sql;

  constructor(opts: SqliteCallStoreOptions = {}) {
    this.log = opts.log ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.db = openDatabase(opts.path);
    this.queue = new WriteBehindQueue(this.db, this.log, opts.onWriteError);
    this.sql = prepareStatements(this.db);
  }

  /** Journal mode actually in force ('wal' unless the file system refused it). */
  journalMode(): string {
    return String(this.db.pragma('journal_mode', { simple: true }));
  }

  async tenantForNumber(dialled: string): Promise<Tenant> {
    this.assertOpen();
    const key = dialledNumberKey(dialled);
    const row = this.sql.tenantByKey.get(key, DEFAULT_TENANT_NUMBER) as TenantRow | undefined;
    return row ? tenantFromRow(row) : DEFAULT_TENANT;
  }

  async upsertTenant(t: Tenant): Promise<void> {
    this.assertOpen();
    const tenant = parseTenant(t);
    const key = tenantNumberKey(tenant);
    this.sql.upsertTenant.run({
      number_key: key,
      number: tenant.number,
      id: tenant.id,
      company_name: tenant.companyName,
      trade: tenant.trade,
      trade_label: tenant.tradeLabel,
      callout_fee: tenant.calloutFee,
      area: tenant.area,
      time_zone: tenant.timeZone,
      language: tenant.language,
      voice_en: tenant.voiceIds.en,
      voice_es: tenant.voiceIds.es,
      tier: tenant.tier,
      transfer_number: tenant.transferNumber ?? null,
      updated_at: this.now(),
    });
  }

  async isRepeatCaller(callerHash: string, tenantId: string): Promise<boolean> {
    this.assertOpen();
    if (!callerHash) return false; // withheld numbers are nobody in particular
    this.queue.flushNow();
    // A handful is enough: all we need is one call that is not in progress right now.
    const ids = this.sql.callIdsForCaller.all(callerHash, tenantId, this.activeCalls.size + 1) as string[];
    return ids.some((id) => !this.activeCalls.has(id));
  }

  startCall(c: CallRecord): Promise<void> {
    if (this.rejectIfClosed('startCall', c.callId)) return Promise.resolve();
    this.activeCalls.add(c.callId);
    return this.queue.enqueue({
      kind: 'startCall',
      callId: c.callId,
      run: () =>
        this.sql.insertCall.run(
          c.callId,
          c.tenantId,
          c.dialled,
          c.callerMasked,
          c.callerHash,
          c.language,
          c.startedAt,
        ),
    });
  }

  /** Queues the end row and commits everything pending for every call before resolving. */
  endCall(e: CallEnd): Promise<void> {
    if (this.rejectIfClosed('endCall', e.callId)) return Promise.resolve();
    this.activeCalls.delete(e.callId);
    const m = e.metrics;
    const written = this.queue.enqueue({
      kind: 'endCall',
      callId: e.callId,
      run: () => {
        const info = this.sql.endCall.run(
          e.endedAt,
          e.outcome,
          Math.round(m.durationMs),
          m.turns,
          m.bargeIns,
          m.booked ? 1 : 0,
          m.answerToFirstAudioMs === null ? null : Math.round(m.answerToFirstAudioMs),
          m.providerErrors,
          m.fallbacks,
          e.callId,
        );
        if (info.changes === 0) this.log.warn({ callId: e.callId }, 'endCall for a call with no start row');
      },
    });
    this.queue.flushNow();
    return written;
  }

  addTurn(t: TurnRecord): Promise<void> {
    if (this.rejectIfClosed('addTurn', t.callId)) return Promise.resolve();
    return this.queue.enqueue({
      kind: 'addTurn',
      callId: t.callId,
      run: () =>
        this.sql.upsertTurn.run({
          call_id: t.callId,
          idx: t.index,
          step: t.step,
          caller_text: t.callerText,
          agent_text: t.agentText,
          barge_in: t.bargeIn ? 1 : 0,
          stt_final_ms: t.sttFinalMs,
          llm_ttft_ms: t.llmTtftMs,
          tts_ttfb_ms: t.ttsTtfbMs,
          mouth_to_ear_ms: t.mouthToEarMs,
          barge_in_stop_ms: t.bargeInStopMs,
          llm_provider: t.llmProvider,
          llm_rounds: t.llmRounds,
          llm_requests: t.llmRequests,
          speculative: t.speculative ? 1 : 0,
          at: t.at,
        }),
    });
  }

  async createBooking(b: BookingInput): Promise<{ booking: Booking; created: boolean }> {
    this.assertOpen();
    const input = parseBookingInput(b);
    this.queue.flushNow(); // keep the call row ahead of its booking on disk
    // FULL for this one commit: the caller is told they are booked, so it must survive a power cut too.
    this.db.pragma('synchronous = FULL');
    try {
      return this.insertBookingOnce(input);
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  async bookingForCall(callId: string): Promise<Booking | undefined> {
    this.assertOpen();
    const row = this.sql.bookingByCall.get(callId) as BookingRow | undefined;
    return row ? bookingFromRow(row) : undefined;
  }

  async turnsForCall(callId: string): Promise<TurnRecord[]> {
    this.assertOpen();
    this.queue.flushNow();
    return (this.sql.turnsByCall.all(callId) as TurnRow[]).map(turnFromRow);
  }

  async purgeTranscripts(before: number): Promise<number> {
    this.assertOpen();
    this.queue.flushNow();
    // Latency figures stay for the metrics history; only what was said goes.
    const result = this.db
      .prepare(
        "UPDATE turns SET caller_text = '', agent_text = '' WHERE at < ? AND (caller_text != '' OR agent_text != '')",
      )
      .run(before);
    return result.changes;
  }

  /** The stored call row (for admin views and tests); undefined if it was never written. */
  async callById(callId: string): Promise<StoredCall | undefined> {
    this.assertOpen();
    this.queue.flushNow();
    const r = this.sql.callById.get(callId) as CallRow | undefined;
    return r ? callFromRow(r) : undefined;
  }

  /** Commits pending write-behind writes now. */
  async flush(): Promise<void> {
    if (!this.closed) this.queue.flushNow();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.queue.flushNow();
    this.closed = true;
    this.db.close();
  }

  private insertBookingOnce(input: BookingInput): { booking: Booking; created: boolean } {
    return this.db.transaction(() => {
      const createdAt = this.now();
      for (let attempt = 0; attempt < BOOKING_ID_ATTEMPTS; attempt++) {
        // A journalled booking brings the id the caller already heard; only a fresh one may be re-rolled.
        const id = input.id ?? newBookingId();
        let inserted: boolean;
        try {
          inserted =
            this.sql.insertBooking.run({
              id,
              call_id: input.callId,
              tenant_id: input.tenantId,
              customer_name: input.customerName,
              postcode: input.postcode,
              address: input.address,
              problem: input.problem,
              caller_masked: input.callerMasked,
              caller_hash: input.callerHash,
              created_at: createdAt,
            }).changes === 1;
        } catch (err) {
          if (!isPrimaryKeyClash(err) || input.id) throw err;
          continue;
        }
        const row = this.sql.bookingByCall.get(input.callId) as BookingRow;
        return { booking: bookingFromRow(row), created: inserted };
      }
      throw new Error(`could not allocate a unique booking id for call ${input.callId}`);
    })();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError('store is closed');
  }

  /** Write-behind writes never reject (see WriteBehindQueue); after close they are logged and dropped. */
  private rejectIfClosed(kind: string, callId: string): boolean {
    if (!this.closed) return false;
    this.log.warn({ kind, callId }, 'store write after close dropped');
    return true;
  }
}

function isPrimaryKeyClash(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
