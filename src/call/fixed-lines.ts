import {
  BOOKING_STEPS,
  type CallFacts,
  type Language,
  type ReplyInput,
  type Step,
} from '../../machines/call.types.js';
import { overflowLine, recoveryLine, shutdownLine, suggestedReply } from '../../machines/phrases.js';
import type { CallLine } from './call-line.js';
import type { LineCache, LineSet } from './line-cache.js';

/** A line the agent may have to say when no model or speech service can be relied on. */
export interface FixedLine {
  text: string;
  /** The step whose voice (emotion) it is rendered in. */
  step: Step;
}

/**
 * Closing steps spoken in fixed words, never left to the model: the hand-over and the ways out of a
 * failure. (`confirm` stays with the model: a caller may correct a detail while it is said.)
 */
const FIXED_CLOSING_STEPS: readonly Step[] = ['transfer', 'goodbye', 'bookingFailed'];

/** The fixed line of a closing step, if it has one (transfer, goodbye, booking failed). */
export function closingLine(step: Step, facts: CallFacts, language: Language): string | undefined {
  return FIXED_CLOSING_STEPS.includes(step)
    ? suggestedReply(step, undefined, facts, {}, language)
    : undefined;
}

/**
 * Every line synthesised ahead for a company and language: the apology at each booking step, the
 * closing lines, the hold line, the overflow and shutdown lines. Slot-dependent wording (an address
 * apology that spells the postcode) cannot be known ahead and is synthesised when needed.
 */
export function fixedLines(facts: CallFacts, language: Language): FixedLine[] {
  // The apology ("sorry, I missed that" + the step's question) may be said at any booking step.
  const lines: FixedLine[] = BOOKING_STEPS.map((step) => ({
    step,
    text: recoveryLine('apology', step, facts, {}, language),
  }));
  for (const step of FIXED_CLOSING_STEPS) {
    const text = closingLine(step, facts, language);
    if (text) lines.push({ step, text });
  }
  // "Bear with me": said when a booking is slow to store, which is when the store may be in trouble.
  lines.push({ step: 'book', text: suggestedReply('book', undefined, facts, {}, language) });
  lines.push({ step: 'goodbye', text: overflowLine(language) });
  lines.push({ step: 'goodbye', text: shutdownLine(language) });
  // The greeting step's apology asks the first step's question: the same words, kept once.
  return lines.filter((l, i) => lines.findIndex((o) => o.text === l.text) === i);
}

/**
 * A clip synthesised ahead for this reply: its fixed `say` line, or the closing step's own line (also
 * when the `say` line is that line after a lead-in such as an apology).
 */
export function cachedReplyLine(
  input: ReplyInput,
  line: CallLine,
  cache: LineCache,
  format: LineSet['format'],
): { text: string; clip: Buffer } | undefined {
  const { say, step, language, facts } = input;
  const set: LineSet = { tenantId: line.tenantId, language, format };
  const voiceId = line.voice(language, step).voiceId;
  const find = (text: string) => {
    const clip = cache.get(set, voiceId, text);
    return clip ? { text, clip } : undefined;
  };
  const closing = closingLine(step, facts, language);
  if (say === undefined) return closing ? find(closing) : undefined;
  return find(say) ?? (closing && say.endsWith(closing) ? find(closing) : undefined);
}

/** The apology for this reply's step, synthesised ahead: what plays when the TTS cannot voice the reply. */
export function cachedApology(
  input: ReplyInput,
  line: CallLine,
  cache: LineCache,
  format: LineSet['format'],
): { text: string; clip: Buffer } | undefined {
  const { step, language, facts } = input;
  if (!BOOKING_STEPS.includes(step)) return undefined;
  const text = recoveryLine('apology', step, facts, {}, language);
  const clip = cache.get(
    { tenantId: line.tenantId, language, format },
    line.voice(language, step).voiceId,
    text,
  );
  return clip ? { text, clip } : undefined;
}
