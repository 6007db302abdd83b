import fc from 'fast-check';
import { type DtmfDigit, type Frame, SAMPLE_RATES } from '../../src/transports/audiosocket/frames.js';

export const DTMF_DIGITS = [...'0123456789*#ABCD'] as DtmfDigit[];

/** Any frame the protocol can carry, in canonical form (what the serializer produces). */
export const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  fc.constant<Frame>({ kind: 'hangup' }),
  fc.uuid().map<Frame>((uuid) => ({ kind: 'uuid', uuid: uuid.toLowerCase() })),
  fc.constantFrom(...DTMF_DIGITS).map<Frame>((digit) => ({ kind: 'dtmf', digit })),
  fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }).map<Frame>((code) => ({ kind: 'error', code })),
  fc
    .record({
      sampleRate: fc.constantFrom(...SAMPLE_RATES),
      samples: fc.integer({ min: 1, max: 400 }),
      seed: fc.integer({ min: 0, max: 255 }),
    })
    .map<Frame>(({ sampleRate, samples, seed }) => {
      const payload = Buffer.alloc(samples * 2);
      for (let i = 0; i < payload.length; i++) payload[i] = (seed + i * 31) & 0xff;
      return { kind: 'audio', sampleRate, payload };
    }),
);

/** Splits `bytes` into chunks at the given (sorted, deduplicated) cut points. */
export function chunk(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}
