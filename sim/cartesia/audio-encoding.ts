import { endianness } from 'node:os';
import { linearToMulaw } from '../../src/audio/g711.js';
import type { Encoding } from './protocol.js';

/**
 * Packs 16-bit samples into the `output_format.encoding` a client asked for (docs/protocols/cartesia-tts.md
 * §2a). µ-law comes from the project's one codec module; A-law lives here because only this simulator emits
 * it.
 */
export function encodeSamples(samples: Int16Array, encoding: Encoding): Buffer {
  switch (encoding) {
    case 'pcm_s16le': {
      // Int16Array is in the machine's byte order: on a little-endian one the bytes are the wire's.
      if (LITTLE_ENDIAN)
        return Buffer.from(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
      const out = Buffer.allocUnsafe(samples.length * 2);
      for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
      return out;
    }
    case 'pcm_f32le': {
      const out = Buffer.allocUnsafe(samples.length * 4);
      for (let i = 0; i < samples.length; i++) out.writeFloatLE(samples[i]! / 32768, i * 4);
      return out;
    }
    case 'pcm_mulaw': {
      const out = Buffer.allocUnsafe(samples.length);
      for (let i = 0; i < samples.length; i++) out[i] = linearToMulaw(samples[i]!);
      return out;
    }
    case 'pcm_alaw': {
      const out = Buffer.allocUnsafe(samples.length);
      for (let i = 0; i < samples.length; i++) out[i] = alawByte(samples[i]!);
      return out;
    }
  }
}

const LITTLE_ENDIAN = endianness() === 'LE';

const ALAW_SEGMENT_ENDS = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

/** ITU-T G.711 A-law on the 13-bit magnitude, even bits inverted (0x55) as on the wire. */
function alawByte(sample: number): number {
  let value = sample >> 3;
  let mask: number;
  if (value >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    value = -value - 1;
  }
  const segment = ALAW_SEGMENT_ENDS.findIndex((end) => value <= end);
  if (segment < 0) return 0x7f ^ mask;
  const mantissa = segment < 2 ? (value >> 1) & 0x0f : (value >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}
