/**
 * Reads the labelled lines the call runtime puts in each step's system prompt
 * (`Step: …`, `Language: …`, `Suggested reply: …`). Other prose lines are ignored, so the
 * runtime can reword the rest of the prompt freely.
 */

import { STEPS as CALL_STEPS, type Language } from '../../machines/call.types.js';

/** The call machine's steps, plus two a hand-written prompt may name ('done', 'objection'). */
export const STEPS = [...CALL_STEPS, 'done', 'objection'] as const;
export type Step = (typeof STEPS)[number];

export type { Language };

export interface PromptFacts {
  step?: Step;
  language: Language;
  suggestedReply?: string;
}

const LABELLED_LINE = /^\s*(?:[-*•]\s*)?(step|language|suggested reply)\s*:\s*(.*?)\s*$/i;

export function readPrompt(system: string): PromptFacts {
  const facts: PromptFacts = { language: 'en' };
  for (const line of system.split(/\r?\n/)) {
    const match = LABELLED_LINE.exec(line);
    if (!match) continue;
    const label = match[1]!.toLowerCase();
    const value = match[2]!;
    if (label === 'step') {
      const step = STEPS.find((known) => known.toLowerCase() === value.toLowerCase());
      if (step) facts.step = step;
    } else if (label === 'language') {
      if (/^es\b/i.test(value)) facts.language = 'es';
    } else if (value) {
      facts.suggestedReply = stripQuotes(value);
    }
  }
  return facts;
}

/** Prompts sometimes quote the line they want said; a model would not speak the quotes. */
function stripQuotes(value: string): string {
  const quoted = /^["“'](.*)["”']$/.exec(value);
  return (quoted ? quoted[1]! : value).trim() || value;
}

/** What the brain says when the prompt offers nothing to say (a model would improvise this). */
export function fallbackReply(language: Language): string {
  return language === 'es' ? 'Perdone, ¿me lo puede repetir?' : 'Sorry, could you say that again?';
}

/** "After <kind>: <line>" lines: what to say in the same response as a tool call of that kind. */
export function readAfterLines(system: string): Record<string, string> {
  const after: Record<string, string> = {};
  for (const line of system.split(/\r?\n/)) {
    const match = /^\s*after ([a-z_]+)\s*:\s*(.+?)\s*$/i.exec(line);
    if (match) after[match[1]!.toLowerCase()] = stripQuotes(match[2]!);
  }
  return after;
}

/** The "Known: problem=…; agreed=yes; …" line: details already recorded, as the prompt shows them. */
export function readKnown(system: string): Record<string, string> {
  const known: Record<string, string> = {};
  const line = /^\s*known\s*:\s*(.*?)\s*$/im.exec(system)?.[1] ?? '';
  for (const pair of line.replace(/\.$/, '').split(';')) {
    const [key, raw] = pair.split('=').map((x) => x.trim());
    if (key && raw && raw !== '-') known[key] = raw.replace(/^"(.*)"$/, '$1');
  }
  return known;
}
