import type { CallerIntent, Step } from './call.types.js';
import { parseUkPostcode } from './postcode.js';
import { cleanAddress, cleanName } from './slots.js';

/**
 * Details a caller's turn plainly gives for the step it answers, parsed here so the workflow can move
 * on before the one LLM request of the turn (which then speaks for the new step). Deliberately
 * narrow: only what these patterns recognise with confidence; everything else (the problem, an
 * objection, a "no") is left to the model. The chart validates every value again.
 */
export function localIntents(text: string, step: Step): CallerIntent[] {
  const said = text.replace(/[’‘]/g, "'").trim();
  if (!said || said.endsWith('?')) return []; // a question back is not an answer
  const details = detailsFor(said, step);
  return details ? [{ type: 'CALLER.GAVE_DETAILS', details }] : [];
}

const POSTCODE = /\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b/i;
const AFFIRMATIVE =
  /^(?:(?:yes|yeah|yep|yup|sure|ok|okay|alright|fine|please|go ahead|book it|sounds good|of course|s[ií]|vale|claro|adelante|de acuerdo|por favor|perfecto)(?=[\s,.!]|$)[\s,.!]*)+$/i;
const NEGATION = /\b(?:no|not|don't|nope|nah|but|wait|how|what|cost|price|expensive|caro|cu[aá]nto)\b/i;
const LEAD_IN =
  /^(?:(?:um+|uh+|er+|erm|so|well|ok|okay|right|yes|yeah|s[ií]|vale|pues)[\s,.!]+)*(?:(?:my |the )?(?:post ?code|address|name)(?: is|'s)?|it's at|it's|it is|its|that's|i live at|i'm at|we're at|i'm|i am|this is|me llamo|mi nombre es|mi direcci[oó]n es|soy|es|vivo en)?\s*/i;
/** Single words that answer nothing when said alone at the name step. */
const NOT_A_NAME = /^(?:yes|yeah|no|ok|okay|hello|hi|sorry|thanks|hola|s[ií]|vale|gracias|perd[oó]n)$/i;

function detailsFor(said: string, step: Step) {
  switch (step) {
    case 'quote':
      return AFFIRMATIVE.test(said) && !NEGATION.test(said) ? { agreed: true } : undefined;
    case 'postcode': {
      const postcode = parseUkPostcode(POSTCODE.exec(said)?.[0] ?? '');
      return postcode ? { postcode } : undefined;
    }
    case 'address': {
      const value = said.replace(LEAD_IN, '').replace(/[.!]+$/, '');
      // A house number and a street name, and no postcode mixed in.
      if (!/\d/.test(value) || !/\p{L}{3,}/u.test(value) || POSTCODE.test(value)) return undefined;
      const address = cleanAddress(value);
      return address ? { address } : undefined;
    }
    case 'name': {
      const value = said.replace(LEAD_IN, '').replace(/[.!]+$/, '');
      const name = NOT_A_NAME.test(value) ? undefined : cleanName(value);
      return name ? { name } : undefined;
    }
    default:
      return undefined;
  }
}
