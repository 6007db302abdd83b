import type { Step } from './brain-prompt.js';
import { normalise, trimValue } from './brain-text.js';

/** The arguments of the `record_details` tool. */
export interface Slots {
  problem?: string;
  agreed?: boolean;
  postcode?: string;
  address?: string;
  name?: string;
}

/** Outward code + inward code, spaces optional ("NN15 6QP", "sw1a1aa"). Validation is the machine's job. */
const UK_POSTCODE = /\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b/i;

/** A house number followed within a few words by a street word, or a Spanish street prefix. */
const ADDRESS_START =
  /\b\d{1,4}[a-z]?,?\s+(?:[a-z'-]+\s+){0,4}(?:street|st|road|rd|lane|ln|avenue|ave|close|drive|dr|way|crescent|court|place|grove|gardens|terrace|hill|park|row|walk|square|mews|view)\b|\b(?:calle|avenida|avda|plaza|paseo|camino)\s+\S/i;

const MAX_TEXT_CHARS = 300;
const MAX_POSTCODE_CHARS = 24;

const NAME_MARKER = /\b(?:my name is|my name's|me llamo|mi nombre es)\s+/i;
const NAME_STOP_WORDS = new Set([
  'and',
  'y',
  'i',
  'my',
  'from',
  'at',
  'the',
  'please',
  'thanks',
  'thank',
  'gracias',
]);

const FILLER =
  /^(?:(?:um+|uh+|er+|erm|so|well|ok|okay|right|yes|yeah|yep|sure|hi|hiya|hello|hey|hola|s[ií]|vale|claro|bueno|pues)(?=[\s,.!]|$)[\s,.!]*)+/i;
const GREETING =
  /^(?:(?:hi|hiya|hello|hey|hola|good (?:morning|afternoon|evening)|buenos d[ií]as|buenas tardes|buenas|um+|uh+|er+|so|well)(?: there)?(?=[\s,.!]|$)[\s,.!]*)+/i;

/** Lead-ins a caller puts before the value itself ("it's …", "the address is …"). */
const POSTCODE_LEAD_IN =
  /^(?:(?:my |the )?post ?code(?: is|'s)?|it's|it is|its|that's|es|mi c[oó]digo postal es|el c[oó]digo postal es|el c[oó]digo es)\s+/i;
const ADDRESS_LEAD_IN =
  /^(?:(?:my |the )?address(?: is|'s)?|it's at|it's|it is|its|i live at|i'm at|we're at|we live at|that's|mi direcci[oó]n es|la direcci[oó]n es|vivo en|estoy en|es)\s+/i;
const NAME_LEAD_IN =
  /^(?:my name is|my name's|the name is|the name's|name's|it's|it is|its|i'm|i am|this is|call me|me llamo|mi nombre es|soy)\s+/i;

/**
 * Which slots the caller just gave. `answeredStep` is false when the caller asked a question or
 * objected instead (then only unmistakable details such as a postcode are taken, never the
 * whole sentence as a name or an address).
 */
export function extractSlots(text: string, step: Step | undefined, answeredStep: boolean): Slots {
  const slots: Slots = answeredStep ? slotsForStep(text, step) : {};
  const postcode = findPostcode(text);
  if (postcode && slots.postcode === undefined) slots.postcode = postcode;
  const address = findNumberedAddress(text);
  if (address && slots.address === undefined) slots.address = address;
  const name = findIntroducedName(text);
  if (name && slots.name === undefined) slots.name = name;
  return slots;
}

function slotsForStep(text: string, step: Step | undefined): Slots {
  const asksBack = text.trim().endsWith('?');
  switch (step) {
    case 'understand': {
      const problem = cleanProblem(text);
      const slots: Slots = problem && !asksBack ? { problem } : {};
      if (saysYesUpFront(text)) slots.agreed = true;
      return slots;
    }
    // A caller who declined may change their mind; `confirm` is only goodbyes, nothing to record.
    case 'quote':
    case 'declined':
    case 'objection': {
      const agreed = detectAgreement(text);
      return agreed === undefined ? {} : { agreed };
    }
    case 'postcode': {
      const candidate = asksBack ? undefined : valueAfter(text, POSTCODE_LEAD_IN);
      // Anything longer than a postcode spelled out ("N N one five, six Q P") is talk, not a postcode.
      // ("Yes please, go ahead" still answers the last question; it is not a postcode.)
      const postcode =
        findPostcode(text) ??
        (candidate && candidate.length <= MAX_POSTCODE_CHARS && detectAgreement(text) === undefined
          ? candidate
          : undefined);
      return postcode ? { postcode } : {};
    }
    case 'address': {
      if (asksBack) return {};
      const postcode = findPostcode(text);
      const answer = valueAfter(text, ADDRESS_LEAD_IN);
      const address = capped(trimValue(postcode ? answer.replace(postcode, '') : answer));
      // Lead-ins and fillers around a postcode ("It's, um, NN15 6QP") are no address.
      return address && !onlyFiller(address) ? { address } : {};
    }
    case 'name': {
      if (asksBack) return {};
      const name = nameIn(valueAfter(text, NAME_LEAD_IN));
      return name ? { name } : {};
    }
    default:
      return {};
  }
}

/** Words that carry no detail of their own: lead-ins and hesitations. */
const EMPTY_WORD = /^(?:it's|its|it|is|at|the|that's|um+|uh+|er+|erm|eh+|so|well|es|pues)$/i;

function onlyFiller(text: string): boolean {
  return text.split(/[\s,.!]+/).every((w) => w === '' || EMPTY_WORD.test(w));
}

export function findPostcode(text: string): string | undefined {
  const match = UK_POSTCODE.exec(text);
  return match ? match[0] : undefined;
}

/** "12 High Street, Kettering NN15 6QP and my name is …" → "12 High Street, Kettering". */
function findNumberedAddress(text: string): string | undefined {
  const start = ADDRESS_START.exec(text);
  if (!start) return undefined;
  let rest = text.slice(start.index);
  const postcode = UK_POSTCODE.exec(rest);
  if (postcode) rest = rest.slice(0, postcode.index);
  const end = /[.!?;]|\s(?:and|y)\s/i.exec(rest);
  const address = capped(trimValue(end ? rest.slice(0, end.index) : rest));
  return address || undefined;
}

/** "… and my name is Priya Shah, thanks" → "Priya Shah". */
function findIntroducedName(text: string): string | undefined {
  const marker = NAME_MARKER.exec(text);
  return marker ? nameIn(text.slice(marker.index + marker[0].length)) : undefined;
}

/** The name at the start of a phrase: up to four words, ending at punctuation or "and …". */
function nameIn(phrase: string): string | undefined {
  const nameWords: string[] = [];
  for (const word of (phrase.split(/[,.;!?]/)[0] ?? '').trim().split(/\s+/)) {
    if (!word || NAME_STOP_WORDS.has(word.toLowerCase()) || nameWords.length === 4) break;
    nameWords.push(word);
  }
  return nameWords.length ? nameWords.join(' ') : undefined;
}

/** Yes/no to a price or a summary; undefined when the caller said neither. */
export function detectAgreement(text: string): boolean | undefined {
  const norm = normalise(text);
  if (/\b(not sure|don't know|dunno|maybe|let me think|no se)\b/.test(norm)) return undefined;
  if (/\b(no problem|no worries|not a problem|why not|no te preocupes)\b/.test(norm)) return true;
  if (/\b(no|nope|nah|not|don't|do not|rather not|cancel)\b/.test(norm)) return false;
  if (
    /\b(yes|yeah|yep|yup|go ahead|please|fine|ok|okay|sure|sounds good|alright|all right|of course|definitely|book it|correct|that's right|si|vale|de acuerdo|claro|perfecto|adelante|correcto)\b/.test(
      norm,
    )
  )
    return true;
  return undefined;
}

function saysYesUpFront(text: string): boolean {
  const norm = normalise(text);
  return (
    /^(yes|yeah|yep|si)\b/.test(norm) ||
    /\b(go ahead|book it|that's fine|sounds good|de acuerdo)\b/.test(norm)
  );
}

function cleanProblem(text: string): string {
  return capped(trimValue(trimValue(text).replace(GREETING, '').replace(FILLER, '')));
}

/** The call runtime refuses free-text slots over 300 characters (src/call/tools.ts). */
function capped(text: string): string {
  return text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS - 1).trimEnd()}…` : text;
}

function valueAfter(text: string, leadIn: RegExp): string {
  const withoutFiller = trimValue(text.replace(/[’‘]/g, "'")).replace(FILLER, '');
  return trimValue(withoutFiller.replace(leadIn, ''));
}
