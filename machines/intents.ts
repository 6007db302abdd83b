import {
  type CallContext,
  type CallerIntent,
  type Notice,
  STEPS,
  type Step,
  type WayOut,
} from './call.types.js';
import { type Slots, validateDetails } from './slots.js';

/** The slot issue that matters at each step (a bad name given early is not worth a re-ask yet). */
const STEP_ISSUE: Partial<Record<Step, Notice>> = {
  understand: 'invalid_problem',
  postcode: 'invalid_postcode',
  address: 'invalid_address',
  name: 'invalid_name',
};

const WAY_OUT: Partial<Record<CallerIntent['type'], WayOut>> = {
  'CALLER.SAID_TOO_EXPENSIVE': 'declined',
  'CALLER.WAS_ABUSIVE': 'abusive',
  'CALLER.ASKED_FOR_HUMAN': 'transfer',
};

type IntentEffect = Pick<CallContext, 'slots' | 'language'> & Partial<Pick<CallContext, 'notice' | 'wayOut'>>;

/**
 * What the caller's validated intents change, in the order they were given: slots (re-validated here,
 * never trusted), a notice for the next reply, the language, or a way out of the workflow. The
 * workflow region then moves on these values through its eventless transitions.
 */
export function foldIntents(
  context: Pick<CallContext, 'step' | 'slots' | 'language' | 'notice' | 'wayOut'>,
  intents: readonly CallerIntent[],
): IntentEffect {
  let { slots, language, notice, wayOut } = context;
  for (const intent of intents) {
    switch (intent.type) {
      case 'CALLER.GAVE_DETAILS': {
        const { accepted, issues } = validateDetails(intent.details);
        slots = { ...slots, ...accepted } satisfies Slots;
        const issue = STEP_ISSUE[context.step];
        if (issue && issues.includes(issue as never)) notice = issue;
        break;
      }
      case 'CALLER.ASKED_TOTAL_PRICE':
        notice = 'total_price';
        break;
      case 'CALLER.ASKED_IF_LOCAL':
        notice = 'are_you_local';
        break;
      case 'CALLER.SWITCHED_LANGUAGE':
        language = intent.language;
        notice = 'language_switched';
        break;
      default:
        wayOut = WAY_OUT[intent.type] ?? wayOut;
    }
  }
  return { slots, language, notice, wayOut };
}

/** Steps that collect a slot, in workflow order. */
export const SLOT_STEPS: readonly Step[] = ['understand', 'quote', 'postcode', 'address', 'name'];

/**
 * Steps whose next question a reply may speak in the same response as the tool call recording the
 * answer (the prompt offers the line): the problem and the quote's yes cannot fail validation in a
 * way the caller would hear. A postcode, an address or a name is checked before it is spoken.
 */
export const SPEAK_AHEAD_STEPS: readonly Step[] = ['understand', 'quote'];

/** The step a slot step leads to once its slot is given. */
export function nextStep(step: Step): Step | undefined {
  return SLOT_STEPS.includes(step) ? STEPS[STEPS.indexOf(step) + 1] : undefined;
}

/**
 * The steps whose line a reply already spoke, when its model recorded these intents after speaking:
 * the prompt asks it to say, in the same response, the line for what the caller did (the next step's
 * question after a detail, the hand-over after a request for a person, ...).
 */
export function stepsAnsweredBy(intents: readonly CallerIntent[], replyStep: Step): Step[] {
  const steps: Step[] = [];
  for (const intent of intents) {
    const step =
      intent.type === 'CALLER.GAVE_DETAILS'
        ? SPEAK_AHEAD_STEPS.includes(replyStep)
          ? nextStep(replyStep)
          : undefined
        : WAY_OUT[intent.type];
    if (step) steps.push(step);
  }
  return steps;
}
