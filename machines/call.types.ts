import type { DetailsClaim, SlotIssue, Slots } from './slots.js';

export type Language = 'en' | 'es';

/** Workflow steps, in order, plus the ways a call can end. */
export type Step =
  | 'greet'
  | 'understand'
  | 'quote'
  | 'postcode'
  | 'address'
  | 'name'
  | 'book'
  | 'confirm'
  | 'bookingFailed'
  | 'declined'
  | 'abusive'
  | 'transfer'
  | 'goodbye';

/** Why the agent says what it says next, beyond the step itself. */
export type Notice =
  | SlotIssue
  | 'total_price'
  | 'are_you_local'
  | 'reprompt'
  | 'apology'
  | 'language_switched';

/** Tenant facts the prompts need; no I/O handles. */
export interface CallFacts {
  companyName: string;
  trade: string;
  tradeLabel: string;
  calloutFee: number;
  area: string;
  isRepeatCaller: boolean;
  timeOfDay: 'morning' | 'afternoon' | 'evening';
  /** false: nobody to transfer to (the agent takes a message instead); absent: transfers are possible. */
  canTransfer?: boolean;
}

export type HistoryEntry =
  | { role: 'caller'; text: string }
  | { role: 'agent'; text: string; interrupted?: boolean }
  | { role: 'tools'; calls: Array<{ id: string; name: string; arguments: string }>; result: string };

export interface CallContext {
  callId: string;
  language: Language;
  facts: CallFacts;
  step: Step;
  slots: Slots;
  notice?: Notice;
  /** Caller turns at the current step that did not move it on. */
  attempts: number;
  /** Unanswered re-prompts in a row (silence). */
  reprompts: number;
  history: HistoryEntry[];
  /** Tool calls of the reply being decided, waiting for their result. */
  pendingTools?: Array<{ id: string; name: string; arguments: string }>;
  /** Fixed text for the next reply instead of an LLM turn (recovery phrases). */
  say?: string;
  bookingId?: string;
  /** Step the current reply was made for; if the workflow moved on meanwhile, another reply follows. */
  replyStep?: Step;
  /** Text of the reply being spoken, once fully generated. */
  replyText?: string;
  outcome?: 'booked' | 'transferred' | 'declined' | 'abusive' | 'no-response' | 'booking-failed';
  bargeIns: number;
  turn: number;
}

export interface CallInput {
  callId: string;
  language: Language;
  facts: CallFacts;
}

/** What a caller's tool-extracted intent looks like once the runtime has validated the arguments. */
export type CallerIntent =
  | { type: 'CALLER.GAVE_DETAILS'; details: DetailsClaim }
  | { type: 'CALLER.ASKED_TOTAL_PRICE' }
  | { type: 'CALLER.SAID_TOO_EXPENSIVE' }
  | { type: 'CALLER.ASKED_IF_LOCAL' }
  | { type: 'CALLER.WAS_ABUSIVE' }
  | { type: 'CALLER.ASKED_FOR_HUMAN' }
  | { type: 'CALLER.SWITCHED_LANGUAGE'; language: Language };

export interface ToolCallSummary {
  id: string;
  name: string;
  arguments: string;
}

/** Events the data plane sends. Audio never appears here. */
export type DataPlaneEvent =
  | { type: 'CALLER.SPEECH_STARTED'; source: 'stt' | 'vad'; heardText: string }
  | { type: 'CALLER.FINAL'; text: string }
  | { type: 'LLM.FIRST_TOKEN'; provider: string; ttftMs: number }
  | { type: 'LLM.TOOL_CALLS'; calls: ToolCallSummary[]; intents: CallerIntent[]; afterText: boolean }
  | { type: 'TTS.FIRST_AUDIO'; ttfbMs: number }
  | { type: 'REPLY.GENERATED'; text: string }
  | { type: 'REPLY.FAILED'; reason: string }
  | { type: 'PLAYOUT.DONE' }
  | { type: 'DTMF'; digit: string }
  | { type: 'HANGUP' };

/** Raised inside the machine to coordinate its two regions. */
export type InternalEvent =
  | { type: 'WORKFLOW.SETTLE' }
  | { type: 'STEP.READY' }
  | { type: 'CALLER.STUCK' }
  | { type: 'CALLER.NO_RESPONSE' };

export type CallEvent = DataPlaneEvent | CallerIntent | InternalEvent;

/** What the reply actor gets: enough to build the prompt, or a fixed line to say. */
export interface ReplyInput {
  callId: string;
  step: Step;
  language: Language;
  facts: CallFacts;
  slots: Slots;
  notice?: Notice;
  history: HistoryEntry[];
  say?: string;
  turn: number;
}

export interface BookingRequest {
  callId: string;
  problem: string;
  postcode: string;
  address: string;
  name: string;
}

export interface BookingResult {
  bookingId: string;
}

/** Emitted to the runtime (actor.on) so it can store turns; never needed by the chart itself. */
export type CallEmitted =
  | { type: 'agent.turn'; text: string; interrupted: boolean; step: Step }
  | { type: 'caller.turn'; text: string; step: Step };

/** Steps after which the call ends once the agent has spoken. */
export const CLOSING_STEPS: readonly Step[] = [
  'confirm',
  'bookingFailed',
  'declined',
  'abusive',
  'transfer',
  'goodbye',
];
