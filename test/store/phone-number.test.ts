import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashCaller, normaliseNumber } from '../../src/store/phone-number.js';

describe('normaliseNumber', () => {
  it.each([
    ['020 1234 5678', '02012345678'],
    ['+44 20 1234 5678', '02012345678'],
    ['+442012345678', '02012345678'],
    ['00442012345678', '02012345678'],
    ['442012345678', '02012345678'],
    ['(0113) 496-0123', '01134960123'],
    ['+34 600 123 456', '+34600123456'],
    ['0034600123456', '+34600123456'],
    ['+1 (555) 010-0199', '+15550100199'],
    ['999', '999'],
    ['unknown', ''],
    ['', ''],
  ])('%j -> %j', (raw, expected) => {
    expect(normaliseNumber(raw)).toBe(expected);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9 ()-]{0,20}$/), (raw) => {
        const once = normaliseNumber(raw);
        expect(normaliseNumber(once)).toBe(once);
      }),
    );
  });
});

describe('hashCaller', () => {
  it('gives one hash for every spelling of a number', () => {
    const h = hashCaller('07700 900123');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashCaller('+447700900123')).toBe(h);
    expect(hashCaller('447700900123')).toBe(h);
    expect(hashCaller('07700900124')).not.toBe(h);
  });

  it('returns an empty hash for a withheld number', () => {
    expect(hashCaller('anonymous')).toBe('');
  });
});
