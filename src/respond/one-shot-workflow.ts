import type { CallerIntent, Language, Notice, Step } from '../../machines/call.types.js';
import { type Slots, validateDetails } from '../../machines/slots.js';

/** What a one-shot reply knows of the booking workflow: the call's `workflow` region, minus time. */
export interface WorkflowState {
  step: Step;
  slots: Slots;
  notice?: Notice;
  language: Language;
}

/** The slot issue worth a re-ask at each step (as in machines/call.machine.ts). */
const STEP_ISSUE: Partial<Record<Step, Notice>> = {
  understand: 'invalid_problem',
  postcode: 'invalid_postcode',
  address: 'invalid_address',
  name: 'invalid_name',
};

const EXIT: Partial<Record<CallerIntent['type'], Step>> = {
  'CALLER.SAID_TOO_EXPENSIVE': 'declined',
  'CALLER.WAS_ABUSIVE': 'abusive',
  'CALLER.ASKED_FOR_HUMAN': 'transfer',
};

/**
 * Applies the caller's validated intents the way the call machine's workflow region does, then moves
 * on through every step whose slot is now filled. A one-shot reply cannot book, so it stops at `book`.
 * Kept in step with machines/call.machine.ts (the one-shot has no actor to run it in; its tests pin
 * the transitions that matter).
 */
export function applyIntents(state: WorkflowState, intents: readonly CallerIntent[]): WorkflowState {
  let next: WorkflowState = { ...state, slots: { ...state.slots } };
  for (const intent of intents) {
    const exit = EXIT[intent.type];
    if (exit) return { ...next, step: exit };
    if (intent.type === 'CALLER.GAVE_DETAILS') {
      const { accepted, issues } = validateDetails(intent.details);
      const issue = STEP_ISSUE[next.step];
      next = {
        ...next,
        slots: { ...next.slots, ...accepted },
        ...(issue && issues.includes(issue as never) ? { notice: issue } : {}),
      };
    } else if (intent.type === 'CALLER.ASKED_TOTAL_PRICE') next = { ...next, notice: 'total_price' };
    else if (intent.type === 'CALLER.ASKED_IF_LOCAL') next = { ...next, notice: 'are_you_local' };
    else if (intent.type === 'CALLER.SWITCHED_LANGUAGE') {
      next = { ...next, language: intent.language, notice: 'language_switched' };
    }
  }
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
