import type { CallFacts, Language, Notice, Step } from './call.types.js';
import { spellPostcode } from './postcode.js';
import type { Slots } from './slots.js';

/**
 * Suggested wording per step and notice, both languages (Spanish uses "usted").
 * The LLM phrases the reply from this suggestion; recovery lines (apology, re-prompt) are spoken
 * verbatim when the LLM is unavailable. Facts (fee, trade) come from the tenant.
 */
type Phrase = (f: CallFacts, s: Slots) => string;

const EN: Record<Step, Phrase> = {
  greet: (f) => `Hello, ${f.companyName}, good ${f.timeOfDay}.`,
  understand: () => 'What seems to be the problem?',
  quote: (f) =>
    `I can get ${/^[aeiou]/i.test(f.tradeLabel) ? 'an' : 'a'} ${f.tradeLabel} out to you within thirty minutes to an hour. There's a ${f.calloutFee} pound callout for the ${f.tradeLabel} to come out, then he'll quote you on-site before starting anything.`,
  postcode: () => "Lovely. What's your postcode?",
  address: (_f, s) =>
    s.postcode
      ? `Thanks, that's ${spellPostcode(s.postcode)}. And the house number and street?`
      : 'And the house number and street?',
  name: () => 'And your name?',
  book: () => 'Bear with me one moment.',
  confirm: (f) => `That's booked. The ${f.tradeLabel} will be with you within the hour. Thanks for calling.`,
  bookingFailed: () =>
    "I'm sorry, I couldn't confirm that booking just now. We've kept your details and someone will call you straight back to confirm.",
  declined: () => 'No worries. Thanks for calling.',
  abusive: () => "I'm not able to help further on this call.",
  transfer: (f) =>
    f.canTransfer === false
      ? "I'm sorry, there's nobody free to take your call right now. I've taken down your details and someone will call you back shortly."
      : 'Let me put you through to one of the team. Please hold the line.',
  goodbye: () => "I'll let you go for now. Call back any time. Goodbye.",
};

/** Spanish names of the common trades; an unknown label is kept as the tenant wrote it. */
const TRADE_ES: Record<string, string> = {
  plumber: 'fontanero',
  electrician: 'electricista',
  engineer: 'técnico',
  'heating engineer': 'técnico de calefacción',
  locksmith: 'cerrajero',
  'gas engineer': 'técnico de gas',
  roofer: 'techador',
  glazier: 'cristalero',
};

export function tradeLabelIn(language: Language, label: string): string {
  return language === 'es' ? (TRADE_ES[label.toLowerCase()] ?? label) : label;
}

const ES: Record<Step, Phrase> = {
  greet: (f) =>
    `Hola, ${f.companyName}, ${f.timeOfDay === 'morning' ? 'buenos días' : f.timeOfDay === 'afternoon' ? 'buenas tardes' : 'buenas noches'}.`,
  understand: () => '¿Cuál es el problema?',
  quote: (f) =>
    `Puedo enviarle un ${tradeLabelIn('es', f.tradeLabel)} en treinta minutos a una hora. La visita cuesta ${f.calloutFee} libras y le dará un presupuesto en el sitio antes de empezar.`,
  postcode: () => '¿Me dice su código postal?',
  address: () => '¿Y el número y la calle?',
  name: () => '¿Y su nombre?',
  book: () => 'Un momento, por favor.',
  confirm: (f) =>
    `Queda reservado. El ${tradeLabelIn('es', f.tradeLabel)} estará con usted en una hora. Gracias por llamar.`,
  bookingFailed: () =>
    'Lo siento, no he podido confirmar la reserva ahora mismo. Hemos guardado sus datos y le llamaremos enseguida para confirmarla.',
  declined: () => 'No se preocupe. Gracias por llamar.',
  abusive: () => 'No puedo seguir ayudándole en esta llamada.',
  transfer: (f) =>
    f.canTransfer === false
      ? 'Lo siento, ahora mismo no hay nadie disponible. He tomado nota de sus datos y le llamaremos enseguida.'
      : 'Le paso con un compañero. No cuelgue, por favor.',
  goodbye: () => 'Le dejo por ahora. Llame cuando quiera. Adiós.',
};

const NOTICE_EN: Partial<Record<Notice, Phrase>> = {
  invalid_postcode: () => "Sorry, I didn't catch a valid postcode there.",
  invalid_address: () => "Sorry, I didn't quite get the address.",
  invalid_name: () => "Sorry, I didn't catch your name.",
  invalid_problem: () => 'Sorry, could you tell me a bit more about the problem?',
  total_price: (f) =>
    `Every job's different, so the ${f.tradeLabel} will quote on-site before starting anything. No obligation.`,
  are_you_local: () => "Yes, we've got someone nearby.",
  reprompt: () => 'Sorry, are you still there?',
  apology: () => 'Sorry, bear with me, I missed that.',
  language_switched: () => 'No problem.',
};

const NOTICE_ES: Partial<Record<Notice, Phrase>> = {
  invalid_postcode: () => 'Perdone, no he entendido un código postal válido.',
  invalid_address: () => 'Perdone, no he entendido bien la dirección.',
  invalid_name: () => 'Perdone, no he entendido su nombre.',
  invalid_problem: () => '¿Me puede contar un poco más sobre el problema?',
  total_price: (f) =>
    `Cada trabajo es distinto; el ${tradeLabelIn('es', f.tradeLabel)} le dará el presupuesto en el sitio. Sin compromiso.`,
  are_you_local: () => 'Sí, tenemos a alguien cerca.',
  reprompt: () => 'Perdone, ¿sigue ahí?',
  apology: () => 'Perdone, no le he entendido bien.',
  language_switched: () => 'Claro, seguimos en español.',
};

/** The apology when the details are not known to be kept: no promise of a call back. */
const BOOKING_NOT_KEPT: Record<Language, string> = {
  en: "I'm sorry, I couldn't save that booking just now. Please call us back in a few minutes and we'll get it booked in.",
  es: 'Lo siento, no he podido guardar la reserva ahora mismo. Por favor, vuelva a llamarnos en unos minutos y se la reservaremos.',
};

/** Questions that bring the caller back to the step after an objection or a miss. */
const RESUME_EN: Partial<Record<Step, string>> = {
  quote: 'Shall I get that booked in for you?',
};
const RESUME_ES: Partial<Record<Step, string>> = {
  quote: '¿Quiere que se lo reserve?',
};

export function suggestedReply(
  step: Step,
  notice: Notice | undefined,
  facts: CallFacts,
  slots: Slots,
  language: Language,
): string {
  const steps = language === 'es' ? ES : EN;
  const notices = language === 'es' ? NOTICE_ES : NOTICE_EN;
  const resume = language === 'es' ? RESUME_ES : RESUME_EN;
  if (step === 'bookingFailed' && notice === 'booking_not_kept') return BOOKING_NOT_KEPT[language];
  const base = steps[step](facts, slots);
  if (!notice) return base;
  const lead = notices[notice]?.(facts, slots) ?? '';
  // After an objection in the quote step, do not repeat the whole quote: ask to book instead.
  const tail = step === 'quote' ? (resume.quote ?? base) : base;
  return `${lead} ${tail}`.trim();
}

/** The greeting is built in code (no LLM round trip) and cached as audio per tenant/language/time of day. */
export function greetingText(facts: CallFacts, language: Language): string {
  return (language === 'es' ? ES : EN).greet(facts, {});
}

/** Fixed lines for recovery when no LLM reply can be had. */
export function recoveryLine(
  kind: 'apology' | 'reprompt',
  step: Step,
  facts: CallFacts,
  slots: Slots,
  language: Language,
): string {
  return suggestedReply(step === 'greet' ? 'understand' : step, kind, facts, slots, language);
}

/** Said to every caller still on the line when the server has to stop (after the drain period). */
export function shutdownLine(language: Language): string {
  return language === 'es'
    ? 'Lo siento, tengo que terminar la llamada. Por favor, vuelva a llamar en un minuto. Adiós.'
    : 'Sorry, I have to end the call now. Please call back in a minute. Goodbye.';
}

/** Said when a call cannot be served now (too many calls, or no provider capacity left). */
export function overflowLine(language: Language): string {
  return language === 'es'
    ? 'Lo siento, ahora mismo todas nuestras líneas están ocupadas. Por favor, vuelva a llamar en unos minutos. Adiós.'
    : 'Sorry, all our lines are busy just now. Please call back in a few minutes. Goodbye.';
}
