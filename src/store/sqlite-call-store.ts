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

function prepareStatements(db: Database.Database) {
  return {
    // The exact number first, then the default tenant.
    tenantByKey: db.prepare(
      `SELECT * FROM tenants WHERE number_key IN (?, ?) ORDER BY number_key = '*' LIMIT 1`,
    ),
    upsertTenant: db.prepare(
      `INSERT INTO tenants (number_key, number, id, company_name, trade, trade_label, callout_fee, area,
         time_zone, language, voice_en, voice_es, tier, transfer_number, updated_at)
       VALUES (@number_key, @number, @id, @company_name, @trade, @trade_label, @callout_fee, @area,
         @time_zone, @language, @voice_en, @voice_es, @tier, @transfer_number, @updated_at)
       ON CONFLICT (number_key) DO UPDATE SET
         number = excluded.number, id = excluded.id, company_name = excluded.company_name,
         trade = excluded.trade, trade_label = excluded.trade_label, callout_fee = excluded.callout_fee,
         area = excluded.area, time_zone = excluded.time_zone, language = excluded.language,
         voice_en = excluded.voice_en, voice_es = excluded.voice_es, tier = excluded.tier,
         transfer_number = excluded.transfer_number,
         updated_at = excluded.updated_at`,
    ),
    callIdsForCaller: db
      .prepare('SELECT call_id FROM calls WHERE caller_hash = ? AND tenant_id = ? LIMIT ?')
      .pluck(),
    insertCall: db.prepare(
      `INSERT INTO calls (call_id, tenant_id, dialled, caller_masked, caller_hash, language, started_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING`,
    ),
    endCall: db.prepare(
      `UPDATE calls SET ended_at = ?, outcome = ?, duration_ms = ?, turns = ?, barge_ins = ?, booked = ?,
         answer_to_first_audio_ms = ?, provider_errors = ?, fallbacks = ?
       WHERE call_id = ?`,
    ),
    callById: db.prepare('SELECT * FROM calls WHERE call_id = ?'),
    // A turn re-sent with the same index replaces the earlier one (e.g. agentText trimmed after a barge-in).
    upsertTurn: db.prepare(
      `INSERT INTO turns (call_id, idx, step, caller_text, agent_text, barge_in, stt_final_ms, llm_ttft_ms,
         tts_ttfb_ms, mouth_to_ear_ms, barge_in_stop_ms, llm_provider, llm_rounds, llm_requests, speculative, at)
       VALUES (@call_id, @idx, @step, @caller_text, @agent_text, @barge_in, @stt_final_ms, @llm_ttft_ms,
         @tts_ttfb_ms, @mouth_to_ear_ms, @barge_in_stop_ms, @llm_provider, @llm_rounds, @llm_requests,
         @speculative, @at)
       ON CONFLICT (call_id, idx) DO UPDATE SET
         step = excluded.step, caller_text = excluded.caller_text, agent_text = excluded.agent_text,
         barge_in = excluded.barge_in, stt_final_ms = excluded.stt_final_ms, llm_ttft_ms = excluded.llm_ttft_ms,
         tts_ttfb_ms = excluded.tts_ttfb_ms, mouth_to_ear_ms = excluded.mouth_to_ear_ms,
         barge_in_stop_ms = excluded.barge_in_stop_ms, llm_provider = excluded.llm_provider,
         llm_rounds = excluded.llm_rounds, llm_requests = excluded.llm_requests,
         speculative = excluded.speculative, at = excluded.at`,
    ),
    turnsByCall: db.prepare('SELECT * FROM turns WHERE call_id = ? ORDER BY idx'),
    // call_id is the idempotency key: a second booking for the call is a no-op (changes = 0). A clash on
    // the random id still raises SQLITE_CONSTRAINT_PRIMARYKEY, and the store re-rolls the id.
    insertBooking: db.prepare(
      `INSERT INTO bookings (id, call_id, tenant_id, customer_name, postcode, address, problem,
         caller_masked, caller_hash, created_at)
       VALUES (@id, @call_id, @tenant_id, @customer_name, @postcode, @address, @problem,
         @caller_masked, @caller_hash, @created_at)
       ON CONFLICT (call_id) DO NOTHING`,
    ),
    bookingByCall: db.prepare('SELECT * FROM bookings WHERE call_id = ?'),
  };
}
