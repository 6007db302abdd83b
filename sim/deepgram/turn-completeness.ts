/**
 * The simulator's stand-in for Flux's semantic end-of-turn model: confidence that the caller has
 * finished grows with the silence after their last word, and faster when the words heard so far
 * make a whole sentence. Text that stops mid-sentence (a trailing comma, "and", "is", "um") keeps
 * the confidence low until a long silence, as a caller searching for a word would get.
 */

/** Words a sentence does not end on (English and Spanish): conjunctions, articles, copulas, fillers. */
const CONTINUATIONS = new Set(
  [
    // English
    "and or but so because then if that which who is are was were be am it's that's i'm the a an",
    'my your our their his her its to of in on at for with from by about um umm uh er erm ah like',
    'just i we you',
    // Spanish
    'y o pero porque que es son está el la los las un una mi su de del en con por para eh em este',
    'pues llamo',
  ]
    .join(' ')
    .split(' '),
);

/** How finished the text sounds: 1 a whole sentence, 0.6 no punctuation, 0.2 mid-sentence, 0 nothing. */
export function textCompleteness(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') return 0;
  if (/[,;:\-–—]$/.test(trimmed)) return 0.2;
  const last = trimmed.split(/\s+/).pop() ?? '';
  const bare = last.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '');
  if (CONTINUATIONS.has(bare)) return 0.2;
  if (/[.?!…]$/.test(trimmed)) return 1;
  return 0.6;
}

export interface ConfidenceModel {
  /** Silence after which a whole sentence is certain to be finished. */
  settleMs: number;
  /** Silence after which any turn, finished-sounding or not, is taken as over. */
  giveUpMs: number;
}

export const DEFAULT_CONFIDENCE_MODEL: ConfidenceModel = { settleMs: 350, giveUpMs: 2000 };

/**
 * completeness × (silence / settle, capped at 1) + (1 - completeness) × (how far past settle towards
 * giveUp): a whole sentence reaches 0.7 after about 250 ms of silence, a trailing "um," after about 1.4 s.
 */
export function endOfTurnConfidence(text: string, silenceMs: number, model: ConfidenceModel): number {
  const c = textCompleteness(text);
  const settled = Math.min(1, Math.max(0, silenceMs / model.settleMs));
  const span = Math.max(1, model.giveUpMs - model.settleMs);
  const givingUp = Math.min(1, Math.max(0, (silenceMs - model.settleMs) / span));
  return Math.round((c * settled + (1 - c) * givingUp) * 1000) / 1000;
}
