import { roundTo } from '../../src/round.js';

/**
 * A scripted line as a recogniser would return it: bare lower-case words plus their punctuated form
 * (docs/protocols/deepgram-live.md §4a).
 */
export interface LineWord {
  word: string;
  punctuated: string;
}

export interface TimedWord extends LineWord {
  start: number;
  end: number;
}

export function splitWords(text: string): LineWord[] {
  return text
    .split(/\s+/)
    .map((punctuated) => ({ punctuated, word: punctuated.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '') }))
    .filter((w) => w.word !== '');
}

/** Without punctuate/smart_format Deepgram returns bare lower-case words; with them, the written form. */
export function transcriptOf(words: readonly LineWord[], punctuated: boolean): string {
  return words.map((w) => (punctuated ? w.punctuated : w.word)).join(' ');
}

/** Rounds to microseconds so reported times are stable decimals yet finals still tile exactly. */
export function roundSec(sec: number): number {
  return roundTo(sec, 6);
}

/**
 * Spreads words over [startSec, endSec] in proportion to their length, leaving a short gap after each,
 * so word times lie inside the voiced span the endpointer measured.
 */
export function layoutWords(words: readonly LineWord[], startSec: number, endSec: number): TimedWord[] {
  const weights = words.map((w) => w.word.length + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const span = Math.max(0, endSec - startSec);
  let cursor = startSec;
  return words.map((w, i) => {
    const slot = total ? (span * weights[i]!) / total : 0;
    const timed = { ...w, start: roundSec(cursor), end: roundSec(cursor + slot * 0.9) };
    cursor += slot;
    return timed;
  });
}
