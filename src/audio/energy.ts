import { mulawToLinear } from './g711.js';

/**
 * RMS of the s16le samples in `buf[start, end)`, on the 0…32768 scale. Reads bytes directly, so any
 * byte offset works (no aligned Int16Array view, no copy); a trailing odd byte is ignored. Hot path:
 * called once per 20 ms frame per call, so it allocates nothing. A loop, not a DSP package: one
 * sum of squares needs none, and none avoids allocating per frame.
 */
export function rmsS16le(buf: Uint8Array, start = 0, end = buf.length): number {
  const from = Math.max(0, start);
  const to = Math.min(buf.length, end);
  let sum = 0;
  let n = 0;
  for (let i = from; i + 1 < to; i += 2) {
    // (hi << 24) >> 16 sign-extends the high byte into bits 8–15.
    const sample = ((buf[i + 1]! << 24) >> 16) | buf[i]!;
    sum += sample * sample;
    n++;
  }
  return n === 0 ? 0 : Math.sqrt(sum / n);
}

/** RMS of μ-law bytes, through the decode table (no decoded buffer). */
export function rmsMulaw(buf: Uint8Array, start = 0, end = buf.length): number {
  const from = Math.max(0, start);
  const to = Math.min(buf.length, end);
  let sum = 0;
  for (let i = from; i < to; i++) {
    const sample = mulawToLinear(buf[i]!);
    sum += sample * sample;
  }
  return to > from ? Math.sqrt(sum / (to - from)) : 0;
}

/** RMS → dBFS (full scale 32768); −Infinity for digital silence. */
export function rmsToDbfs(rms: number): number {
  return 20 * Math.log10(rms / 32768);
}

/**
 * RMS (16-bit scale) above which a 20 ms frame counts as voiced when measuring latency. The
 * simulated caller and the server both use it, so "the caller's last voiced frame" is the same frame
 * on both ends of the wire.
 */
export const VOICED_RMS = 300;
