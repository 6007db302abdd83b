import { rmsS16le } from '../../src/audio/energy.js';
import { bytesPerMs } from '../../src/audio/pcm.js';
import type { CallerLine } from './script.js';

const FRAME_MS = 20;

/** A mid-sentence pause inside a line's audio, in ms from the start of the line's clip. */
export interface PauseSpan {
  /** End of the voice of the part before the pause. */
  startMs: number;
  /** Start of the voice of the part after it. */
  endMs: number;
}

export interface LineAudio {
  pcm: Buffer;
  pauses: PauseSpan[];
}

/** First and last+1 voiced 20 ms frame of a clip, in frames; null when the clip is silent. */
function voicedFrames(pcm: Buffer, sampleRate: number, voicedRms: number): [number, number] | null {
  const frame = bytesPerMs(sampleRate) * FRAME_MS;
  let first = -1;
  let last = -1;
  for (let i = 0; i * frame < pcm.length; i++) {
    if (rmsS16le(pcm, i * frame, (i + 1) * frame) > voicedRms) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? null : [first, last + 1];
}

/**
 * A line's audio: its clip, or for a line said in parts, the parts' clips with exactly
 * `midPauseMs` of silence between one part's last voiced frame and the next one's first (the
 * clips' own silence at the joins is cut), and where each pause lies.
 */
export function lineAudio(
  line: CallerLine,
  clipFor: (line: CallerLine) => Buffer,
  sampleRate: number,
  voicedRms: number,
): LineAudio {
  if (!line.parts) return { pcm: clipFor(line), pauses: [] };
  const frame = bytesPerMs(sampleRate) * FRAME_MS;
  const pauseFrames = Math.round((line.midPauseMs ?? 0) / FRAME_MS);
  const pieces: Buffer[] = [];
  const pauses: PauseSpan[] = [];
  let frames = 0;
  line.parts.forEach((part, i) => {
    const pcm = clipFor({ ...part, ...(line.lang ? { lang: line.lang } : {}) });
    const span = voicedFrames(pcm, sampleRate, voicedRms) ?? [0, Math.ceil(pcm.length / frame)];
    const isFirst = i === 0;
    const isLast = i === line.parts!.length - 1;
    const from = isFirst ? 0 : span[0] * frame;
    const to = isLast ? pcm.length : Math.min(pcm.length, span[1] * frame);
    if (!isFirst) {
      pauses.push({ startMs: frames * FRAME_MS, endMs: (frames + pauseFrames) * FRAME_MS });
      pieces.push(Buffer.alloc(pauseFrames * frame));
      frames += pauseFrames;
    }
    const n = Math.ceil((to - from) / frame);
    pieces.push(pcm.subarray(from, to));
    // Whole frames, so the pause offsets stay exact in the 20 ms frames the peer sends.
    if (!isLast && (to - from) % frame !== 0) pieces.push(Buffer.alloc(n * frame - (to - from)));
    frames += n;
  });
  return { pcm: Buffer.concat(pieces), pauses };
}
