import type { FieldCipher } from './field-cipher.js';
import type { SqlValue } from './sql-dialect.js';
import type { Booking, BookingInput, CallEnd, CallMetrics, CallRecord, Tenant, TurnRecord } from './types.js';

/**
 * Column shapes as SQLite returns them (STRICT tables, so the types hold). The Postgres schema uses the
 * same names and, with BIGINT read as numbers, the same shapes, so these mappers serve both engines.
 */
export interface TenantRow {
  number: string;
  id: string;
  company_name: string;
  trade: string;
  trade_label: string;
  callout_fee: number;
  area: string;
  time_zone: string;
  language: 'en' | 'es';
  voice_en: string;
  voice_es: string;
  tier: Tenant['tier'];
  /** Added by migration 4; NULL when the tenant has none. */
  transfer_number?: string | null;
}

export interface TurnRow {
  call_id: string;
  idx: number;
  step: string;
  caller_text: string;
  agent_text: string;
  barge_in: number;
  stt_final_ms: number | null;
  llm_ttft_ms: number | null;
  tts_ttfb_ms: number | null;
  mouth_to_ear_ms: number | null;
  barge_in_stop_ms: number | null;
  llm_provider: string | null;
  llm_rounds: number | null;
  llm_requests: number | null;
  speculative: number;
  at: number;
}

export interface BookingRow {
  id: string;
  call_id: string;
  tenant_id: string;
  customer_name: string;
  postcode: string;
  address: string;
  problem: string;
  caller_masked: string;
  caller_hash: string;
  created_at: number;
  /** Added by migration 5; NULL on older rows. */
  callout_fee?: number | null;
  consent?: string | null;
  callback_number?: string | null;
  revision?: number;
  updated_at?: number | null;
}

export function tenantFromRow(r: TenantRow): Tenant {
  return {
    id: r.id,
    number: r.number,
    companyName: r.company_name,
    trade: r.trade,
    tradeLabel: r.trade_label,
    calloutFee: r.callout_fee,
    area: r.area,
    timeZone: r.time_zone,
    language: r.language,
    voiceIds: { en: r.voice_en, es: r.voice_es },
    tier: r.tier,
    ...(r.transfer_number ? { transferNumber: r.transfer_number } : {}),
  };
}

export function turnFromRow(r: TurnRow): TurnRecord {
  return {
    callId: r.call_id,
    index: r.idx,
    step: r.step,
    callerText: r.caller_text,
    agentText: r.agent_text,
    bargeIn: r.barge_in === 1,
    sttFinalMs: r.stt_final_ms,
    llmTtftMs: r.llm_ttft_ms,
    ttsTtfbMs: r.tts_ttfb_ms,
    mouthToEarMs: r.mouth_to_ear_ms,
    bargeInStopMs: r.barge_in_stop_ms,
    llmProvider: r.llm_provider,
    llmRounds: r.llm_rounds,
    llmRequests: r.llm_requests,
    speculative: r.speculative === 1,
    at: r.at,
  };
}

/** A stored booking; the callback number is opened with the store's cipher (DATA_KEY). */
export function bookingFromRow(r: BookingRow, cipher: FieldCipher): Booking {
  return {
    id: r.id,
    callId: r.call_id,
    tenantId: r.tenant_id,
    customerName: r.customer_name,
    postcode: r.postcode,
    address: r.address,
    problem: r.problem,
    callerMasked: r.caller_masked,
    callerHash: r.caller_hash,
    createdAt: r.created_at,
    revision: r.revision ?? 0,
    ...(r.callout_fee != null ? { calloutFee: r.callout_fee } : {}),
    ...(r.consent != null ? { consent: r.consent } : {}),
    ...(r.callback_number != null ? { callbackNumber: cipher.open(r.callback_number, r.call_id) } : {}),
    ...(r.updated_at != null ? { updatedAt: r.updated_at } : {}),
  };
}

/** SQL.saveBooking's parameters: the callback number sealed for its call (DATA_KEY), in column order. */
export function bookingParams(
  b: BookingInput,
  id: string,
  createdAt: number,
  cipher: FieldCipher,
): SqlValue[] {
  return [
    id,
    b.callId,
    b.tenantId,
    b.customerName,
    b.postcode,
    b.address,
    b.problem,
    b.callerMasked,
    b.callerHash,
    createdAt,
    b.calloutFee ?? null,
    b.consent ?? null,
    b.callbackNumber ? cipher.seal(b.callbackNumber, b.callId) : null,
    b.revision ?? 0,
    null,
  ];
}

/** SQL.upsertTenant's parameters. */
export function tenantParams(key: string, t: Tenant, updatedAt: number): SqlValue[] {
  return [
    key,
    t.number,
    t.id,
    t.companyName,
    t.trade,
    t.tradeLabel,
    t.calloutFee,
    t.area,
    t.timeZone,
    t.language,
    t.voiceIds.en,
    t.voiceIds.es,
    t.tier,
    updatedAt,
    t.transferNumber ?? null,
  ];
}

/** SQL.insertCall's parameters: the call, and which node (or worker) runs it. */
export function callParams(c: CallRecord, owner: string): SqlValue[] {
  return [c.callId, c.tenantId, c.dialled, c.callerMasked, c.callerHash, c.language, c.startedAt, owner];
}

/** SQL.upsertTurn's parameters. */
export function turnParams(t: TurnRecord): SqlValue[] {
  return [
    t.callId,
    t.index,
    t.step,
    t.callerText,
    t.agentText,
    t.bargeIn ? 1 : 0,
    t.sttFinalMs,
    t.llmTtftMs,
    t.ttsTtfbMs,
    t.mouthToEarMs,
    t.bargeInStopMs,
    t.llmProvider,
    t.llmRounds,
    t.llmRequests,
    t.speculative ? 1 : 0,
    t.at,
  ];
}

/** SQL.closeInterruptedCalls's parameters. */
export function interruptedParams(owner: string, withWorkers: boolean): SqlValue[] {
  const prefix = `${owner}/`;
  return [owner, withWorkers ? 1 : 0, prefix.length, prefix];
}

/** A call row as stored, with its end-of-call metrics once the call has ended. */
export interface StoredCall extends CallRecord {
  endedAt: number | null;
  outcome: CallEnd['outcome'] | null;
  metrics: CallMetrics | null;
}

export interface CallRow {
  call_id: string;
  tenant_id: string;
  dialled: string;
  caller_masked: string;
  caller_hash: string;
  language: 'en' | 'es';
  started_at: number;
  ended_at: number | null;
  outcome: CallEnd['outcome'] | null;
  duration_ms: number | null;
  turns: number | null;
  barge_ins: number | null;
  booked: number | null;
  answer_to_first_audio_ms: number | null;
  provider_errors: number | null;
  fallbacks: number | null;
  /** Added by migration 5: the node (or node/worker) that ran the call. */
  owner?: string | null;
}

export function callFromRow(r: CallRow): StoredCall {
  return {
    callId: r.call_id,
    tenantId: r.tenant_id,
    dialled: r.dialled,
    callerMasked: r.caller_masked,
    callerHash: r.caller_hash,
    language: r.language,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    outcome: r.outcome,
    metrics:
      r.ended_at === null
        ? null
        : {
            durationMs: r.duration_ms ?? 0,
            turns: r.turns ?? 0,
            bargeIns: r.barge_ins ?? 0,
            booked: r.booked === 1,
            answerToFirstAudioMs: r.answer_to_first_audio_ms,
            providerErrors: r.provider_errors ?? 0,
            fallbacks: r.fallbacks ?? 0,
          },
  };
}

/** SQL.endCall's parameters. */
export function endCallParams(e: CallEnd): Array<string | number | null> {
  const m = e.metrics;
  return [
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
  ];
}
