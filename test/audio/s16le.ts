/** Samples → signed 16-bit little-endian bytes. */
export function s16le(samples: number[]): Buffer {
  const b = Buffer.alloc(samples.length * 2);
  for (const [i, s] of samples.entries()) b.writeInt16LE(s, i * 2);
  return b;
}
