import { LRUCache } from 'lru-cache';
import { roundTo } from '../../src/round.js';

/**
 * Stand-in for Sonic: turns words into a voiced, speech-shaped signal. Not intelligible, but it has
 * what the rest of callchart measures: a length that follows the text at a speaking rate, energy a
 * VAD detects (a harmonic tone near a voice's pitch, amplitude-modulated at syllable rate), and short
 * gaps between words. Deterministic: the same words and voice always give the same samples.
 */

export interface SpeakingStyle {
  voiceId: string;
  /** generation_config.speed, 0.6–1.5 (docs/protocols/cartesia-tts.md §6): scales every duration. */
  speed: number;
  /** generation_config.volume, 0.5–2.0 (§6): scales the amplitude. */
  volume: number;
  /** Characters per second at speed 1, spaces included (~15 is conversational English). */
  charsPerSecond: number;
}

export interface SpokenWords {
  samples: Int16Array;
  /** Word timestamps in seconds, relative to `timelineStartSec` passed in (§3b). */
  words: string[];
  start: number[];
  end: number[];
  durationSec: number;
}

/** RMS of the voiced part of a word on the s16 scale; in the 2000–6000 band a phone call's speech sits in. */
const TARGET_RMS = 4000;
const HARMONICS = [1, 0.55, 0.3, 0.15];
const EDGE_RAMP_SEC = 0.008;
const MIN_WORD_SEC = 0.08;
const COMMA_PAUSE_SEC = 0.12;
const SENTENCE_PAUSE_SEC = 0.25;
/** Digits are read as words ("42" is "forty-two"), so each counts as about three letters. */
const CHARS_PER_DIGIT = 3;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function spokenChars(word: string): number {
  let n = 0;
  for (const ch of word) {
    if (/\p{N}/u.test(ch)) n += CHARS_PER_DIGIT;
    else if (/\p{L}/u.test(ch)) n += 1;
  }
  return Math.max(1, n);
}

function syllables(word: string): number {
  return Math.max(1, word.toLowerCase().match(/[aeiouyáéíóúü]+/g)?.length ?? 1);
}

function pauseAfter(word: string): number {
  if (/[.!?…]["')\]]*$/.test(word)) return SENTENCE_PAUSE_SEC;
  if (/[,;:]["')\]]*$/.test(word)) return COMMA_PAUSE_SEC;
  return 0;
}

/** Voice pitch 120–219 Hz from the voice id, so two voices sound (and measure) different. */
function basePitchHz(voiceId: string): number {
  return 120 + (fnv1a(voiceId) % 100);
}

/**
 * A word's voiced samples depend only on these inputs, and a booking call says the same words again
 * and again: rendering them once keeps the simulator's CPU (four sines per sample) off the providers'
 * latency at a few hundred calls. Bounded by bytes.
 */
const renderedWords = new LRUCache<string, Int16Array>({
  maxSize: 32 * 1024 * 1024,
  sizeCalculation: (samples) => Math.max(1, samples.byteLength),
});

/** One word's voiced part, normalised to TARGET_RMS × volume (from the cache when it was said before). */
function voicedWord(count: number, sampleRate: number, word: string, f0: number, volume: number): Int16Array {
  const key = `${sampleRate}|${count}|${f0}|${volume}|${word}`;
  let samples = renderedWords.get(key);
  if (!samples) {
    samples = renderVoiced(count, sampleRate, word, f0, volume);
    renderedWords.set(key, samples);
  }
  return samples;
}

function renderVoiced(
  count: number,
  sampleRate: number,
  word: string,
  f0: number,
  volume: number,
): Int16Array {
  const signal = new Float64Array(count);
  const n = syllables(word);
  const ramp = Math.max(1, Math.round(EDGE_RAMP_SEC * sampleRate));
  let phase = 0;
  let energy = 0;
  for (let i = 0; i < count; i++) {
    const progress = i / count;
    // A falling contour inside the word, like a stressed syllable settling.
    const pitch = f0 * (1 - 0.08 * progress);
    phase += (2 * Math.PI * pitch) / sampleRate;
    let s = 0;
    for (let h = 0; h < HARMONICS.length; h++) s += HARMONICS[h]! * Math.sin((h + 1) * phase);
    const syllable = (progress * n) % 1;
    const envelope = 0.25 + 0.75 * Math.sin(Math.PI * syllable);
    const edge = Math.min(1, i / ramp, (count - 1 - i) / ramp);
    signal[i] = s * envelope * edge;
    energy += signal[i]! ** 2;
  }
  const rms = Math.sqrt(energy / Math.max(1, count));
  const gain = rms > 0 ? (TARGET_RMS * volume) / rms : 0;
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.min(32767, Math.max(-32768, Math.round(signal[i]! * gain)));
  return out;
}

/** Renders words back to back, each followed by its gap; timestamps continue from `timelineStartSec`. */
export function speakWords(
  words: readonly string[],
  sampleRate: number,
  style: SpeakingStyle,
  timelineStartSec: number,
): SpokenWords {
  const secPerChar = 1 / (style.charsPerSecond * style.speed);
  const spans = words.map((word) => {
    const voiced = Math.max(MIN_WORD_SEC / style.speed, spokenChars(word) * secPerChar);
    const gap = secPerChar + pauseAfter(word) / style.speed; // the space after the word, then punctuation
    return { word, voiced: Math.round(voiced * sampleRate), gap: Math.round(gap * sampleRate) };
  });
  const total = spans.reduce((sum, s) => sum + s.voiced + s.gap, 0);
  const basePitch = basePitchHz(style.voiceId);
  const result: SpokenWords = {
    samples: new Int16Array(total),
    words: [],
    start: [],
    end: [],
    durationSec: 0,
  };
  let cursor = 0;
  for (const span of spans) {
    const f0 = basePitch * (1 + ((fnv1a(span.word) % 21) - 10) / 100);
    result.samples.set(voicedWord(span.voiced, sampleRate, span.word, f0, style.volume), cursor);
    result.words.push(span.word);
    result.start.push(round3(timelineStartSec + cursor / sampleRate));
    result.end.push(round3(timelineStartSec + (cursor + span.voiced) / sampleRate));
    cursor += span.voiced + span.gap;
  }
  result.durationSec = total / sampleRate;
  return result;
}

function round3(x: number): number {
  return roundTo(x, 3);
}
