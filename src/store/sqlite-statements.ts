// The prepared SQL statements of SqliteCallStore, kept apart so the store itself reads as behaviour.
import type Database from 'better-sqlite3';

export function prepareStatements(db: Database.Database) {
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
         transfer_number = excluded.transfer_number, updated_at = excluded.updated_at`,
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
