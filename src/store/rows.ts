import type { Booking, Tenant, TurnRecord } from './types.js';

/** Column shapes as SQLite returns them (STRICT tables, so the types hold). */
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

export function bookingFromRow(r: BookingRow): Booking {
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
  };
}
