/**
 * G.711 μ-law, bit-exact with Asterisk (`AST_LIN2MU` / `AST_MULAW` in main/ulaw.c), which equals the ITU-T
 * G.191 reference `ulaw_compress()` / `ulaw_expand()` (docs/protocols/g711.md §2–§4).
 *
 * Hand-written on purpose: it is two small tables. The one npm package (alawmulaw 6.0.0) has been
 * unmaintained since 2019, breaks ESM named imports (UMD bundle), and rounds the 127 negative threshold
 * inputs away from zero, so it disagrees with Asterisk (docs/protocols/g711.md §4–§5).
 */

/** The μ-law byte for digital silence (+0); 0x7F (−0) also decodes to 0 (docs/protocols/g711.md §1). */
export const MULAW_SILENCE = 0xff;

const BIAS = 0x84;

/**
 * Decode table, docs/protocols/g711.md §2: invert, split sign/exponent/mantissa, `((m << 3) + 132) << e) −
 * 132`.
 */
const DECODE = new Int16Array(256);
for (let byte = 0; byte < 256; byte++) {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + BIAS) << exponent) - BIAS;
  DECODE[byte] = u & 0x80 ? -magnitude : magnitude;
}

/**
 * G.191 `ulaw_compress()` for one sample. It works on 14-bit input and takes the one's complement of
 * negatives (`~x`), which is what rounds negative decision thresholds toward zero, as Asterisk does.
 */
function compressG191(sample: number): number {
  const absno = Math.min((sample < 0 ? ~sample >> 2 : sample >> 2) + 33, 0x1fff);
  let segment = 1;
  for (let i = absno >> 6; i !== 0; i >>= 1) segment++;
  const code = ((8 - segment) << 4) | (0x0f - ((absno >> segment) & 0x0f));
  return sample >= 0 ? code | 0x80 : code;
}

/** Encode table indexed by the sample's 16 bits as unsigned (`sample & 0xffff`), built once. */
const ENCODE = new Uint8Array(65536);
for (let sample = -32768; sample <= 32767; sample++) ENCODE[sample & 0xffff] = compressG191(sample);

/** One μ-law byte → linear sample (−32124 … 32124). */
export function mulawToLinear(byte: number): number {
  return DECODE[byte & 0xff]!;
}

/** One linear sample (any int16) → μ-law byte. */
export function linearToMulaw(sample: number): number {
  return ENCODE[sample & 0xffff]!;
}

/** μ-law bytes → signed 16-bit little-endian PCM (two bytes per input byte). */
export function decodeMulaw(mulaw: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(mulaw.length * 2);
  for (let i = 0, o = 0; i < mulaw.length; i++, o += 2) {
    const sample = DECODE[mulaw[i]!]!;
    out[o] = sample & 0xff;
    out[o + 1] = (sample >> 8) & 0xff;
  }
  return out;
}

/** Signed 16-bit little-endian PCM → μ-law bytes. A trailing odd byte (half a sample) is ignored. */
export function encodeMulaw(pcm: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length >> 1);
  // lo | hi << 8 is already the unsigned 16-bit index the table wants: no sign handling needed.
  for (let o = 0, i = 0; o < out.length; o++, i += 2) out[o] = ENCODE[pcm[i]! | (pcm[i + 1]! << 8)]!;
  return out;
}
