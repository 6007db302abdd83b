import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rmsMulaw, rmsS16le, rmsToDbfs } from '../../src/audio/energy.js';
import { encodeMulaw } from '../../src/audio/g711.js';
import { s16le } from './s16le.js';

function referenceRms(samples: number[]): number {
  return samples.length ? Math.sqrt(samples.reduce((a, s) => a + s * s, 0) / samples.length) : 0;
}

describe('rmsS16le', () => {
  it('is 0 for silence and for empty input', () => {
    expect(rmsS16le(Buffer.alloc(320))).toBe(0);
    expect(rmsS16le(Buffer.alloc(0))).toBe(0);
    expect(rmsS16le(Buffer.alloc(1))).toBe(0);
  });

  it('is the amplitude of a square wave, negative samples included', () => {
    expect(rmsS16le(s16le([1000, -1000, 1000, -1000]))).toBe(1000);
    expect(rmsS16le(s16le([-32768, -32768]))).toBe(32768);
  });

  it('matches a reference at any byte offset and ignores a trailing odd byte', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 7 }),
        (samples, pad) => {
          // Place the samples at an odd/unaligned offset inside a larger buffer, plus one stray byte.
          const big = Buffer.concat([Buffer.alloc(pad, 0x7f), s16le(samples), Buffer.from([0x7f])]);
          const rms = rmsS16le(big, pad, pad + samples.length * 2 + 1);
          expect(rms).toBeCloseTo(referenceRms(samples), 6);
        },
      ),
    );
  });

  it('clamps a range that runs past the buffer', () => {
    expect(rmsS16le(s16le([300, -300]), -10, 999)).toBe(300);
  });
});

describe('rmsMulaw', () => {
  it('is the RMS of the decoded samples', () => {
    const mu = encodeMulaw(s16le([988, -988, 988, -988]));
    expect(rmsMulaw(mu)).toBe(988);
    expect(rmsMulaw(Buffer.from([0xff, 0x7f]))).toBe(0);
    expect(rmsMulaw(Buffer.alloc(0))).toBe(0);
  });
});

describe('rmsToDbfs', () => {
  it('maps full scale to 0 dB and halves to about −6 dB', () => {
    expect(rmsToDbfs(32768)).toBe(0);
    expect(rmsToDbfs(16384)).toBeCloseTo(-6.0206, 3);
    expect(rmsToDbfs(0)).toBe(Number.NEGATIVE_INFINITY);
  });
});
