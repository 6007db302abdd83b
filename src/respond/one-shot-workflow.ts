import type { CallContext, CallerIntent, Step } from '../../machines/call.types.js';
import { foldIntents, nextStep } from '../../machines/intents.js';
import type { Slots } from '../../machines/slots.js';

/** What a one-shot reply knows of the booking workflow: the call's `workflow` region, minus time. */
export type WorkflowState = Pick<CallContext, 'step' | 'slots' | 'language' | 'notice' | 'wayOut'>;

/**
 * Applies the caller's validated intents with the call machine's own `foldIntents`, then moves as
 * the workflow region's eventless transitions do: to a way out (declined, transfer, …) if one was
 * asked for, else on through every step whose slot is now filled (in the machine's `nextStep` order).
 * A one-shot reply cannot book, so it stops at `book`.
 */
export function applyIntents(state: WorkflowState, intents: readonly CallerIntent[]): WorkflowState {
  const next: WorkflowState = { ...state, ...foldIntents(state, intents) };
  if (next.wayOut) return { ...next, step: next.wayOut };
  return { ...next, step: settle(next.step, next.slots) };
}

function settle(step: Step, s: Slots): Step {
  for (;;) {
    const moved = advance(step, s);
    if (moved === step) return step;
    step = moved;
  }
}

/** When each slot step's answer is in (the chart's STEP_COMPLETE, with a "no" to the quote handled apart). */
const ANSWERED: Partial<Record<Step, (s: Slots) => boolean>> = {
  understand: (s) => Boolean(s.problem),
  quote: (s) => s.agreed === true,
  postcode: (s) => Boolean(s.postcode),
  address: (s) => Boolean(s.address),
  name: (s) => Boolean(s.name),
};

function advance(step: Step, s: Slots): Step {
  if (step === 'greet') return 'understand';
  if (step === 'quote' && s.agreed === false) return 'declined';
  return ANSWERED[step]?.(s) ? (nextStep(step) ?? step) : step;
}
