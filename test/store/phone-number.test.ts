import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashCaller, maskNumber, normaliseNumber, parseNumber } from '../../src/store/phone-number.js';

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
  const KEY = 'test-caller-hash-key-0123456789';

  it('gives one hash for every spelling of a number', () => {
    const h = hashCaller('07700 900123', KEY);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashCaller('+447700900123', KEY)).toBe(h);
    expect(hashCaller('447700900123', KEY)).toBe(h);
    expect(hashCaller('07700900124', KEY)).not.toBe(h);
  });

  it('is keyed: the plain SHA-256 of the number is not it, and another key gives another hash', () => {
    const h = hashCaller('07700 900123', KEY);
    expect(h).not.toBe(createHash('sha256').update('07700900123').digest('hex'));
    expect(hashCaller('07700 900123', 'another-key-of-sixteen-chars')).not.toBe(h);
    expect(() => hashCaller('07700 900123', '')).toThrow(/key/);
  });

  it('returns an empty hash for a withheld number', () => {
    expect(hashCaller('anonymous', KEY)).toBe('');
  });
});

describe('maskNumber', () => {
  it.each([
    ['+447700900123', '+44*******123'],
    ['+1 555 010 0199', '+1*******199'],
    ['+353 87 123 4567', '+353******567'],
    ['+880 1712 345678', '+880*******678'],
    ['00 34 600 123 456', '+34******456'],
    ['07700 900123', '********123'],
    ['999', '***'],
    ['', ''],
  ])('%j -> %j', (raw, expected) => {
    expect(maskNumber(raw)).toBe(expected);
  });

  it('keeps at most the calling code and the last three digits, for every code length', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('1', '44', '52', '353', '880', '1868'),
        fc.stringMatching(/^[0-9]{6,12}$/),
        (cc, rest) => {
          const raw = `+${cc}${rest}`;
          const masked = maskNumber(raw);
          const { callingCode } = parseNumber(raw);
          const shown = masked.replace(/[^0-9]/g, '');
          expect(shown).toBe(`${callingCode ?? ''}${raw.slice(-3)}`);
          expect(shown.length).toBeLessThanOrEqual(3 + 3);
        },
      ),
    );
  });
});
