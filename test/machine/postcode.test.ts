import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseUkPostcode, spellPostcode } from '../../machines/postcode.js';

describe('parseUkPostcode', () => {
  it('normalises written and spoken forms found inside other words', () => {
    expect(parseUkPostcode('nn156qp')).toBe('NN15 6QP');
    expect(parseUkPostcode("it's NN15 6QP thanks")).toBe('NN15 6QP');
    expect(parseUkPostcode('N N fifteen six Q P')).toBe('NN15 6QP');
    expect(parseUkPostcode('sw1a 0aa')).toBe('SW1A 0AA');
    expect(parseUkPostcode('gir 0aa')).toBe('GIR 0AA');
  });

  it('rejects what is not a postcode', () => {
    expect(parseUkPostcode('')).toBeUndefined();
    expect(parseUkPostcode('hello there')).toBeUndefined();
    expect(parseUkPostcode('NN15 6QC')).toBeUndefined(); // C never appears in the inward letters
    expect(parseUkPostcode('1N15 6QP')).toBeUndefined();
    expect(parseUkPostcode('x'.repeat(65))).toBeUndefined();
  });

  it('reads back every well-formed postcode it is given, however it is spaced or cased', () => {
    const letter = fc.constantFrom(...'ABDEFGHJLNPQRSTUWXYZ');
    const digit = fc.integer({ min: 0, max: 9 }).map(String);
    const outward = fc.oneof(
      fc.tuple(letter, digit).map((p) => p.join('')),
      fc.tuple(letter, letter, digit, digit).map((p) => p.join('')),
      fc.tuple(letter, letter, digit, letter).map((p) => p.join('')),
    );
    const inward = fc.tuple(digit, letter, letter).map((p) => p.join(''));
    fc.assert(
      fc.property(outward, inward, fc.boolean(), (out, inw, lower) => {
        const text = lower ? `${out}${inw}`.toLowerCase() : `${out}  ${inw}`;
        expect(parseUkPostcode(text)).toBe(`${out} ${inw}`);
      }),
      { numRuns: 300 },
    );
  });

  it('spells a postcode with the NATO alphabet', () => {
    expect(spellPostcode('NN15 6QP')).toBe(
      'N for November, N for November, 1, 5, 6, Q for Quebec, P for Papa',
    );
  });
});
