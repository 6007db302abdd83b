import type { SlotIssue, Slots } from './slots.js';

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * Every workflow step, in order: the booking steps, then the steps that close the call (the agent
 * speaks once more, then hangs up). `BOOKING_STEPS`, `CLOSING_STEPS` and `OUTCOME` derive from it.
 */
export const STEPS = [
  'greet',
  'understand',
  'quote',
  'postcode',
  'address',
  'name',
  'book',
  'confirm',
  'bookingFailed',
  'declined',
  'abusive',
  'transfer',
  'goodbye',
] as const;
export type Step = (typeof STEPS)[number];

/** Steps after which the call ends once the agent has spoken: `confirm` and everything after it. */
export const CLOSING_STEPS: readonly Step[] = STEPS.slice(STEPS.indexOf('confirm'));
/** The steps before those: the booking in progress, `greet` to `book`. */
export const BOOKING_STEPS: readonly Step[] = STEPS.slice(0, STEPS.indexOf('confirm'));
export type ClosingStep = Exclude<
  Step,
  'greet' | 'understand' | 'quote' | 'postcode' | 'address' | 'name' | 'book'
>;

export type CallOutcome =
  | 'booked'
  | 'transferred'
  | 'declined'
  | 'abusive'
  | 'no-response'
  | 'booking-failed'
  /** The server stopped while the call was live (drain deadline passed, or a crash found at restart). */
  | 'interrupted';

/** How a call that reaches each closing step is stored. */
export const OUTCOME: Record<ClosingStep, CallOutcome> = {
  confirm: 'booked',
  bookingFailed: 'booking-failed',
  declined: 'declined',
  abusive: 'abusive',
  transfer: 'transferred',
  goodbye: 'no-response',
};

/** Closing steps a caller's words (or silence, or a failed provider) can send the call to from any step. */
export type WayOut = 'declined' | 'abusive' | 'transfer' | 'goodbye';

/** Why the agent says what it says next, beyond the step itself. */
export type Notice =
  | SlotIssue
  | 'total_price'
  | 'are_you_local'
  | 'reprompt'
  | 'apology'
  | 'language_switched'
  /** The booking failed and its details are not known to be kept (journal failed too, or no answer). */
  | 'booking_not_kept';

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
  | { role: 'tools'; calls: ToolCallSummary[]; result: string };

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
  pendingTools?: ToolCallSummary[];
  /** A closing step the caller's last turn asked for (objection, silence, key press, lost STT). */
  wayOut?: WayOut;
  /** The caller's latest turn has been interpreted (its tool calls applied, or a plain reply made). */
  turnUnderstood: boolean;
  /** Fixed text for the next reply instead of an LLM turn (recovery phrases). */
  say?: string;
  bookingId?: string;
  /** The caller's own words agreeing to the callout fee (kept with the booking). */
  consent?: string;
  /** The booking could be kept nowhere (store and journal failed): its apology must promise nothing. */
  bookingLost?: boolean;
  /** The booking as last stored; a correction after it (a new address at `confirm`) stores it again. */
  booked?: BookingRequest;
  /** Step the latest reply was made for; if the workflow moved on since, another reply follows. */
  replyStep: Step;
  /** Further steps the latest reply already spoke the line for (said ahead of its own tool call). */
  replyCovers: Step[];
  /** Text of the reply being spoken, once fully generated. */
  replyText?: string;
  outcome?: CallOutcome;
  bargeIns: number;
  turn: number;
  /** The server is stopping: the reply in progress is the call's last. */
  shuttingDown: boolean;
  /** The reply being prepared before the caller's turn is confirmed, if any. */
  speculation?: Speculation;
}

export interface CallInput {
  callId: string;
  language: Language;
  facts: CallFacts;
}

/** What a caller's tool-extracted intent looks like once the runtime has validated the arguments. */
export type CallerIntent =
  | { type: 'CALLER.GAVE_DETAILS'; details: Slots }
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

/** Milestones the child actors (audio, stt, tts, greeting, reply) send. Audio never appears here. */
export type DataPlaneEvent =
  | { type: 'CALLER.SPEECH_STARTED'; source: 'stt' | 'vad'; heardText: string }
  /** The caller's turn is over (confirmed by the STT: end of turn, or a final after the endpoint). */
  | { type: 'CALLER.FINAL'; text: string }
  /** An early end-of-turn signal (Flux EagerEndOfTurn, or silence after a complete-looking transcript). */
  | { type: 'CALLER.TURN_ENDING'; text: string }
  /** The caller went on after an early end-of-turn signal. */
  | { type: 'CALLER.TURN_RESUMED' }
  | { type: 'LLM.FIRST_TOKEN'; provider: string; ttftMs: number }
  | { type: 'LLM.TOOL_CALLS'; calls: ToolCallSummary[]; intents: CallerIntent[]; afterText: boolean }
  | { type: 'TTS.FIRST_AUDIO'; ttfbMs: number }
  | { type: 'REPLY.GENERATED'; text: string }
  | { type: 'REPLY.FAILED'; reason: string }
  | { type: 'PLAYOUT.DONE' }
  | { type: 'GREETING.FAILED'; reason: string }
  | { type: 'STT.RECONNECTING'; attempt: number }
  | { type: 'STT.RECONNECTED' }
  | { type: 'STT.FAILED'; reason: string }
  | { type: 'TTS.FAILED'; reason: string }
  | { type: 'DTMF'; digit: string }
  | { type: 'HANGUP' }
  /** The server is shutting down: say goodbye and hang up. */
  | { type: 'SYSTEM.SHUTDOWN' };

export type CallEvent = DataPlaneEvent;

/** Commands the chart sends its `audio` child. */
export type AudioCommand = { type: 'AUDIO.STOP' } | { type: 'AUDIO.HANGUP'; outcome?: CallOutcome };

/** Commands the chart sends a speculative `reply` child: the turn is confirmed, let its audio play. */
export type ReplyCommand = { type: 'REPLY.RELEASE' };

/** Commands the chart sends its `stt` child. */
export type SttCommand = { type: 'STT.FINALIZE' };

/** What the call-long children (audio, tts) get. */
export interface CallChildInput {
  callId: string;
}

/** What the `stt` child gets: the caller's language, for STT set to follow it. */
export interface SttInput extends CallChildInput {
  language: Language;
}

/** What the greeting actor gets. */
export interface GreetingInput {
  language: Language;
  facts: CallFacts;
}

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
  /** Made before the caller's turn was confirmed: hold the audio until `REPLY.RELEASE`. */
  speculative?: boolean;
}

/** A reply started on an early end-of-turn signal, for the step the turn is predicted to settle on. */
export interface Speculation {
  text: string;
  step: Step;
  language: Language;
  /** The held reply already has audio (it plays at once when released). */
  audioReady: boolean;
  /** Tool calls the held reply made after its words, applied when the turn is confirmed. */
  tools?: { calls: ToolCallSummary[]; intents: CallerIntent[] };
}

export interface BookingRequest {
  callId: string;
  problem: string;
  postcode: string;
  address: string;
  name: string;
  /** The fee quoted at `quote`, and the caller's words agreeing to it. */
  calloutFee: number;
  consent?: string;
  /** A number the caller gave to be rung back on (otherwise the runtime uses the number they called from). */
  callbackNumber?: string;
  /** 0 as first booked; each correction the next, stored over the last under the same `bookingId`. */
  revision: number;
  bookingId?: string;
}

export interface BookingResult {
  bookingId: string;
}

/**
 * How the runtime's saveBooking fails when the booking did not reach the store but its details are
 * safely kept (the journal): only then may the apology say so.
 */
export interface BookingKeptError {
  bookingKept: true;
}

export function isBookingKeptError(error: unknown): error is BookingKeptError {
  return (
    typeof error === 'object' && error !== null && (error as { bookingKept?: unknown }).bookingKept === true
  );
}

/** Emitted to the runtime (actor.on) so it can store turns; never needed by the chart itself. */
export type CallEmitted =
  | { type: 'agent.turn'; text: string; interrupted: boolean; step: Step }
  | { type: 'caller.turn'; text: string; step: Step }
  | { type: 'speculation'; result: 'started' | 'confirmed' | 'cancelled' };
