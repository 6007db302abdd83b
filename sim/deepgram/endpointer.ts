import { WindowRms } from './window-rms.js';

export interface EndpointerConfig {
  windowMs: number;
  /** A window is voiced above this RMS (16-bit scale) … */
  thresholdRms: number;
  /** … and above noiseRatio × the adaptive noise floor, so a hissy line needs louder speech. */
  noiseRatio: number;
  /** Voiced audio needed before a segment counts as speech (filters clicks). */
  minSpeechMs: number;
  /** Silence that ends a segment: the query's `endpointing` (docs/protocols/deepgram-live.md §2a). */
  endpointingMs: number;
}

export const DEFAULT_ENDPOINTER: Omit<EndpointerConfig, 'endpointingMs'> = {
  windowMs: 10,
  thresholdRms: 300, // about -40 dBFS: espeak fixtures peak near 7000-11000 RMS, digital silence is 0
  noiseRatio: 3,
  minSpeechMs: 80,
};

/** Times are window boundaries: boundary k is `k × windowMs` of audio. */
export type EndpointerEvent =
  | { type: 'speech-start'; onset: number; at: number }
  | { type: 'speech-end'; onset: number; offset: number; at: number };

type State = 'silence' | 'candidate' | 'speech';

/** Time constant of the noise floor tracker, in windows (1 s at 10 ms windows). */
const NOISE_ADAPT_WINDOWS = 100;

/**
 * Energy endpointer over window RMS values. Speech starts after `minSpeechMs` of consecutive voiced
 * windows (the onset is the first of them); it ends after `endpointingMs` of unvoiced windows (the
 * offset is the end of the last voiced one). The noise floor adapts only on unvoiced windows outside
 * speech, so a long utterance never raises it; noise louder than `thresholdRms` therefore reads as speech.
 */
export class EnergyEndpointer {
  private state: State = 'silence';
  private boundary = 0;
  private onset = 0;
  private voicedRun = 0;
  private silentRun = 0;
  private lastVoicedEnd = 0;
  private noiseFloor = 0;
  private lastWindowVoiced = false;
  private readonly minSpeechWindows: number;
  private readonly endWindows: number;

  constructor(private readonly config: EndpointerConfig) {
    this.minSpeechWindows = Math.max(1, Math.ceil(config.minSpeechMs / config.windowMs));
    this.endWindows = Math.max(1, Math.ceil(config.endpointingMs / config.windowMs));
  }

  get inSpeech(): boolean {
    return this.state === 'speech';
  }

  /** Window boundary reached so far. */
  get now(): number {
    return this.boundary;
  }

  /** End of the last voiced window of the current or last segment. */
  get lastVoicedBoundary(): number {
    return this.lastVoicedEnd;
  }

  /** Whether the last window pushed counted as voiced (energy above the threshold and the noise floor). */
  get voiced(): boolean {
    return this.lastWindowVoiced;
  }

  get currentOnset(): number | undefined {
    return this.state === 'speech' ? this.onset : undefined;
  }

  push(rms: number): EndpointerEvent | undefined {
    const start = this.boundary++;
    const voiced = rms > Math.max(this.config.thresholdRms, this.noiseFloor * this.config.noiseRatio);
    this.lastWindowVoiced = voiced;
    switch (this.state) {
      case 'silence':
      case 'candidate':
        if (!voiced) {
          this.adaptNoiseFloor(rms);
          this.state = 'silence';
          this.voicedRun = 0;
          return undefined;
        }
        if (this.state === 'silence') this.onset = start;
        this.state = 'candidate';
        if (++this.voicedRun < this.minSpeechWindows) return undefined;
        this.state = 'speech';
        this.silentRun = 0;
        this.lastVoicedEnd = this.boundary;
        return { type: 'speech-start', onset: this.onset, at: this.boundary };
      case 'speech':
        if (voiced) {
          this.silentRun = 0;
          this.lastVoicedEnd = this.boundary;
          return undefined;
        }
        if (++this.silentRun < this.endWindows) return undefined;
        this.state = 'silence';
        this.voicedRun = 0;
        return { type: 'speech-end', onset: this.onset, offset: this.lastVoicedEnd, at: this.boundary };
    }
  }

  private adaptNoiseFloor(rms: number): void {
    // Falls at once to a quieter level, rises slowly, so one loud breath does not deafen the detector.
    this.noiseFloor =
      rms < this.noiseFloor ? rms : this.noiseFloor + (rms - this.noiseFloor) / NOISE_ADAPT_WINDOWS;
  }
}

export interface DetectedSegment {
  startSec: number;
  endSec: number;
}

/**
 * Runs the endpointer over a whole clip. A segment still open at the end is reported only with
 * `closeAtEnd` (a pre-recorded file is complete: its last words need no trailing silence).
 */
export function detectSegments(
  samples: Int16Array,
  sampleRate: number,
  config: EndpointerConfig,
  closeAtEnd = false,
): DetectedSegment[] {
  const windowSamples = Math.round((sampleRate * config.windowMs) / 1000);
  const endpointer = new EnergyEndpointer(config);
  const windowSec = windowSamples / sampleRate;
  const segments: DetectedSegment[] = [];
  for (const rms of new WindowRms(windowSamples).push(samples)) {
    const event = endpointer.push(rms);
    if (event?.type === 'speech-end') {
      segments.push({ startSec: event.onset * windowSec, endSec: event.offset * windowSec });
    }
  }
  const open = endpointer.currentOnset;
  if (closeAtEnd && open !== undefined) {
    segments.push({ startSec: open * windowSec, endSec: endpointer.lastVoicedBoundary * windowSec });
  }
  return segments;
}
