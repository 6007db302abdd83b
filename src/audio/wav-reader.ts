import type { WavFormat } from './wav.js';

/**
 * A strict RIFF/WAVE reader for what callchart can answer: 16-bit PCM, mono or stereo, 8 or 16 kHz.
 * Hand-written (about 80 lines) because the npm readers either accept far more than we can use or
 * pull in codecs; strictness is the point here, every other file gets a clear `WavFormatError`.
 */

export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

export interface WavAudio {
  format: WavFormat;
  /** s16le samples, interleaved when stereo; a view into the input buffer. */
  pcm: Buffer;
  durationMs: number;
}

export interface ReadWavOptions {
  /**
   * Accept a header written before the length was known (streamed TTS output): the RIFF size is not
   * checked, and a data size of 0, 0xFFFFFFFF or more than is present means "to the end".
   */
  streamed?: boolean;
}

export const WAV_SAMPLE_RATES: readonly number[] = [8000, 16000];

const UNKNOWN_SIZES = new Set([0, 0xffffffff]);

/** Parses `file`; throws WavFormatError naming the first problem found. */
export function readWav(file: Uint8Array, opts: ReadWavOptions = {}): WavAudio {
  const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (buf.length < 12) throw new WavFormatError('not a WAV file: shorter than a RIFF header (truncated?)');
  if (buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a WAV file: no RIFF/WAVE signature');
  }
  const riffSize = buf.readUInt32LE(4);
  if (!opts.streamed && riffSize + 8 > buf.length) {
    throw new WavFormatError(`truncated WAV: header says ${riffSize + 8} bytes, got ${buf.length}`);
  }
  let format: WavFormat | undefined;
  let at = 12;
  while (at + 8 <= buf.length) {
    const id = buf.toString('latin1', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'data') {
      if (!format) throw new WavFormatError('invalid WAV: data chunk before the fmt chunk');
      const toEnd = opts.streamed && (UNKNOWN_SIZES.has(size) || body + size > buf.length);
      if (!toEnd && body + size > buf.length) {
        throw new WavFormatError(
          `truncated WAV: data chunk says ${size} bytes, ${buf.length - body} present`,
        );
      }
      const end = toEnd ? buf.length : body + size;
      const blockAlign = format.channels * 2;
      const pcm = buf.subarray(body, end - ((end - body) % blockAlign));
      const durationMs = (pcm.length / blockAlign / format.sampleRate) * 1000;
      return { format, pcm, durationMs };
    }
    if (body + size > buf.length) throw new WavFormatError(`truncated WAV: "${id}" chunk runs past the end`);
    if (id === 'fmt ') format = parseFmt(buf.subarray(body, body + size));
    at = body + size + (size % 2); // chunks are padded to an even length
  }
  throw new WavFormatError(format ? 'invalid WAV: no data chunk' : 'invalid WAV: no fmt chunk');
}

function parseFmt(fmt: Buffer): WavFormat {
  if (fmt.length < 16) throw new WavFormatError('invalid WAV: fmt chunk shorter than 16 bytes');
  const tag = fmt.readUInt16LE(0);
  const channels = fmt.readUInt16LE(2);
  const sampleRate = fmt.readUInt32LE(4);
  const byteRate = fmt.readUInt32LE(8);
  const blockAlign = fmt.readUInt16LE(12);
  const bits = fmt.readUInt16LE(14);
  if (tag !== 1) {
    throw new WavFormatError(`unsupported WAV encoding (format tag ${tag}): only 16-bit PCM is accepted`);
  }
  if (bits !== 16) throw new WavFormatError(`unsupported WAV: ${bits}-bit samples, only 16-bit is accepted`);
  if (channels !== 1 && channels !== 2) {
    throw new WavFormatError(`unsupported WAV: ${channels} channels, only mono or stereo`);
  }
  if (!WAV_SAMPLE_RATES.includes(sampleRate)) {
    throw new WavFormatError(`unsupported WAV sample rate ${sampleRate} Hz: use 8000 or 16000`);
  }
  if (blockAlign !== channels * 2 || byteRate !== sampleRate * channels * 2) {
    throw new WavFormatError('invalid WAV: fmt block align or byte rate disagrees with the format');
  }
  return { sampleRate, channels };
}

/** Channel 0 of s16le audio (the caller on a stereo recording), as mono s16le. */
export function firstChannel(pcm: Buffer, channels: 1 | 2): Buffer {
  if (channels === 1) return pcm;
  const out = Buffer.alloc(pcm.length >> 1);
  for (let i = 0, o = 0; i + 3 < pcm.length; i += 4, o += 2) {
    out[o] = pcm[i]!;
    out[o + 1] = pcm[i + 1]!;
  }
  return out;
}
