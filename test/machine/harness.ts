import { createActor, fromCallback, fromPromise } from 'xstate';
import { callMachine } from '../../machines/call.machine.js';
import type {
  AudioCommand,
  BookingRequest,
  CallChildInput,
  CallEmitted,
  CallEvent,
  CallerIntent,
  CallInput,
  GreetingInput,
  ReplyCommand,
  ReplyInput,
  SttCommand,
  SttInput,
} from '../../machines/call.types.js';

export const FACTS = {
  companyName: 'Quick Fix Plumbing',
  trade: 'plumbing',
  tradeLabel: 'plumber',
  calloutFee: 49,
  area: 'Kettering',
  isRepeatCaller: false,
  timeOfDay: 'morning' as const,
};

export const INPUT: CallInput = { callId: 'call-1', language: 'en', facts: FACTS };

/** A call actor whose effects are recorded instead of performed. */
export function startTestCall(
  opts: { booking?: (r: BookingRequest) => Promise<{ bookingId: string }> } = {},
) {
  const replies: ReplyInput[] = [];
  const effects: string[] = [];
  const emitted: CallEmitted[] = [];
  const bookings: BookingRequest[] = [];
  const machine = callMachine.provide({
    actors: {
      // Child actors record the commands the chart sends them, under the effect names the tests use.
      audio: fromCallback<AudioCommand, CallChildInput>(({ receive }) => {
        receive((c) => effects.push(c.type === 'AUDIO.STOP' ? 'stopPlayout' : 'hangUp'));
      }),
      stt: fromCallback<SttCommand, SttInput>(({ receive }) => {
        receive(() => effects.push('finalizeTranscript'));
      }),
      tts: fromCallback<CallEvent, CallChildInput>(() => undefined),
      greeting: fromCallback<CallEvent, GreetingInput>(() => {
        effects.push('playGreeting');
      }),
      reply: fromCallback<ReplyCommand, ReplyInput>(({ input, receive }) => {
        replies.push(input);
        receive(() => effects.push('replyReleased'));
        return () => effects.push('replyStopped');
      }),
      saveBooking: fromPromise<{ bookingId: string }, BookingRequest>(async ({ input }) => {
        bookings.push(input);
        return opts.booking ? opts.booking(input) : { bookingId: 'BK-1' };
      }),
    },
    actions: {
      transferCall: () => effects.push('transferCall'),
    },
  });
  const actor = createActor(machine, { input: INPUT });
  actor.on('*', (e) => emitted.push(e as CallEmitted));
  actor.start();
  return { actor, replies, effects, emitted, bookings };
}

export const tools = (...intents: CallerIntent[]) => ({
  type: 'LLM.TOOL_CALLS' as const,
  calls: intents.map((i, n) => ({ id: `call_${n}`, name: 'record_details', arguments: JSON.stringify(i) })),
  intents,
  afterText: false,
});

export const details = (d: Record<string, unknown>): CallerIntent => ({
  type: 'CALLER.GAVE_DETAILS',
  details: d,
});
