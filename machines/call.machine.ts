import { and, assign, emit, fromCallback, fromPromise, not, raise, sendTo, setup, stateIn } from 'xstate';
import {
  type AudioCommand,
  type BookingRequest,
  type BookingResult,
  type CallChildInput,
  type CallContext,
  type CallEmitted,
  type CallEvent,
  type CallInput,
  CLOSING_STEPS,
  type ClosingStep,
  type GreetingInput,
  isBookingKeptError,
  OUTCOME,
  type ReplyCommand,
  type ReplyInput,
  type Step,
  type SttCommand,
  type SttInput,
  type WayOut,
} from './call.types.js';
import { foldIntents, SLOT_STEPS, stepsAnsweredBy } from './intents.js';
import { recoveryLine, shutdownLine, suggestedReply } from './phrases.js';
import { predictSpeculation, STEP_COMPLETE, sameWords, withCallerTurn } from './speculation.js';

/** Three caller turns at a slot step without progress hand the call to a person. */
const MAX_ATTEMPTS = 3;
const MAX_REPROMPTS = 2;

/** The latest reply spoke for the current step (made for it, or said its line ahead of the tool call). */
const spokeFor = (c: CallContext) => c.replyStep === c.step || c.replyCovers.includes(c.step);

/** What the reply child is asked for: the current step, or the step a speculation predicted. */
function replyInputOf(context: CallContext): ReplyInput {
  const spec = context.speculation;
  const c = spec ? { ...withCallerTurn(context, spec.text), step: spec.step } : context;
  const lost = c.step === 'bookingFailed' && context.bookingLost === true;
  return {
    callId: c.callId,
    step: c.step,
    language: c.language,
    facts: c.facts,
    slots: c.slots,
    // Fixed words that promise nothing, whatever reply state came between (not cleared with `say`).
    notice: lost ? 'booking_not_kept' : c.notice,
    history: c.history,
    say: lost ? suggestedReply('bookingFailed', 'booking_not_kept', c.facts, c.slots, c.language) : c.say,
    turn: c.turn,
    ...(spec ? { speculative: true } : {}),
  };
}

/** What `book` stores: the slots, the fee quoted and the consent, as the next revision of the booking. */
function bookingRequestOf(c: CallContext): BookingRequest {
  return {
    callId: c.callId,
    problem: c.slots.problem ?? '',
    postcode: c.slots.postcode ?? '',
    address: c.slots.address ?? '',
    name: c.slots.name ?? '',
    calloutFee: c.facts.calloutFee,
    ...(c.consent !== undefined ? { consent: c.consent } : {}),
    ...(c.slots.callback !== undefined ? { callbackNumber: c.slots.callback } : {}),
    revision: c.booked ? c.booked.revision + 1 : 0,
    ...(c.bookingId !== undefined ? { bookingId: c.bookingId } : {}),
  };
}

/** Booked, and a detail changed since: the booking must be stored again before anyone speaks for it. */
function correctionPending(c: CallContext): boolean {
  const b = c.booked;
  if (!b) return false;
  const now = bookingRequestOf(c);
  return (
    b.problem !== now.problem ||
    b.postcode !== now.postcode ||
    b.address !== now.address ||
    b.name !== now.name
  );
}

const BOOKING = '#call.active.workflow.book';
/** Dropping a held reply: leaving its state stops it (LLM aborted, TTS context cancelled). */
const CANCEL_SPECULATION = ['dropSpeculation', 'announceSpeculationCancelled'] as const;

/**
 * What a held (speculative) reply reports while it is held, both before its turn is confirmed and
 * while the workflow settles after: its first audio and its tool calls are kept for the release. A
 * reply that needs a second round, or fails, is dropped, and the chart goes on to `otherwise`.
 */
const heldReplyEvents = (otherwise: string) =>
  ({
    'TTS.FIRST_AUDIO': { actions: 'noteSpeculativeAudio' },
    'LLM.TOOL_CALLS': [
      { guard: 'spokeBeforeTools', actions: 'holdSpeculativeTools' },
      { target: otherwise, actions: CANCEL_SPECULATION },
    ],
    'REPLY.FAILED': { target: otherwise, actions: CANCEL_SPECULATION },
  }) as const;

const isStuck = (c: CallContext) =>
  SLOT_STEPS.includes(c.step) && c.attempts >= MAX_ATTEMPTS && c.turnUnderstood;

/** A way out of the workflow, taken from whichever step the call is in. */
const wayOut = (to: WayOut) => ({
  guard: { type: 'wantsWayOut', params: { to } } as const,
  target: `.${to}`,
});

/**
 * The caller's turn while the agent is silent (listening, or after a barge-in): a final transcript
 * is decided on, an early end of turn starts a speculative reply. Targets are siblings of both states.
 */
const CALLER_TURN = {
  'CALLER.FINAL': [
    { guard: 'isEmptyTranscript' },
    { target: 'deciding', actions: ['recordCallerTurn', 'announceCallerTurn'] },
  ],
  'CALLER.TURN_ENDING': {
    guard: 'canSpeculate',
    target: 'replying.speculating',
    actions: ['startSpeculation', 'announceSpeculationStarted'],
  },
} as const;

const enter = (step: Step) => ({ type: 'enterStep', params: { step } }) as const;
const close = (step: ClosingStep) => ({ type: 'enterClosingStep', params: { step } }) as const;

/**
 * One call. Two regions run in parallel:
 * - `workflow` owns the booking steps (greet > understand > quote > postcode > address > name > book >
 *   confirm) and the ways out (objections, transfer, decline). It moves only through eventless
 *   transitions on validated context: slots, a requested way out, or too many turns without progress.
 * - `turn` owns who is talking: greeting, listening, replying (thinking > speaking), deciding (waiting
 *   for the workflow to settle after a caller turn), bargeIn and closing.
 * The call's child actors do the work: `audio` (the transport: caller frames in, playout out),
 * `stt`, `tts`, `greeting`, one `reply` per agent reply, and `saveBooking`. They report milestones as
 * events; frames never reach the chart. Every waiting state has a named deadline, so no call can wedge.
 * The actor implementations here do nothing: src/call supplies them with `provide()`.
 */
export const callMachine = setup({
  types: {
    context: {} as CallContext,
    events: {} as CallEvent,
    input: {} as CallInput,
    emitted: {} as CallEmitted,
  },
  actors: {
    /** The transport: routes caller frames to the VAD and the STT, plays agent audio, hangs up. */
    audio: fromCallback<AudioCommand, CallChildInput>(() => undefined),
    /** One speech-to-text session for the whole call, redialled on drops. */
    stt: fromCallback<SttCommand, SttInput>(() => undefined),
    /** The text-to-speech session whose contexts the greeting and the replies speak through. */
    tts: fromCallback<CallEvent, CallChildInput>(() => undefined),
    /** Plays the greeting (cached clip or streamed) and reports when it has played. */
    greeting: fromCallback<CallEvent, GreetingInput>(() => undefined),
    /** Streams one agent reply (LLM -> TTS -> playout) and reports its milestones. */
    reply: fromCallback<ReplyCommand, ReplyInput>(() => undefined),
    /** Commits the booking; resolves only after the row is durable. */
    saveBooking: fromPromise<BookingResult, BookingRequest>(async () => {
      throw new Error('saveBooking is provided by the runtime');
    }),
  },
  actions: {
    stopPlayout: sendTo('audio', { type: 'AUDIO.STOP' } satisfies AudioCommand),
    hangUp: sendTo(
      'audio',
      ({ context }) => ({ type: 'AUDIO.HANGUP', outcome: context.outcome }) as AudioCommand,
    ),
    finalizeTranscript: sendTo('stt', { type: 'STT.FINALIZE' } satisfies SttCommand),
    /** Told when the workflow enters `transfer` (the transport may need to prepare the hand-over). */
    transferCall: () => {},
    // Shared pieces of the chart, kept here so the transitions below read as a specification.
    recordCallerTurn: assign(({ context, event }) =>
      event.type === 'CALLER.FINAL' ? withCallerTurn(context, event.text) : {},
    ),
    announceCallerTurn: emit(({ context, event }) => ({
      type: 'caller.turn' as const,
      text: event.type === 'CALLER.FINAL' ? event.text : '',
      step: context.step,
    })),
    announceAgentTurn: emit(({ context }) => ({
      type: 'agent.turn' as const,
      text: context.replyText ?? context.say ?? '',
      interrupted: false,
      step: context.step,
    })),
    recordAgentTurn: assign(({ context }) => ({
      history: [...context.history, { role: 'agent' as const, text: context.replyText ?? context.say ?? '' }],
      replyText: undefined,
    })),
    announceInterruptedTurn: emit(({ context, event }) => ({
      type: 'agent.turn' as const,
      text: event.type === 'CALLER.SPEECH_STARTED' ? event.heardText : '',
      interrupted: true,
      step: context.step,
    })),
    recordInterruptedTurn: assign(({ context, event }) => {
      const heard = event.type === 'CALLER.SPEECH_STARTED' ? event.heardText : '';
      return {
        history: heard
          ? [...context.history, { role: 'agent' as const, text: heard, interrupted: true }]
          : context.history,
        replyText: undefined,
      };
    }),
    recordToolResults: assign(({ context }) => {
      if (!context.pendingTools?.length) return {};
      const result = JSON.stringify({
        step: context.step,
        recorded: context.slots,
        notice: context.notice ?? null,
      });
      return {
        history: [...context.history, { role: 'tools' as const, calls: context.pendingTools, result }],
        pendingTools: undefined,
      };
    }),
    keepToolCalls: assign({
      pendingTools: ({ event }) => (event.type === 'LLM.TOOL_CALLS' ? event.calls : undefined),
    }),
    applyIntents: assign(({ context, event }) =>
      event.type === 'LLM.TOOL_CALLS' ? { ...foldIntents(context, event.intents), turnUnderstood: true } : {},
    ),
    /** Tool calls after the reply's words: those words were the line for where the intents lead. */
    creditSpokenLine: assign(({ context, event }) =>
      event.type === 'LLM.TOOL_CALLS' && event.afterText
        ? { replyCovers: [...context.replyCovers, ...stepsAnsweredBy(event.intents, context.replyStep)] }
        : {},
    ),
    keepReplyText: assign(({ event }) =>
      event.type === 'REPLY.GENERATED' ? { replyText: event.text, turnUnderstood: true } : {},
    ),
    sayApology: assign(({ context }) => ({
      say: recoveryLine('apology', context.step, context.facts, context.slots, context.language),
    })),
    sayReprompt: assign(({ context }) => ({
      reprompts: context.reprompts + 1,
      say: recoveryLine('reprompt', context.step, context.facts, context.slots, context.language),
    })),
    /** A booking is taking a while to store: tell the caller, rather than leave them in silence. */
    sayHoldLine: assign(({ context }) => ({
      say: suggestedReply('book', undefined, context.facts, context.slots, context.language),
    })),
    sayShutdownGoodbye: assign(({ context }) => ({
      say: shutdownLine(context.language),
      shuttingDown: true,
      outcome: context.outcome ?? 'interrupted',
    })),
    enterStep: assign((_, params: { step: Step }) => ({ step: params.step, attempts: 0 })),
    /** The caller's yes to the fee, in their own words, goes with the booking. */
    keepConsent: assign(({ context }) => ({
      consent: [...context.history].reverse().find((h) => h.role === 'caller')?.text,
    })),
    /** Neither the store nor the journal kept the booking (see replyInputOf for its apology). */
    bookingNotKept: assign({ bookingLost: true }),
    /** Entering a closing step: the step, its outcome, and the request that led here is consumed. */
    enterClosingStep: assign((_, params: { step: ClosingStep }) => ({
      step: params.step,
      outcome: OUTCOME[params.step],
      wayOut: undefined,
    })),
    /** Keeps what the reply started on an early end-of-turn signal is predicted to be for. */
    startSpeculation: assign(({ context, event }) =>
      event.type === 'CALLER.TURN_ENDING' ? { speculation: predictSpeculation(context, event.text) } : {},
    ),
    announceSpeculationStarted: emit({ type: 'speculation', result: 'started' } as const),
    noteSpeculativeAudio: assign(({ context }) =>
      context.speculation ? { speculation: { ...context.speculation, audioReady: true } } : {},
    ),
    holdSpeculativeTools: assign(({ context, event }) =>
      context.speculation && event.type === 'LLM.TOOL_CALLS'
        ? { speculation: { ...context.speculation, tools: { calls: event.calls, intents: event.intents } } }
        : {},
    ),
    /** The turn was confirmed as predicted: the held reply plays... */
    releaseHeldReply: sendTo('reply', { type: 'REPLY.RELEASE' } satisfies ReplyCommand),
    /** ...and the tool calls it made after its words are applied now. */
    applyHeldTools: assign(({ context }) => {
      const held = context.speculation;
      if (!held) return {};
      const replyStep = held.step;
      if (!held.tools) return { speculation: undefined, replyStep };
      return {
        ...foldIntents(context, held.tools.intents),
        speculation: undefined,
        replyStep,
        turnUnderstood: true,
        replyCovers: stepsAnsweredBy(held.tools.intents, replyStep),
      };
    }),
    announceSpeculationConfirmed: emit({ type: 'speculation', result: 'confirmed' } as const),
    dropSpeculation: assign({ speculation: undefined }),
    announceSpeculationCancelled: emit({ type: 'speculation', result: 'cancelled' } as const),
    leaveAfterSilence: assign({ wayOut: 'goodbye' as const }),
    handOverToPerson: assign({ wayOut: 'transfer' as const }),
  },
  guards: {
    hasWords: ({ event }) => event.type === 'CALLER.FINAL' && event.text.trim() !== '',
    isEmptyTranscript: ({ event }) => event.type === 'CALLER.FINAL' && event.text.trim() === '',
    hasProblem: ({ context }) => STEP_COMPLETE.understand!(context),
    hasAgreed: ({ context }) => context.slots.agreed === true,
    hasDeclined: ({ context }) => context.slots.agreed === false,
    hasPostcode: ({ context }) => STEP_COMPLETE.postcode!(context),
    hasAddress: ({ context }) => STEP_COMPLETE.address!(context),
    hasName: ({ context }) => STEP_COMPLETE.name!(context),
    /** Booked, and the caller has since changed a detail (a new address while it was confirmed). */
    bookingCorrected: ({ context }) => correctionPending(context),
    /** A third caller turn at a slot step, once interpreted, left the step where it was. */
    isStuckAtStep: ({ context }) => isStuck(context),
    wantsWayOut: ({ context }, params: { to: WayOut }) => context.wayOut === params.to,
    /** Nothing left to apply: the step waits for the caller, so the next reply can be made for it. */
    workflowAwaitsCaller: ({ context }) =>
      !STEP_COMPLETE[context.step]?.(context) &&
      context.wayOut === undefined &&
      !isStuck(context) &&
      !correctionPending(context),
    stepMovedSinceReply: ({ context }) => !spokeFor(context),
    /** This reply is the call's last words: a closing step's own reply, or the shutdown goodbye. */
    endsAfterThisReply: ({ context }) =>
      context.shuttingDown || (CLOSING_STEPS.includes(context.step) && spokeFor(context)),
    mayReprompt: ({ context }) => context.reprompts < MAX_REPROMPTS,
    /** An early end-of-turn signal whose words lead somewhere a reply can already be made for. */
    canSpeculate: ({ context, event }) =>
      event.type === 'CALLER.TURN_ENDING' &&
      event.text.trim() !== '' &&
      predictSpeculation(context, event.text) !== undefined,
    finalConfirmsSpeculation: ({ context, event }) =>
      event.type === 'CALLER.FINAL' &&
      context.speculation !== undefined &&
      sameWords(event.text, context.speculation.text),
    /** The confirmed turn settled where the speculation said it would, in the same language. */
    speculationHolds: ({ context }) =>
      context.speculation !== undefined &&
      context.speculation.step === context.step &&
      context.speculation.language === context.language,
    speculativeAudioReady: ({ context }) => context.speculation?.audioReady === true,
    isSaying: ({ context }) => context.say !== undefined,
    spokeBeforeTools: ({ event }) => event.type === 'LLM.TOOL_CALLS' && event.afterText,
    isOperatorDigit: ({ event }) => event.type === 'DTMF' && event.digit === '0',
  },
  delays: {
    greetingDeadline: 15_000,
    silenceDeadline: 8_000,
    utteranceDeadline: 12_000,
    firstAudioDeadline: 5_000,
    speakingDeadline: 45_000,
    decidingDeadline: 8_000,
    bargeInDeadline: 4_000,
    speculationDeadline: 4_000,
    bookingDeadline: 6_000,
    /** How long a booking may take to store before the caller hears "bear with me". */
    holdLineDelay: 1_000,
    closingDeadline: 20_000,
    callDeadline: 20 * 60_000,
  },
}).createMachine({
  id: 'call',
  context: ({ input }) => ({
    callId: input.callId,
    language: input.language,
    facts: input.facts,
    step: 'greet',
    replyStep: 'greet',
    replyCovers: [],
    slots: {},
    attempts: 0,
    reprompts: 0,
    history: [],
    bargeIns: 0,
    turn: 0,
    turnUnderstood: false,
    shuttingDown: false,
  }),
  initial: 'active',
  on: { HANGUP: '.ended' },
  states: {
    active: {
      type: 'parallel',
      invoke: [
        { id: 'audio', src: 'audio', input: ({ context }) => ({ callId: context.callId }) },
        {
          id: 'stt',
          src: 'stt',
          input: ({ context }) => ({ callId: context.callId, language: context.language }),
        },
        { id: 'tts', src: 'tts', input: ({ context }) => ({ callId: context.callId }) },
      ],
      // However a call goes, it ends: a hard cap well beyond any real booking call.
      after: { callDeadline: '#call.active.turn.closing' },
      states: {
        workflow: {
          initial: 'greet',
          // The ways out, from any step. A step's own transition (a slot it just got) goes first.
          always: [
            { guard: 'isStuckAtStep', target: '.transfer' },
            wayOut('declined'),
            wayOut('abusive'),
            wayOut('transfer'),
            wayOut('goodbye'),
          ],
          on: {
            DTMF: { guard: 'isOperatorDigit', actions: 'handOverToPerson' },
            // Without speech-to-text the agent cannot hear the caller; without text-to-speech it cannot
            // answer. Either way a person takes over.
            // (The turn region then speaks for the new step; if even that cannot be voiced, it hangs up.)
            'STT.FAILED': { actions: 'handOverToPerson' },
            'TTS.FAILED': { actions: 'handOverToPerson' },
          },
          states: {
            greet: {
              on: { 'CALLER.FINAL': { guard: 'hasWords', target: 'understand' } },
            },
            understand: {
              entry: enter('understand'),
              always: { guard: 'hasProblem', target: 'quote' },
            },
            quote: {
              entry: enter('quote'),
              always: [
                { guard: 'hasAgreed', target: 'postcode', actions: 'keepConsent' },
                { guard: 'hasDeclined', target: 'declined' },
              ],
            },
            postcode: {
              entry: enter('postcode'),
              always: { guard: 'hasPostcode', target: 'address' },
            },
            address: {
              entry: enter('address'),
              always: { guard: 'hasAddress', target: 'name' },
            },
            name: {
              entry: enter('name'),
              always: { guard: 'hasName', target: 'book' },
            },
            // The caller hears "that's booked" only after the row is committed: the turn region waits
            // in `deciding` while this state is active. A correction at `confirm` comes back here and
            // stores the next revision of the same booking.
            book: {
              entry: enter('book'),
              invoke: {
                id: 'saveBooking',
                src: 'saveBooking',
                input: ({ context }) => bookingRequestOf(context),
                onDone: {
                  target: 'confirm',
                  actions: assign(({ context, event }) => ({
                    bookingId: event.output.bookingId,
                    booked: { ...bookingRequestOf(context), bookingId: event.output.bookingId },
                  })),
                },
                // "We've kept your details" only when they were (see BookingKeptError); otherwise the
                // other apology, in fixed words, so no cached or generated line can claim it.
                onError: [
                  { guard: ({ event }) => isBookingKeptError(event.error), target: 'bookingFailed' },
                  { target: 'bookingFailed', actions: 'bookingNotKept' },
                ],
              },
              after: { bookingDeadline: { target: 'bookingFailed', actions: 'bookingNotKept' } },
            },
            confirm: {
              entry: close('confirm'),
              always: { guard: 'bookingCorrected', target: 'book' },
            },
            bookingFailed: { entry: close('bookingFailed') },
            declined: { entry: close('declined') },
            abusive: { entry: close('abusive') },
            transfer: { entry: [close('transfer'), 'transferCall'] },
            goodbye: { entry: close('goodbye') },
          },
        },

        turn: {
          initial: 'greeting',
          on: {
            // Draining for shutdown: cut whatever is playing, say goodbye, hang up.
            'SYSTEM.SHUTDOWN': {
              guard: not(stateIn('#call.active.turn.closing')),
              target: '.replying',
              actions: ['stopPlayout', 'sayShutdownGoodbye'],
            },
          },
          states: {
            greeting: {
              invoke: {
                id: 'greeting',
                src: 'greeting',
                input: ({ context }) => ({ language: context.language, facts: context.facts }),
              },
              on: {
                'PLAYOUT.DONE': 'listening',
                'GREETING.FAILED': 'listening',
                'CALLER.SPEECH_STARTED': { target: 'bargeIn', actions: 'stopPlayout' },
                'CALLER.FINAL': {
                  guard: 'hasWords',
                  target: 'deciding',
                  actions: ['stopPlayout', 'recordCallerTurn', 'announceCallerTurn'],
                },
              },
              after: { greetingDeadline: { target: 'listening', actions: 'stopPlayout' } },
            },

            listening: {
              initial: 'idle',
              // The workflow moved while nobody was speaking (a key press, a lost STT): speak for it.
              always: { guard: 'stepMovedSinceReply', target: 'deciding' },
              on: CALLER_TURN,
              states: {
                idle: {
                  on: { 'CALLER.SPEECH_STARTED': 'hearing' },
                  after: {
                    silenceDeadline: [
                      { guard: 'mayReprompt', target: '#call.active.turn.replying', actions: 'sayReprompt' },
                      { target: '#call.active.turn.deciding', actions: 'leaveAfterSilence' },
                    ],
                  },
                },
                // The caller is talking; wait for the final transcript, but not forever.
                hearing: {
                  after: { utteranceDeadline: { target: 'idle', actions: 'finalizeTranscript' } },
                },
              },
            },

            replying: {
              invoke: {
                id: 'reply',
                src: 'reply',
                input: ({ context }) => replyInputOf(context),
              },
              // A held (speculative) reply counts as spoken for its step only once it is released.
              entry: assign(({ context }) =>
                context.speculation ? {} : { replyStep: context.step, replyCovers: [] },
              ),
              exit: assign({ say: undefined, notice: undefined, speculation: undefined }),
              initial: 'thinking',
              on: {
                'REPLY.FAILED': [
                  { guard: 'endsAfterThisReply', target: 'closing' },
                  // The apology itself failed: stop talking and listen.
                  { guard: 'isSaying', target: 'listening' },
                  { target: 'replying', reenter: true, actions: 'sayApology' },
                ],
                'REPLY.GENERATED': { actions: 'keepReplyText' },
                // A final without a speech-start event first (a quiet caller): treat it as an interruption.
                'CALLER.FINAL': [
                  { guard: 'isEmptyTranscript' },
                  {
                    target: 'deciding',
                    actions: [
                      'stopPlayout',
                      'announceInterruptedTurn',
                      'recordCallerTurn',
                      'announceCallerTurn',
                    ],
                  },
                ],
                'CALLER.SPEECH_STARTED': {
                  target: 'bargeIn',
                  actions: ['stopPlayout', 'announceInterruptedTurn', 'recordInterruptedTurn'],
                },
              },
              states: {
                // Started on an early end-of-turn signal: the reply is generated (its audio held back) while
                // the STT confirms the turn. Nothing reaches the caller from here.
                speculating: {
                  on: {
                    // A dropped held reply: wait for the confirmed turn and reply then.
                    ...heldReplyEvents('#call.active.turn.listening'),
                    'CALLER.FINAL': [
                      { guard: 'isEmptyTranscript' },
                      {
                        guard: 'finalConfirmsSpeculation',
                        target: 'confirming',
                        actions: ['recordCallerTurn', 'announceCallerTurn'],
                      },
                      {
                        target: '#call.active.turn.deciding',
                        actions: [...CANCEL_SPECULATION, 'recordCallerTurn', 'announceCallerTurn'],
                      },
                    ],
                    // The caller went on: drop the held reply and keep listening.
                    'CALLER.TURN_RESUMED': {
                      target: '#call.active.turn.listening.hearing',
                      actions: CANCEL_SPECULATION,
                    },
                    'CALLER.SPEECH_STARTED': {
                      target: '#call.active.turn.listening.hearing',
                      actions: CANCEL_SPECULATION,
                    },
                    // Different words: speculate again on them.
                    'CALLER.TURN_ENDING': {
                      target: '#call.active.turn.listening.hearing',
                      actions: [...CANCEL_SPECULATION, raise(({ event }) => event)],
                    },
                  },
                  after: {
                    speculationDeadline: {
                      target: '#call.active.turn.listening',
                      actions: CANCEL_SPECULATION,
                    },
                  },
                },
                // The turn is recorded; once the workflow has settled, the held reply plays if it was made
                // for the step the workflow settled on, and is dropped for a fresh one otherwise.
                confirming: {
                  // The held reply goes on while the workflow settles (a booking can take a second to store):
                  // its first audio must be kept, or the released reply waits for audio that has already
                  // come. A dropped one: the turn is confirmed, so a fresh reply follows.
                  on: heldReplyEvents('#call.active.turn.deciding'),
                  always: [
                    {
                      guard: and([
                        not(stateIn(BOOKING)),
                        'workflowAwaitsCaller',
                        'speculationHolds',
                        'speculativeAudioReady',
                      ]),
                      target: 'speaking',
                      actions: ['releaseHeldReply', 'applyHeldTools', 'announceSpeculationConfirmed'],
                    },
                    {
                      guard: and([not(stateIn(BOOKING)), 'workflowAwaitsCaller', 'speculationHolds']),
                      target: 'thinking',
                      actions: ['releaseHeldReply', 'applyHeldTools', 'announceSpeculationConfirmed'],
                    },
                    // While the booking is stored the held confirmation waits; anywhere else it is dropped.
                    {
                      guard: and([not(stateIn(BOOKING)), 'workflowAwaitsCaller']),
                      target: '#call.active.turn.deciding',
                      actions: CANCEL_SPECULATION,
                    },
                  ],
                  after: {
                    holdLineDelay: {
                      guard: stateIn(BOOKING),
                      target: '#call.active.turn.replying',
                      reenter: true,
                      actions: [...CANCEL_SPECULATION, 'sayHoldLine'],
                    },
                  },
                },
                thinking: {
                  on: {
                    'TTS.FIRST_AUDIO': 'speaking',
                    'LLM.TOOL_CALLS': [
                      { guard: 'spokeBeforeTools', actions: ['creditSpokenLine', 'applyIntents'] },
                      { target: '#call.active.turn.deciding', actions: ['keepToolCalls', 'applyIntents'] },
                    ],
                  },
                  after: {
                    firstAudioDeadline: [
                      // Nothing can be voiced and the call is ending anyway: hang up rather than loop.
                      { guard: 'endsAfterThisReply', target: '#call.active.turn.closing' },
                      { guard: 'isSaying', target: '#call.active.turn.listening' },
                      { target: '#call.active.turn.replying', reenter: true, actions: 'sayApology' },
                    ],
                  },
                },
                speaking: {
                  on: {
                    'LLM.TOOL_CALLS': { actions: ['creditSpokenLine', 'applyIntents'] },
                    'PLAYOUT.DONE': [
                      {
                        guard: 'endsAfterThisReply',
                        target: '#call.active.turn.closing',
                        actions: ['announceAgentTurn', 'recordAgentTurn'],
                      },
                      // Listening speaks again at once if the step moved while this reply played.
                      {
                        target: '#call.active.turn.listening',
                        actions: ['announceAgentTurn', 'recordAgentTurn'],
                      },
                    ],
                  },
                  after: {
                    speakingDeadline: {
                      target: '#call.active.turn.listening',
                      actions: ['stopPlayout', 'announceAgentTurn', 'recordAgentTurn'],
                    },
                  },
                },
              },
            },

            // The caller's turn is being applied (local parses, tool calls, a booking committing). The
            // next reply starts as soon as the workflow waits for the caller again.
            deciding: {
              always: {
                guard: and([not(stateIn('#call.active.workflow.book')), 'workflowAwaitsCaller']),
                target: 'replying',
                actions: 'recordToolResults',
              },
              after: {
                holdLineDelay: {
                  guard: stateIn('#call.active.workflow.book'),
                  target: 'replying',
                  actions: 'sayHoldLine',
                },
                decidingDeadline: { target: 'replying', actions: ['recordToolResults', 'sayApology'] },
              },
            },

            // The agent has stopped; the caller is talking over it.
            bargeIn: {
              entry: assign({ bargeIns: ({ context }) => context.bargeIns + 1 }),
              on: CALLER_TURN,
              // A cough, not a sentence: invite them to go on.
              after: { bargeInDeadline: { target: 'replying', actions: 'sayApology' } },
            },

            closing: {
              entry: 'hangUp',
              after: { closingDeadline: '#call.ended' },
            },
          },
        },
      },
    },
    ended: {
      type: 'final',
    },
  },
  output: ({ context }) => ({ outcome: context.outcome, bookingId: context.bookingId, turns: context.turn }),
});

export type CallMachine = typeof callMachine;
