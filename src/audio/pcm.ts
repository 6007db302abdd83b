/**
 * Signed 16-bit little-endian mono PCM ("slin", docs/protocols/audiosocket.md §4.1) arithmetic. Sizes are
 * always whole samples (even byte counts): Asterisk drops the odd byte of an odd length.
 */

export const BYTES_PER_SAMPLE = 2;

/** Bytes of s16le mono audio per millisecond at `sampleRate` (16 at 8 kHz). */
export function bytesPerMs(sampleRate: number): number {
  return (sampleRate * BYTES_PER_SAMPLE) / 1000;
}

/** Bytes in one frame of `frameMs` (320 for 20 ms at 8 kHz, 640 at 16 kHz, 1764 at 44.1 kHz). */
export function frameBytes(sampleRate: number, frameMs = 20): number {
  return Math.round((sampleRate * frameMs) / 1000) * BYTES_PER_SAMPLE;
}

/** Duration in ms of `bytes` of s16le mono audio. */
export function pcmDurationMs(bytes: number, sampleRate: number): number {
  return bytes / bytesPerMs(sampleRate);
}

/** Whole-sample byte count for `ms` of audio (rounded down to an even number). */
export function pcmBytesForMs(ms: number, sampleRate: number): number {
  return Math.floor((ms * sampleRate) / 1000) * BYTES_PER_SAMPLE;
}

/** Digital silence (all-zero samples), `bytes` rounded down to whole samples. */
export function silencePcm(bytes: number): Buffer {
  return Buffer.alloc(bytes - (bytes % BYTES_PER_SAMPLE));
}
