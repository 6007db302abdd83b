/**
 * Every statement a CallStore runs, written once for both engines with `?` placeholders: SQLite
 * prepares them as they are, Postgres gets them numbered (PG_SQL). Their parameters are built in one
 * place too (rows.ts), in the column order given here.
 */
export const SQL = {
  // The exact number first, then the default tenant.
  tenantByKey: `SELECT * FROM tenants WHERE number_key IN (?, ?) ORDER BY number_key = '*' LIMIT 1`,
  upsertTenant: `INSERT INTO tenants (number_key, number, id, company_name, trade, trade_label, callout_fee,
      area, time_zone, language, voice_en, voice_es, tier, updated_at, transfer_number)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (number_key) DO UPDATE SET
      number = excluded.number, id = excluded.id, company_name = excluded.company_name,
      trade = excluded.trade, trade_label = excluded.trade_label, callout_fee = excluded.callout_fee,
      area = excluded.area, time_zone = excluded.time_zone, language = excluded.language,
      voice_en = excluded.voice_en, voice_es = excluded.voice_es, tier = excluded.tier,
      updated_at = excluded.updated_at, transfer_number = excluded.transfer_number`,
  callIdsForCaller: 'SELECT call_id FROM calls WHERE caller_hash = ? AND tenant_id = ? LIMIT ?',
  insertCall: `INSERT INTO calls (call_id, tenant_id, dialled, caller_masked, caller_hash, language, started_at, owner)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING`,
  endCall: `UPDATE calls SET ended_at = ?, outcome = ?, duration_ms = ?, turns = ?, barge_ins = ?,
      booked = ?, answer_to_first_audio_ms = ?, provider_errors = ?, fallbacks = ?
    WHERE call_id = ?`,
  // The process died under these calls: their end is the last thing stored for them.
  closeInterruptedCalls: `UPDATE calls SET
      ended_at = COALESCE((SELECT MAX(t.at) FROM turns t WHERE t.call_id = calls.call_id), calls.started_at),
      outcome = 'interrupted',
      duration_ms = COALESCE((SELECT MAX(t.at) FROM turns t WHERE t.call_id = calls.call_id), calls.started_at)
        - calls.started_at,
      turns = (SELECT COUNT(*) FROM turns t WHERE t.call_id = calls.call_id),
      booked = (SELECT COUNT(*) FROM bookings b WHERE b.call_id = calls.call_id)
    WHERE ended_at IS NULL AND (owner = ? OR (? = 1 AND substr(owner, 1, ?) = ?))`,
  callById: 'SELECT * FROM calls WHERE call_id = ?',
  // A turn re-sent with the same index replaces the earlier one (e.g. agentText trimmed after a barge-in).
  upsertTurn: `INSERT INTO turns (call_id, idx, step, caller_text, agent_text, barge_in, stt_final_ms,
      llm_ttft_ms, tts_ttfb_ms, mouth_to_ear_ms, barge_in_stop_ms, llm_provider, llm_rounds, llm_requests,
      speculative, at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (call_id, idx) DO UPDATE SET
      step = excluded.step, caller_text = excluded.caller_text, agent_text = excluded.agent_text,
      barge_in = excluded.barge_in, stt_final_ms = excluded.stt_final_ms, llm_ttft_ms = excluded.llm_ttft_ms,
      tts_ttfb_ms = excluded.tts_ttfb_ms, mouth_to_ear_ms = excluded.mouth_to_ear_ms,
      barge_in_stop_ms = excluded.barge_in_stop_ms, llm_provider = excluded.llm_provider,
      llm_rounds = excluded.llm_rounds, llm_requests = excluded.llm_requests,
      speculative = excluded.speculative, at = excluded.at`,
  turnsByCall: 'SELECT * FROM turns WHERE call_id = ? ORDER BY idx',
  // call_id is the idempotency key: a second write of a revision already stored (a retry, a replay, the
  // other node of a race: it waits on the UNIQUE index until the first commits) changes nothing and
  // returns no row; the store then reads the stored one. A higher revision (a correction) replaces the
  // details. A clash on the random id still raises a unique violation, and the store re-rolls it.
  saveBooking: `INSERT INTO bookings (id, call_id, tenant_id, customer_name, postcode, address, problem,
      caller_masked, caller_hash, created_at, callout_fee, consent, callback_number, revision, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (call_id) DO UPDATE SET
      customer_name = excluded.customer_name, postcode = excluded.postcode, address = excluded.address,
      problem = excluded.problem, callout_fee = excluded.callout_fee, consent = excluded.consent,
      callback_number = excluded.callback_number, revision = excluded.revision,
      updated_at = excluded.created_at
    WHERE bookings.revision < excluded.revision
    RETURNING *`,
  bookingByCall: 'SELECT * FROM bookings WHERE call_id = ?',
  // Retention: latency figures stay for the metrics history; only what was said goes.
  purgeTranscripts:
    "UPDATE turns SET caller_text = '', agent_text = '' WHERE at < ? AND (caller_text != '' OR agent_text != '')",
} as const;
