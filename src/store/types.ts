import type { CallOutcome } from '../../machines/call.types.js';
/** A company that owns one or more dialled numbers. */
export interface Tenant {
  id: string;
  /** Dialled number (DID) in E.164 or national form as the trunk delivers it; '*' for the default tenant. */
  number: string;
  companyName: string;
  trade: string; // plumbing
  tradeLabel: string; // plumber
  calloutFee: number; // whole pounds
  area: string;
  timeZone: string; // IANA, e.g. Europe/London
  language: 'en' | 'es';
  voiceIds: { en: string; es: string };
  tier: 'free' | 'pro' | 'enterprise';
  /** Where a call handed to a person is put through (Asterisk `Dial`, Twilio `<Dial>`); absent: none. */
  transferNumber?: string;
}

export interface CallRecord {
  callId: string; // AudioSocket UUID
  tenantId: string;
  callerMasked: string; // never the full number
  callerHash: string; // HMAC of the normalised number, for repeat-caller detection
  dialled: string;
  language: 'en' | 'es';
  startedAt: number; // epoch ms
}

export interface CallEnd {
  callId: string;
  endedAt: number;
  /** How the chart ended the call, or what ended it from outside. */
  outcome: CallOutcome | 'caller-hangup' | 'error' | 'no-call';
  metrics: CallMetrics;
}

export interface CallMetrics {
  durationMs: number;
  turns: number;
  bargeIns: number;
  booked: boolean;
  answerToFirstAudioMs: number | null;
  providerErrors: number;
  fallbacks: number;
}

export interface TurnRecord {
  callId: string;
  index: number; // 0 = greeting
  step: string; // workflow step when the reply was made
  callerText: string;
  agentText: string; // only what the caller heard when barged in
  bargeIn: boolean;
  sttFinalMs: number | null;
  llmTtftMs: number | null;
  ttsTtfbMs: number | null;
  mouthToEarMs: number | null; // as the agent sees it
  bargeInStopMs: number | null;
  llmProvider: string | null;
  /** LLM requests made before the reply's first audio (0 for a fixed line). */
  llmRounds: number | null;
  /** All LLM requests of the turn, cancelled speculative ones included. */
  llmRequests: number | null;
  /** The reply was started on an early end-of-turn signal, before the turn was confirmed. */
  speculative: boolean;
  at: number; // epoch ms
}

/**
 * The provider time of a stored turn: STT final + LLM time to first token + TTS first audio. A fixed
 * line asks no model (`llmRounds` 0), so its LLM share is nothing rather than unknown. A speculative
 * reply's LLM and TTS windows run while the STT is still finishing the turn, so their sum is not the
 * time the caller waited for the providers: it has none (null), and no overhead is derived from it.
 */
export function turnProviderMs(
  t: Pick<TurnRecord, 'sttFinalMs' | 'llmTtftMs' | 'ttsTtfbMs' | 'llmRounds' | 'speculative'>,
): number | null {
  if (t.speculative) return null;
  const llm = t.llmRounds === 0 ? (t.llmTtftMs ?? 0) : t.llmTtftMs;
  if (t.sttFinalMs === null || llm === null || t.ttsTtfbMs === null) return null;
  return t.sttFinalMs + llm + t.ttsTtfbMs;
}

export interface BookingInput {
  /** Optional pre-generated reference (BK-XXXXXX), so a journalled booking keeps the id the caller heard. */
  id?: string;
  callId: string; // one booking per call: the idempotency key
  tenantId: string;
  customerName: string;
  postcode: string; // normalised, e.g. "NN15 6QP"
  address: string;
  problem: string;
  callerMasked: string;
  callerHash: string;
  /** The callout fee the caller was quoted, whole pounds. */
  calloutFee?: number;
  /** The caller's own words agreeing to that fee. */
  consent?: string;
  /** Where to ring the caller back (their number, or one they gave); sealed at rest with DATA_KEY. */
  callbackNumber?: string;
  /** 0 as first booked; a correction later in the call stores the next revision over it. */
  revision?: number;
}

export interface Booking extends BookingInput {
  id: string; // BK-...
  createdAt: number;
  revision: number;
  /** When a correction last changed it. */
  updatedAt?: number;
}

/**
 * Everything the runtime stores, behind promises so a networked store (Postgres) can replace SQLite
 * without touching callers. No SQL leaves the implementation.
 */
export interface CallStore {
  tenantForNumber(dialled: string): Promise<Tenant>; // falls back to the default tenant
  upsertTenant(t: Tenant): Promise<void>;
  isRepeatCaller(callerHash: string, tenantId: string): Promise<boolean>;
  startCall(c: CallRecord): Promise<void>;
  endCall(e: CallEnd): Promise<void>;
  addTurn(t: TurnRecord): Promise<void>;
  /**
   * Idempotent per callId and revision: a retry returns the stored booking with created=false. A higher
   * revision (a correction) replaces the details of a lower one and never the other way round, so a
   * late journal replay cannot undo a correction. `created` is true only for a new revision-0 row.
   */
  createBooking(b: BookingInput): Promise<{ booking: Booking; created: boolean }>;
  bookingForCall(callId: string): Promise<Booking | undefined>;
  turnsForCall(callId: string): Promise<TurnRecord[]>;
  /**
   * Calls this owner (node, or node/worker) started and never ended: the process died under them. Each
   * gets `interrupted`, and as its end the last thing stored for it. `withWorkers` also takes the
   * owner's worker processes (`owner/…`). Returns how many. (Both stores have it; optional so that
   * a wrapper or fake store need not.)
   */
  closeInterruptedCalls?(owner: string, opts?: { withWorkers?: boolean }): Promise<number>;
  /** Retention: blanks the caller and agent text of turns older than `before` (epoch ms); returns how many. */
  purgeTranscripts?(before: number): Promise<number>;
  close(): Promise<void>;
}
