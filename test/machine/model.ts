import { callMachine } from '../../machines/call.machine.js';
import type { CallEvent, CallerIntent } from '../../machines/call.types.js';
import { details, tools } from './harness.js';

type AnyEvent = { type: string; [k: string]: unknown };

/** Every delayed transition in the chart as the event the graph traversal sends for it. */
export function afterEvents(): AnyEvent[] {
  const out: AnyEvent[] = [];
  const visit = (node: (typeof callMachine)['root']) => {
    // The whole-call cap fires after every other deadline; it has its own scenario test.
    for (const t of node.after) if (!t.eventType.includes('callDeadline')) out.push({ type: t.eventType });
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(callMachine.root);
  return out;
}

const flag = (type: CallerIntent['type'], extra: object = {}) => tools({ type, ...extra } as CallerIntent);

/** A representative event of every kind the data plane (and the booking actor) can produce. */
export const MODEL_EVENTS: AnyEvent[] = [
  { type: 'PLAYOUT.DONE' },
  { type: 'CALLER.FINAL', text: 'there is water everywhere' },
  { type: 'CALLER.FINAL', text: '' },
  // Early end of turn: speculation starts, is confirmed by the same words or dropped.
  { type: 'CALLER.TURN_ENDING', text: 'there is water everywhere' },
  { type: 'CALLER.TURN_RESUMED' },
  { type: 'CALLER.SPEECH_STARTED', source: 'stt', heardText: 'I can get' },
  { type: 'TTS.FIRST_AUDIO', ttfbMs: 60 },
  { type: 'REPLY.GENERATED', text: 'ok' },
  { type: 'REPLY.FAILED', reason: 'llm down' },
  { type: 'DTMF', digit: '0' },
  { type: 'HANGUP' },
  // Failures and milestones of the child actors.
  { type: 'GREETING.FAILED', reason: 'tts context error' },
  { type: 'STT.FAILED', reason: 'redial gave up' },
  { type: 'STT.RECONNECTED' },
  { type: 'TTS.FAILED', reason: 'socket refused' },
  { type: 'SYSTEM.SHUTDOWN' },
  tools(details({ problem: 'leaking pipe' })),
  tools(details({ agreed: true })),
  tools(details({ agreed: false })),
  tools(details({ postcode: 'NN15 6QP' })),
  tools(details({ postcode: 'banana' })),
  tools(details({ address: '12 Acacia Avenue' })),
  tools(details({ name: 'Priya Shah' })),
  flag('CALLER.ASKED_TOTAL_PRICE'),
  flag('CALLER.ASKED_IF_LOCAL'),
  flag('CALLER.SAID_TOO_EXPENSIVE'),
  flag('CALLER.WAS_ABUSIVE'),
  flag('CALLER.ASKED_FOR_HUMAN'),
  flag('CALLER.SWITCHED_LANGUAGE', { language: 'es' }),
  { type: 'xstate.done.actor.saveBooking', output: { bookingId: 'BK-TEST' } },
  { type: 'xstate.error.actor.saveBooking', error: new Error('disk full') },
  ...afterEvents(),
];

export const asCallEvent = (e: AnyEvent) => e as unknown as CallEvent;
