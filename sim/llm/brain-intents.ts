import type { Language } from './brain-prompt.js';
import { normalise, words } from './brain-text.js';

/**
 * What a caller asks for or objects to, whatever step the call is in: the `kind` values of the
 * `flag_request` tool. Patterns run on normalised text (lower case, no accents).
 */
export type RequestKind = 'total_price' | 'too_expensive' | 'are_you_local' | 'abusive' | 'human';

/** Checked in this order; the first match wins, so a caller who swears and asks for a person is abusive. */
const REQUEST_PATTERNS: ReadonlyArray<readonly [RequestKind, RegExp]> = [
  [
    'abusive',
    /\b(fuck\w*|shit\w*|bastard\w*|bollocks|wanker\w*|twat|piss off|shut up|you('?re| are|r)( an?| so| such an?)? (idiot|moron|stupid|useless)|joder|mierda|cabron\w*|idiota|gilipollas|puta\w*)\b/,
  ],
  [
    'human',
    /\b(real person|actual person|a person|human|somebody real|someone real|manager|operator|(speak|talk)( to| with) (someone|somebody|a person|an agent|a real)|persona real|una persona|humano|alguien de verdad|hablar con alguien|encargado|gerente)\b/,
  ],
  [
    'too_expensive',
    /\b(too expensive|too much|too pricey|no thanks|no thank you|can'?t afford|cannot afford|not worth|demasiado caro|muy caro|no gracias|no puedo pagar)\b/,
  ],
  [
    'total_price',
    /\b(whole job|total|fixed price|how much will|what will (it|that|this|the \w+) cost|how much (in total|altogether|overall)|final price|overall cost|precio total|todo el trabajo|cuanto costara|cuanto va a costar)\b/,
  ],
  [
    'are_you_local',
    /\b(are you local|you local|nearby|near me|close by|in my area|round here|around here|de la zona|estais cerca|estan cerca|cerca de aqui|son locales)\b/,
  ],
];

export function detectRequest(text: string): RequestKind | undefined {
  const norm = normalise(text);
  for (const [kind, pattern] of REQUEST_PATTERNS) if (pattern.test(norm)) return kind;
  return undefined;
}

/** Words that only (or almost only) occur in one of the two languages callers use. */
const SPANISH_WORDS = new Set([
  'hola',
  'tengo',
  'tiene',
  'si',
  'gracias',
  'fuga',
  'calle',
  'necesito',
  'quiero',
  'llamo',
  'cocina',
  'bano',
  'grifo',
  'agua',
  'vale',
  'favor',
  'buenos',
  'buenas',
  'dias',
  'donde',
  'cuanto',
  'cuesta',
  'esta',
  'estoy',
  'puede',
  'usted',
  'habla',
  'espanol',
  'una',
  'los',
  'las',
  'mi',
  'nombre',
  'es',
  'que',
  'claro',
  'perfecto',
  'senor',
  'senora',
  'tuberia',
  'caldera',
  'roto',
  'rota',
  'por',
]);

const ENGLISH_WORDS = new Set([
  'i',
  "i'm",
  'my',
  'the',
  'is',
  "it's",
  'yes',
  'yeah',
  'please',
  'hello',
  'hi',
  'thanks',
  'thank',
  'have',
  'need',
  'want',
  'leak',
  'leaking',
  'street',
  'road',
  'name',
  'can',
  'could',
  'you',
  'what',
  'how',
  'would',
  'with',
  'and',
  'speak',
  'english',
  'boiler',
  'tap',
  'broken',
]);

/**
 * The language the caller switched to, if they are not speaking the prompt's language. One
 * distinctly Spanish word is enough during an English call (callers open with "hola"); the
 * reverse needs two English words, because Spanish callers say "ok" and spell English names.
 */
export function detectLanguageSwitch(text: string, current: Language): Language | undefined {
  const ws = words(normalise(text));
  const spanish = ws.filter((w) => SPANISH_WORDS.has(w)).length;
  const english = ws.filter((w) => ENGLISH_WORDS.has(w)).length;
  if (current === 'en' && spanish >= 1 && spanish > english) return 'es';
  if (current === 'es' && english >= 2 && english > spanish) return 'en';
  return undefined;
}
