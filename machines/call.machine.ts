import { assign, emit, enqueueActions, fromCallback, fromPromise, raise, setup } from 'xstate';
import {
  type BookingRequest,
  type BookingResult,
  type CallContext,
  type CallEmitted,
  type CallEvent,
  type CallInput,
  CLOSING_STEPS,
  type Notice,
  type ReplyInput,
  type Step,
} from './call.types.js';
import { recoveryLine } from './phrases.js';
import { type Slots, validateDetails } from './slots.js';

/** Steps that collect a slot: three turns there without progress hand the call to a person. */
const SLOT_STEPS: readonly Step[] = ['understand', 'quote', 'postcode', 'address', 'name'];
const MAX_ATTEMPTS = 3;
const MAX_REPROMPTS = 2;

/** The slot issue that matters at each step (a bad name given early is not worth a re-ask yet). */
const STEP_ISSUE: Partial<Record<Step, Notice>> = {
  understand: 'invalid_problem',
  postcode: 'invalid_postcode',
  address: 'invalid_address',
  name: 'invalid_name',
};

const OUTCOME: Partial<Record<Step, CallContext['outcome']>> = {
  confirm: 'booked',
  bookingFailed: 'booking-failed',
  declined: 'declined',
  abusive: 'abusive',
  transfer: 'transferred',
  goodbye: 'no-response',
};

/**
 * One call. Two regions run in parallel:
 * - `workflow` owns the booking steps (greet > understand > quote > postcode > address > name > book >
 *   confirm) and the ways out (objections, transfer, decline). It only moves on validated slots.
 * - `turn` owns who is talking: greeting, listening, replying (thinking > speaking), deciding (tool
 *   results being applied), bargeIn and closing.
 * Every waiting state has a named deadline with a recovery, so no call can wedge.
 * Effects are named here and implemented in src/call with `provide()`; the defaults do nothing.
 */
export const callMachine = setup({
  types: {
    context: {} as CallContext,
    events: {} as CallEvent,
    input: {} as CallInput,
    emitted: {} as CallEmitted,
  },
  actors: {
    /** Streams one agent reply (LLM -> TTS -> playout) and reports its milestones back. */
    reply: fromCallback<CallEvent, ReplyInput>(() => undefined),
    /** Commits the booking; resolves only after the row is durable. */
    saveBooking: fromPromise<BookingResult, BookingRequest>(async () => {
      throw new Error('saveBooking is provided by the runtime');
    }),
  },
  actions: {
    playGreeting: () => {},
    stopPlayout: () => {},
    finalizeTranscript: () => {},
    transferCall: () => {},
    hangUp: () => {},
    // Shared pieces of the chart, kept here so the transitions above read as a specification.
    recordCallerTurn: assign(({ context, event }) =>
      event.type === 'CALLER.FINAL'
        ? {
            history: [...context.history, { role: 'caller' as const, text: event.text }],
            attempts: context.attempts + 1,
            reprompts: 0,
            turn: context.turn + 1,
          }
        : {},
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
    applyIntents: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'LLM.TOOL_CALLS') return;
      for (const intent of event.intents) enqueue.raise(intent);
    }),
    sayApology: assign(({ context }) => ({
      say: recoveryLine('apology', context.step, context.facts, context.slots, context.language),
    })),
  },
  guards: {
    hasProblem: ({ context }) => Boolean(context.slots.problem),
    hasAgreed: ({ context }) => context.slots.agreed === true,
    hasDeclined: ({ context }) => context.slots.agreed === false,
    hasPostcode: ({ context }) => Boolean(context.slots.postcode),
    hasAddress: ({ context }) => Boolean(context.slots.address),
    hasName: ({ context }) => Boolean(context.slots.name),
    isClosingStep: ({ context }) => CLOSING_STEPS.includes(context.step),
    stepMovedDuringReply: ({ context }) =>
      context.replyStep !== undefined && context.replyStep !== context.step,
    isStuckAtStep: ({ context }) => SLOT_STEPS.includes(context.step) && context.attempts >= MAX_ATTEMPTS,
    mayReprompt: ({ context }) => context.reprompts < MAX_REPROMPTS,
    isSaying: ({ context }) => context.say !== undefined,
    isEmptyTranscript: ({ event }) => event.type === 'CALLER.FINAL' && event.text.trim() === '',
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
    bookingDeadline: 6_000,
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
    slots: {},
    attempts: 0,
    reprompts: 0,
    history: [],
    bargeIns: 0,
    turn: 0,
  }),
  initial: 'active',
  on: { HANGUP: '.ended' },
  states: {
    active: {
      type: 'parallel',
      // However a call goes, it ends: a hard cap well beyond any real booking call.
      after: { callDeadline: '#call.active.turn.closing' },
      states: {
        workflow: {
          initial: 'greet',
          on: {
            'CALLER.GAVE_DETAILS': {
              actions: assign(({ context, event }) => {
                const { accepted, issues } = validateDetails(event.details);
                const issue = STEP_ISSUE[context.step];
                const slots: Slots = { ...context.slots, ...accepted };
                return { slots, notice: issue && issues.includes(issue as never) ? issue : context.notice };
              }),
            },
            'CALLER.ASKED_TOTAL_PRICE': { actions: assign({ notice: 'total_price' }) },
            'CALLER.ASKED_IF_LOCAL': { actions: assign({ notice: 'are_you_local' }) },
            'CALLER.SWITCHED_LANGUAGE': {
              actions: assign(({ event }) => ({
                language: event.language,
                notice: 'language_switched' as const,
              })),
            },
            'CALLER.SAID_TOO_EXPENSIVE': '.declined',
            'CALLER.WAS_ABUSIVE': '.abusive',
            'CALLER.ASKED_FOR_HUMAN': '.transfer',
            'CALLER.STUCK': '.transfer',
            'CALLER.NO_RESPONSE': '.goodbye',
            DTMF: { guard: 'isOperatorDigit', target: '.transfer' },
            // Tool results applied: the turn region may now ask for the next reply. A third failed
            // attempt at the same step hands the call to a person instead of asking again.
            'WORKFLOW.SETTLE': [
              { guard: 'isStuckAtStep', target: '.transfer', actions: raise({ type: 'STEP.READY' }) },
              { actions: raise({ type: 'STEP.READY' }) },
            ],
          },
          states: {
            greet: {
              on: {
                'CALLER.FINAL': { guard: ({ event }) => event.text.trim() !== '', target: 'understand' },
              },
            },
            understand: {
              entry: assign({ step: 'understand', attempts: 0 }),
              always: { guard: 'hasProblem', target: 'quote' },
            },
            quote: {
              entry: assign({ step: 'quote', attempts: 0 }),
              always: [
                { guard: 'hasAgreed', target: 'postcode' },
                { guard: 'hasDeclined', target: 'declined' },
              ],
            },
            postcode: {
              entry: assign({ step: 'postcode', attempts: 0 }),
              always: { guard: 'hasPostcode', target: 'address' },
            },
            address: {
              entry: assign({ step: 'address', attempts: 0 }),
              always: { guard: 'hasAddress', target: 'name' },
            },
            name: {
              entry: assign({ step: 'name', attempts: 0 }),
              always: { guard: 'hasName', target: 'book' },
            },
            book: {
              entry: assign({ step: 'book', attempts: 0 }),
              // The caller hears "that's booked" only after the row is committed: hold the turn.
              on: { 'WORKFLOW.SETTLE': {} },
              invoke: {
                id: 'saveBooking',
                src: 'saveBooking',
                input: ({ context }) => ({
                  callId: context.callId,
                  problem: context.slots.problem ?? '',
                  postcode: context.slots.postcode ?? '',
                  address: context.slots.address ?? '',
                  name: context.slots.name ?? '',
                }),
                onDone: {
                  target: 'confirm',
                  actions: [
                    assign({ bookingId: ({ event }) => event.output.bookingId }),
                    raise({ type: 'STEP.READY' }),
                  ],
                },
                onError: { target: 'bookingFailed', actions: raise({ type: 'STEP.READY' }) },
              },
              after: { bookingDeadline: { target: 'bookingFailed', actions: raise({ type: 'STEP.READY' }) } },
            },
            confirm: { entry: assign({ step: 'confirm', outcome: OUTCOME.confirm }) },
            bookingFailed: { entry: assign({ step: 'bookingFailed', outcome: OUTCOME.bookingFailed }) },
            declined: { entry: assign({ step: 'declined', outcome: OUTCOME.declined }) },
            abusive: { entry: assign({ step: 'abusive', outcome: OUTCOME.abusive }) },
            transfer: { entry: [assign({ step: 'transfer', outcome: OUTCOME.transfer }), 'transferCall'] },
            goodbye: { entry: assign({ step: 'goodbye', outcome: OUTCOME.goodbye }) },
          },
        },

        turn: {
          initial: 'greeting',
          states: {
            greeting: {
              entry: 'playGreeting',
              on: {
                'PLAYOUT.DONE': 'listening',
                'CALLER.SPEECH_STARTED': { target: 'bargeIn', actions: 'stopPlayout' },
                'CALLER.FINAL': { target: 'listening', reenter: true, actions: raise(({ event }) => event) },
              },
              after: { greetingDeadline: { target: 'listening', actions: 'stopPlayout' } },
            },

            listening: {
              initial: 'idle',
              on: {
                // The workflow settled late (a slow booking after the apology): speak now.
                'STEP.READY': { target: 'replying', actions: 'recordToolResults' },
                'CALLER.FINAL': [
                  { guard: 'isEmptyTranscript' },
                  {
                    guard: 'isStuckAtStep',
                    target: 'deciding',
                    actions: [
                      'recordCallerTurn',
                      'announceCallerTurn',
                      raise({ type: 'CALLER.STUCK' }),
                      raise({ type: 'WORKFLOW.SETTLE' }),
                    ],
                  },
                  { target: 'replying', actions: ['recordCallerTurn', 'announceCallerTurn'] },
                ],
              },
              states: {
                idle: {
                  on: { 'CALLER.SPEECH_STARTED': 'hearing' },
                  after: {
                    silenceDeadline: [
                      {
                        guard: 'mayReprompt',
                        target: '#call.active.turn.replying',
                        actions: assign(({ context }) => ({
                          reprompts: context.reprompts + 1,
                          say: recoveryLine(
                            'reprompt',
                            context.step,
                            context.facts,
                            context.slots,
                            context.language,
                          ),
                        })),
                      },
                      {
                        target: '#call.active.turn.deciding',
                        actions: [raise({ type: 'CALLER.NO_RESPONSE' }), raise({ type: 'WORKFLOW.SETTLE' })],
                      },
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
                input: ({ context }): ReplyInput => ({
                  callId: context.callId,
                  step: context.step,
                  language: context.language,
                  facts: context.facts,
                  slots: context.slots,
                  notice: context.notice,
                  history: context.history,
                  say: context.say,
                  turn: context.turn,
                }),
              },
              entry: assign({ replyStep: ({ context }) => context.step }),
              exit: assign({ say: undefined, notice: undefined, replyStep: undefined }),
              initial: 'thinking',
              on: {
                'REPLY.FAILED': [
                  { guard: 'isClosingStep', target: 'closing' },
                  // The apology itself failed (TTS down): stop talking and listen.
                  { guard: 'isSaying', target: 'listening' },
                  { target: 'replying', reenter: true, actions: 'sayApology' },
                ],
                'REPLY.GENERATED': { actions: assign({ replyText: ({ event }) => event.text }) },
                // A final without a speech-start event first (a quiet caller): treat it as an interruption.
                'CALLER.FINAL': [
                  { guard: 'isEmptyTranscript' },
                  {
                    target: 'replying',
                    reenter: true,
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
                thinking: {
                  on: {
                    'TTS.FIRST_AUDIO': 'speaking',
                    'LLM.TOOL_CALLS': [
                      { guard: 'spokeBeforeTools', actions: 'applyIntents' },
                      {
                        target: '#call.active.turn.deciding',
                        actions: [
                          assign({ pendingTools: ({ event }) => event.calls }),
                          'applyIntents',
                          raise({ type: 'WORKFLOW.SETTLE' }),
                        ],
                      },
                    ],
                  },
                  after: {
                    firstAudioDeadline: [
                      // Nothing can be voiced and the call is ending anyway: hang up rather than loop.
                      { guard: 'isClosingStep', target: '#call.active.turn.closing' },
                      { guard: 'isSaying', target: '#call.active.turn.listening' },
                      { target: '#call.active.turn.replying', reenter: true, actions: 'sayApology' },
                    ],
                  },
                },
                speaking: {
                  on: {
                    'LLM.TOOL_CALLS': { actions: 'applyIntents' },
                    'PLAYOUT.DONE': [
                      // The step changed while this reply played (a key press, a late tool call): speak for it.
                      {
                        guard: 'stepMovedDuringReply',
                        target: '#call.active.turn.replying',
                        actions: ['announceAgentTurn', 'recordAgentTurn'],
                      },
                      {
                        guard: 'isClosingStep',
                        target: '#call.active.turn.closing',
                        actions: ['announceAgentTurn', 'recordAgentTurn'],
                      },
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

            // Tool calls are being applied by the workflow (and a booking may be committing).
            deciding: {
              on: {
                'STEP.READY': { target: 'replying', actions: 'recordToolResults' },
              },
              after: {
                decidingDeadline: { target: 'replying', actions: ['recordToolResults', 'sayApology'] },
              },
            },

            // The agent has stopped; the caller is talking over it.
            bargeIn: {
              entry: assign({ bargeIns: ({ context }) => context.bargeIns + 1 }),
              on: {
                'CALLER.FINAL': [
                  { guard: 'isEmptyTranscript' },
                  { target: 'replying', actions: ['recordCallerTurn', 'announceCallerTurn'] },
                ],
              },
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
