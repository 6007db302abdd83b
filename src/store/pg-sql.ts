/**
 * The statements of PgCallStore: the same queries as the SQLite store's prepared statements, in
 * Postgres' $n placeholders. Kept apart so the store itself reads as behaviour.
 */
export const PG_SQL = {
  // The exact number first, then the default tenant.
  tenantByKey: `SELECT * FROM tenants WHERE number_key IN ($1, $2) ORDER BY number_key = '*' LIMIT 1`,
  upsertTenant: `INSERT INTO tenants (number_key, number, id, company_name, trade, trade_label, callout_fee,
      area, time_zone, language, voice_en, voice_es, tier, updated_at, transfer_number)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
    ON CONFLICT (number_key) DO UPDATE SET
      number = excluded.number, id = excluded.id, company_name = excluded.company_name,
      trade = excluded.trade, trade_label = excluded.trade_label, callout_fee = excluded.callout_fee,
      area = excluded.area, time_zone = excluded.time_zone, language = excluded.language,
      voice_en = excluded.voice_en, voice_es = excluded.voice_es, tier = excluded.tier,
      updated_at = excluded.updated_at, transfer_number = excluded.transfer_number`,
  callIdsForCaller: 'SELECT call_id FROM calls WHERE caller_hash = $1 AND tenant_id = $2 LIMIT $3',
  insertCall: `INSERT INTO calls (call_id, tenant_id, dialled, caller_masked, caller_hash, language, started_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (call_id) DO NOTHING`,
  endCall: `UPDATE calls SET ended_at = $1, outcome = $2, duration_ms = $3, turns = $4, barge_ins = $5,
      booked = $6, answer_to_first_audio_ms = $7, provider_errors = $8, fallbacks = $9
    WHERE call_id = $10`,
  callById: 'SELECT * FROM calls WHERE call_id = $1',
  // A turn re-sent with the same index replaces the earlier one (e.g. agentText trimmed after a barge-in).
  upsertTurn: `INSERT INTO turns (call_id, idx, step, caller_text, agent_text, barge_in, stt_final_ms,
      llm_ttft_ms, tts_ttfb_ms, mouth_to_ear_ms, barge_in_stop_ms, llm_provider, llm_rounds, llm_requests,
      speculative, at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
    ON CONFLICT (call_id, idx) DO UPDATE SET
      step = excluded.step, caller_text = excluded.caller_text, agent_text = excluded.agent_text,
      barge_in = excluded.barge_in, stt_final_ms = excluded.stt_final_ms, llm_ttft_ms = excluded.llm_ttft_ms,
      tts_ttfb_ms = excluded.tts_ttfb_ms, mouth_to_ear_ms = excluded.mouth_to_ear_ms,
      barge_in_stop_ms = excluded.barge_in_stop_ms, llm_provider = excluded.llm_provider,
      llm_rounds = excluded.llm_rounds, llm_requests = excluded.llm_requests,
      speculative = excluded.speculative, at = excluded.at`,
  turnsByCall: 'SELECT * FROM turns WHERE call_id = $1 ORDER BY idx',
  // call_id is the idempotency key. When two nodes race, the second INSERT waits on the UNIQUE index
  // until the first commits, then does nothing and returns no row; the store then reads the winner.
  insertBooking: `INSERT INTO bookings (id, call_id, tenant_id, customer_name, postcode, address, problem,
      caller_masked, caller_hash, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    ON CONFLICT (call_id) DO NOTHING
    RETURNING *`,
  bookingByCall: 'SELECT * FROM bookings WHERE call_id = $1',
} as const;
