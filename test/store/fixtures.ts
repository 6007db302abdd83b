import { hashCaller } from '../../src/store/phone-number.js';
import type { BookingInput, CallEnd, CallRecord, Tenant, TurnRecord } from '../../src/store/types.js';

export const CALLER = '+447700900123';
/** The caller-hash key of every test (CALLER_HASH_KEY). */
export const TEST_HASH_KEY = 'test-caller-hash-key-0123456789';

export function callRecord(callId: string, over: Partial<CallRecord> = {}): CallRecord {
  return {
    callId,
    tenantId: 'quick-fix-plumbing',
    callerMasked: '+44*******123',
    callerHash: hashCaller(CALLER, TEST_HASH_KEY),
    dialled: '02012345678',
    language: 'en',
    startedAt: 1_700_000_000_000,
    ...over,
  };
}

export function callEnd(callId: string, over: Partial<CallEnd> = {}): CallEnd {
  return {
    callId,
    endedAt: 1_700_000_060_000,
    outcome: 'booked',
    metrics: {
      durationMs: 60_000,
      turns: 3,
      bargeIns: 1,
      booked: true,
      answerToFirstAudioMs: 180,
      providerErrors: 0,
      fallbacks: 1,
    },
    ...over,
  };
}

export function turn(callId: string, index: number, over: Partial<TurnRecord> = {}): TurnRecord {
  return {
    callId,
    index,
    step: index === 0 ? 'greet' : 'understand',
    callerText: index === 0 ? '' : 'my boiler is leaking',
    agentText: 'Quick Fix Plumbing, how can I help?',
    bargeIn: false,
    sttFinalMs: 120.5,
    llmTtftMs: 210,
    ttsTtfbMs: 90,
    mouthToEarMs: 430,
    bargeInStopMs: null,
    llmProvider: 'groq',
    llmRounds: 1,
    llmRequests: 1,
    speculative: false,
    at: 1_700_000_001_000 + index,
    ...over,
  };
}

export function bookingInput(callId: string, over: Partial<BookingInput> = {}): BookingInput {
  return {
    callId,
    tenantId: 'quick-fix-plumbing',
    customerName: 'Jane Smith',
    postcode: 'NN15 6QP',
    address: '12 High Street, Kettering',
    problem: 'leaking boiler',
    callerMasked: '+44*******123',
    callerHash: hashCaller(CALLER, TEST_HASH_KEY),
    ...over,
  };
}

export const QUICK_FIX: Tenant = {
  id: 'quick-fix-plumbing',
  number: '020 1234 5678',
  companyName: 'Quick Fix Plumbing',
  trade: 'plumbing',
  tradeLabel: 'plumber',
  calloutFee: 49,
  area: 'London',
  timeZone: 'Europe/London',
  language: 'en',
  voiceIds: { en: 'voice-en', es: 'voice-es' },
  tier: 'enterprise',
};
