import type { CallerLine } from '../caller/script.js';
import { type LineWord, splitWords } from './words.js';

/** A comma's pause in the simulator's clips is 150-250 ms; gaps between words are under 100 ms. */
export const PHRASE_PAUSE_SEC = 0.1;

/** Words split after each comma-like or sentence-ending mark: espeak, and people, pause there. */
export function phrasesOf(words: readonly LineWord[]): LineWord[][] {
  const phrases: LineWord[][] = [];
  let current: LineWord[] = [];
  for (const w of words) {
    current.push(w);
    if (/[,;:.?!]$/.test(w.punctuated)) {
      phrases.push(current);
      current = [];
    }
  }
  if (current.length) phrases.push(current);
  return phrases;
}

/**
 * How much of one scripted line a recogniser has heard, from the audio alone. The pauses in the
 * caller's voice are the phrase breaks of the line *as spoken* (its `speak` form: a postcode said
 * "N N fifteen, six Q P" pauses where its written form has no comma), so each pause means one more
 * spoken phrase heard whole; inside the phrase being said, words grow at the speaking rate. The
 * written words reported are the same share of the written line (the recogniser's formatted output).
 */
export class HeardWords {
  readonly written: LineWord[];
  private readonly spoken: LineWord[][];
  private readonly spokenTotal: number;
  private phrasesHeard = 0;
  private phraseStartSec: number;

  constructor(line: CallerLine | undefined, unscriptedText: string, onsetSec: number) {
    this.written = splitWords(line?.text ?? unscriptedText);
    this.spoken = phrasesOf(line?.speak ? splitWords(line.speak) : this.written);
    this.spokenTotal = this.spoken.reduce((n, p) => n + p.length, 0);
    this.phraseStartSec = onsetSec;
  }

  /** A pause ended the phrase being said; the voice resumed (or will) at `resumeSec`. */
  pause(resumeSec: number): void {
    this.phrasesHeard = Math.min(this.spoken.length, this.phrasesHeard + 1);
    this.phraseStartSec = resumeSec;
  }

  /** The line is over (its segment ended, or it was finalised): every word was heard. */
  all(): void {
    this.phrasesHeard = this.spoken.length;
  }

  /**
   * The written words heard. `pausing`: the voice is pausing now, so the phrase it was saying is heard
   * whole; otherwise the phrase under way counts at `wordsPerSec` up to `voicedUntilSec`.
   */
  heard(opts: { pausing: boolean; voicedUntilSec: number; wordsPerSec: number }): LineWord[] {
    const whole = Math.min(this.spoken.length, this.phrasesHeard + (opts.pausing ? 1 : 0));
    let spokenHeard = this.spoken.slice(0, whole).reduce((n, p) => n + p.length, 0);
    const current = this.spoken[whole];
    if (!opts.pausing && current) {
      const said = Math.ceil((opts.voicedUntilSec - this.phraseStartSec) * opts.wordsPerSec);
      spokenHeard += Math.max(0, Math.min(current.length, said));
    }
    if (spokenHeard >= this.spokenTotal) return this.written;
    return this.written.slice(0, Math.floor((spokenHeard / this.spokenTotal) * this.written.length));
  }
}
