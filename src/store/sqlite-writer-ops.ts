import type Database from 'better-sqlite3';
import { silentLogger } from '../log.js';
import { newBookingId } from './booking-input.js';
import { DEFAULT_TENANT_NUMBER } from './default-tenant.js';
import { type BookingRow, endCallParams } from './rows.js';
import { prepareStatements, type SqliteStatements } from './sqlite-statements.js';
import { toWireError, type WireError, type WriterOp } from './sqlite-writer-protocol.js';
import { BOOKING_ID_ATTEMPTS } from './store-errors.js';
import type { BookingInput, CallEnd, CallRecord, Tenant, TurnRecord } from './types.js';
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
  private readonly sql: SqliteStatements;
  private readonly queue: WriteBehindQueue;

  constructor(private readonly db: Database.Database) {
    this.sql = prepareStatements(db);
    // Failures are reported per write in the reply; the facade logs them on the main thread.
    this.queue = new WriteBehindQueue(db, silentLogger);
  }

  run(body: WriterOp): OpResult | Promise<OpResult> {
    switch (body.op) {
      case 'tenantForNumber':
        return { value: this.sql.tenantByKey.get(body.key, DEFAULT_TENANT_NUMBER) };
      case 'upsertTenant':
        this.upsertTenant(body.key, body.tenant, body.updatedAt);
        return { value: undefined };
      case 'callIdsForCaller':
        this.queue.flushNow();
        return { value: this.sql.callIdsForCaller.all(body.callerHash, body.tenantId, body.limit) };
      case 'startCall':
        return this.behind('startCall', body.call.callId, () => this.startCall(body.call));
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
        return this.behind('addTurn', body.turn.callId, () => this.addTurn(body.turn));
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

  private upsertTenant(key: string, t: Tenant, updatedAt: number): void {
    this.sql.upsertTenant.run({
      number_key: key,
      number: t.number,
      id: t.id,
      company_name: t.companyName,
      trade: t.trade,
      trade_label: t.tradeLabel,
      callout_fee: t.calloutFee,
      area: t.area,
      time_zone: t.timeZone,
      language: t.language,
      voice_en: t.voiceIds.en,
      voice_es: t.voiceIds.es,
      tier: t.tier,
      transfer_number: t.transferNumber ?? null,
      updated_at: updatedAt,
    });
  }

  private startCall(c: CallRecord): void {
    this.sql.insertCall.run(
      c.callId,
      c.tenantId,
      c.dialled,
      c.callerMasked,
      c.callerHash,
      c.language,
      c.startedAt,
    );
  }

  /** Returns the rows changed: 0 when the call has no start row. */
  private endCall(e: CallEnd): number {
    const info = this.sql.endCall.run(...endCallParams(e));
    return info.changes;
  }

  private addTurn(t: TurnRecord): void {
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
    });
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
      return { row: this.sql.bookingByCall.get(input.callId) as BookingRow, created: inserted };
    }
    throw new Error(`could not allocate a unique booking id for call ${input.callId}`);
  }
}

function isPrimaryKeyClash(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
