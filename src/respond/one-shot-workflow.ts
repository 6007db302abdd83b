import type { CallContext, CallerIntent, Step } from '../../machines/call.types.js';
import { foldIntents } from '../../machines/intents.js';
import type { Slots } from '../../machines/slots.js';

/** What a one-shot reply knows of the booking workflow: the call's `workflow` region, minus time. */
export type WorkflowState = Pick<CallContext, 'step' | 'slots' | 'language' | 'notice' | 'wayOut'>;

/**
 * Applies the caller's validated intents with the call machine's own `foldIntents`, then moves as
 * the workflow region's eventless transitions do: to a way out (declined, transfer, …) if one was
 * asked for, else on through every step whose slot is now filled. A one-shot reply cannot book, so
 * it stops at `book`. The step order mirrors machines/call.machine.ts; the unit tests pin it.
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

function advance(step: Step, s: Slots): Step {
  switch (step) {
    case 'greet':
      return 'understand';
    case 'understand':
      return s.problem ? 'quote' : step;
    case 'quote':
      return s.agreed === true ? 'postcode' : s.agreed === false ? 'declined' : step;
    case 'postcode':
      return s.postcode ? 'address' : step;
    case 'address':
      return s.address ? 'name' : step;
    case 'name':
      return s.name ? 'book' : step;
    default:
      return step;
  }
}
