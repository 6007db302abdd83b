import type { CallContext, Speculation, Step } from './call.types.js';
import { foldIntents, nextStep } from './intents.js';
import { localIntents } from './local-intents.js';

/** What completes each slot step. While one holds, the workflow is still moving on. */
export const STEP_COMPLETE: Partial<Record<Step, (c: CallContext) => boolean>> = {
  understand: (c) => Boolean(c.slots.problem),
  quote: (c) => c.slots.agreed !== undefined,
  postcode: (c) => Boolean(c.slots.postcode),
  address: (c) => Boolean(c.slots.address),
  name: (c) => Boolean(c.slots.name),
};

/**
 * The context after a caller turn is recorded: the turn in the history, one more attempt at the
 * step, and what its words plainly give for the step applied (`localIntents`, validated again).
 */
export function withCallerTurn(context: CallContext, text: string): CallContext {
  const base: CallContext = {
    ...context,
    history: [...context.history, { role: 'caller', text }],
    attempts: context.attempts + 1,
    reprompts: 0,
    turn: context.turn + 1,
    turnUnderstood: false,
  };
  // At `greet` any words move the call to `understand`, which is the step they answer.
  const step = context.step === 'greet' ? 'understand' : context.step;
  const intents = localIntents(text, step);
  return intents.length ? { ...base, ...foldIntents(base, intents) } : base;
}

/**
 * Where the workflow would settle if `text` were the caller's whole turn, for a reply started before
 * the turn is confirmed. Undefined when no reply could be made yet (the turn would hand the call
 * over). A turn that completes the booking predicts the confirmation, held until the booking is
 * stored. A wrong guess costs only the held reply: when the turn is confirmed the chart compares the
 * step it really settled on with this one.
 */
export function predictSpeculation(context: CallContext, text: string): Speculation | undefined {
  const after = withCallerTurn(context, text);
  let step: Step = context.step === 'greet' ? 'understand' : after.step;
  for (let guard = 0; guard < 8; guard++) {
    if (after.wayOut) return undefined; // a way out is not worth guessing at
    if (step === 'quote' && after.slots.agreed === false) return undefined;
    if (!STEP_COMPLETE[step]?.(after)) break;
    step = nextStep(step) ?? step;
  }
  // The confirmation is made while the booking is stored; the chart releases it only once stored.
  if (step === 'book') step = 'confirm';
  return { text, step, language: after.language, audioReady: false };
}

/** Transcripts compared for "the final says what the speculation heard": case, spacing and end punctuation aside. */
export function sameWords(a: string, b: string): boolean {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/[.,!?;:¿¡]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  return norm(a) === norm(b);
}
