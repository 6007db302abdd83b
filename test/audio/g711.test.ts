import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeMulaw,
  encodeMulaw,
  linearToMulaw,
  MULAW_SILENCE,
  mulawToLinear,
} from '../../src/audio/g711.js';
import { s16le } from './s16le.js';

/** The decode table of docs/protocols/g711.md §2: row = high nibble of the wire byte, column = low nibble. */
const DECODE_TABLE_ROWS = [
  '0x00: -32124 -31100 -30076 -29052 -28028 -27004 -25980 -24956 -23932 -22908 -21884 -20860 -19836 -18812 -17788 -16764',
  '0x10: -15996 -15484 -14972 -14460 -13948 -13436 -12924 -12412 -11900 -11388 -10876 -10364  -9852  -9340  -8828  -8316',
  '0x20:  -7932  -7676  -7420  -7164  -6908  -6652  -6396  -6140  -5884  -5628  -5372  -5116  -4860  -4604  -4348  -4092',
  '0x30:  -3900  -3772  -3644  -3516  -3388  -3260  -3132  -3004  -2876  -2748  -2620  -2492  -2364  -2236  -2108  -1980',
  '0x40:  -1884  -1820  -1756  -1692  -1628  -1564  -1500  -1436  -1372  -1308  -1244  -1180  -1116  -1052   -988   -924',
  '0x50:   -876   -844   -812   -780   -748   -716   -684   -652   -620   -588   -556   -524   -492   -460   -428   -396',
  '0x60:   -372   -356   -340   -324   -308   -292   -276   -260   -244   -228   -212   -196   -180   -164   -148   -132',
  '0x70:   -120   -112   -104    -96    -88    -80    -72    -64    -56    -48    -40    -32    -24    -16     -8      0',
  '0x80:  32124  31100  30076  29052  28028  27004  25980  24956  23932  22908  21884  20860  19836  18812  17788  16764',
  '0x90:  15996  15484  14972  14460  13948  13436  12924  12412  11900  11388  10876  10364   9852   9340   8828   8316',
  '0xA0:   7932   7676   7420   7164   6908   6652   6396   6140   5884   5628   5372   5116   4860   4604   4348   4092',
  '0xB0:   3900   3772   3644   3516   3388   3260   3132   3004   2876   2748   2620   2492   2364   2236   2108   1980',
  '0xC0:   1884   1820   1756   1692   1628   1564   1500   1436   1372   1308   1244   1180   1116   1052    988    924',
  '0xD0:    876    844    812    780    748    716    684    652    620    588    556    524    492    460    428    396',
  '0xE0:    372    356    340    324    308    292    276    260    244    228    212    196    180    164    148    132',
  '0xF0:    120    112    104     96     88     80     72     64     56     48     40     32     24     16      8      0',
];

function expectedDecodeTable(): number[] {
  return DECODE_TABLE_ROWS.flatMap((row) => row.split(':')[1]!.trim().split(/\s+/).map(Number));
}

/** Segment step of the μ-law segment `x` falls in (docs/protocols/g711.md §2: 8, 16, … 1024). */
function segmentStep(x: number): number {
  const mag = Math.min(Math.abs(x), 32635) + 132;
  const exponent = 31 - Math.clz32(mag) - 7;
  return 8 << exponent;
}

describe('μ-law decode', () => {
  it('matches the full table of docs/protocols/g711.md §2 for all 256 codes', () => {
    const expected = expectedDecodeTable();
    expect(expected).toHaveLength(256);
    const actual = Array.from({ length: 256 }, (_, b) => mulawToLinear(b));
    expect(actual).toEqual(expected);
  });

  it('decodes a buffer to s16le, little-endian', () => {
    const out = decodeMulaw(Uint8Array.from([0x00, 0x80, 0xff, 0x7f, 0xce]));
    expect(out.length).toBe(10);
    expect([0, 1, 2, 3, 4].map((i) => out.readInt16LE(i * 2))).toEqual([-32124, 32124, 0, 0, 988]);
  });
});

describe('μ-law encode (G.191 / Asterisk rounding)', () => {
  it.each([
    [0, 0xff],
    [1, 0xff],
    [3, 0xff],
    [-1, 0x7f],
    [-3, 0x7f],
    [8, 0xfe],
    [-8, 0x7e],
    [15, 0xfd],
    [16, 0xfd],
    [31, 0xfb],
    [32, 0xfb],
    [100, 0xf2],
    [-100, 0x73], // negative threshold input: G.191 rounds toward zero (the bias form gives 0x72)
    [-4, 0x7f],
    [-12, 0x7e],
    [-31612, 0x01],
    [1000, 0xce],
    [-1000, 0x4e],
    [4000, 0xaf],
    [8000, 0xa0],
    [-8000, 0x20],
    [16000, 0x90],
    [32000, 0x80],
    [32767, 0x80],
    [-32767, 0x00],
    [-32768, 0x00],
  ])('%i → byte %i', (sample, byte) => {
    expect(linearToMulaw(sample)).toBe(byte);
  });

  it('encodes the 1 kHz tone of docs/protocols/g711.md §3', () => {
    const tone = s16le([0, 5657, 8000, 5657, 0, -5657, -8000, -5657]);
    expect([...encodeMulaw(tone)]).toEqual([0xff, 0xa9, 0xa0, 0xa9, 0xff, 0x29, 0x20, 0x29]);
  });

  it('digital silence encodes to 0xFF', () => {
    expect(encodeMulaw(Buffer.alloc(320)).every((b) => b === MULAW_SILENCE)).toBe(true);
  });

  it('re-encodes every code to itself except −0 (0x7F → 0xFF)', () => {
    for (let b = 0; b < 256; b++) expect(linearToMulaw(mulawToLinear(b))).toBe(b === 0x7f ? 0xff : b);
  });

  it('|decode(encode(x)) − x| ≤ the segment step, for all 65 536 inputs', () => {
    let worst = 0;
    for (let x = -32768; x <= 32767; x++) {
      const err = Math.abs(mulawToLinear(linearToMulaw(x)) - x);
      if (err > segmentStep(x)) throw new Error(`x=${x}: error ${err} > step ${segmentStep(x)}`);
      worst = Math.max(worst, err);
    }
    expect(worst).toBeGreaterThan(0);
  });

  it('buffer helpers agree with the per-sample functions and ignore a trailing odd byte', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 400 }), (samples) => {
        const pcm = Buffer.concat([s16le(samples), Buffer.from([0x55])]);
        const mu = encodeMulaw(pcm);
        expect([...mu]).toEqual(samples.map(linearToMulaw));
        const back = decodeMulaw(mu);
        samples.forEach((x, i) => {
          expect(Math.abs(back.readInt16LE(i * 2) - x)).toBeLessThanOrEqual(segmentStep(x));
        });
      }),
    );
  });

  it('round-trips μ-law bytes through s16le (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (mu) => {
        const again = encodeMulaw(decodeMulaw(mu));
        expect([...again]).toEqual([...mu].map((b) => (b === 0x7f ? 0xff : b)));
      }),
    );
  });
});
