/** RIFF/WAVE writer for 16-bit PCM (recordings, debugging dumps): one fixed 44-byte header, no package. */

export interface WavFormat {
  sampleRate: number;
  channels: 1 | 2;
}

export const WAV_HEADER_BYTES = 44;

/** The canonical 44-byte header for `dataBytes` of 16-bit little-endian PCM. */
export function wavHeader(dataBytes: number, format: WavFormat): Buffer {
  const blockAlign = format.channels * 2;
  const h = Buffer.alloc(WAV_HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16); // fmt chunk size for PCM
  h.writeUInt16LE(1, 20); // format tag 1 = PCM
  h.writeUInt16LE(format.channels, 22);
  h.writeUInt32LE(format.sampleRate, 24);
  h.writeUInt32LE(format.sampleRate * blockAlign, 28); // byte rate
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(16, 34); // bits per sample
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** A complete WAV file: header + `pcm` (s16le, interleaved when stereo), trimmed to whole blocks. */
export function buildWav(pcm: Uint8Array, format: WavFormat): Buffer {
  const blockAlign = format.channels * 2;
  const dataBytes = pcm.length - (pcm.length % blockAlign);
  return Buffer.concat([wavHeader(dataBytes, format), pcm.subarray(0, dataBytes)]);
}

/**
 * Two mono s16le tracks → one interleaved stereo s16le buffer (left, right per sample), e.g. caller
 * and agent side by side. The shorter track is padded with silence.
 */
export function interleaveStereo(left: Uint8Array, right: Uint8Array): Buffer {
  const samples = Math.max(left.length >> 1, right.length >> 1);
  const out = Buffer.alloc(samples * 4); // zero-filled: the padding is silence
  copySamples(left, out, 0);
  copySamples(right, out, 2);
  return out;
}

function copySamples(track: Uint8Array, out: Buffer, offset: number): void {
  const samples = track.length >> 1;
  for (let s = 0; s < samples; s++) {
    out[s * 4 + offset] = track[s * 2]!;
    out[s * 4 + offset + 1] = track[s * 2 + 1]!;
  }
}
