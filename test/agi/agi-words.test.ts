import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGI_MAX_WORDS,
  formatAgiCommand,
  parseAgiWords,
  UnsafeAgiWordError,
} from '../../src/agi/agi-words.js';

describe('parseAgiWords (Asterisk parse_args rules)', () => {
  it.each([
    ['SET VARIABLE VA_UUID abc', ['SET', 'VARIABLE', 'VA_UUID', 'abc']],
    ['set  variable\tX   y', ['set', 'variable', 'X', 'y']],
    ['SET VARIABLE GREETING "hello there"', ['SET', 'VARIABLE', 'GREETING', 'hello there']],
    ['VERBOSE "" 1', ['VERBOSE', '', '1']],
    ['SET VARIABLE X "say \\"hi\\""', ['SET', 'VARIABLE', 'X', 'say "hi"']],
    ['SET VARIABLE X a\\ b', ['SET', 'VARIABLE', 'X', 'a b']],
    ['SET VARIABLE X c:\\\\dir', ['SET', 'VARIABLE', 'X', 'c:\\dir']],
    ['GET VARIABLE X\r', ['GET', 'VARIABLE', 'X\r']],
    ['', []],
  ])('%j', (line, words) => {
    expect(parseAgiWords(line)).toEqual(words);
  });

  it('drops words past the 127th', () => {
    const line = Array.from({ length: 130 }, (_, i) => `w${i}`).join(' ');
    const words = parseAgiWords(line);
    expect(words).toHaveLength(AGI_MAX_WORDS);
    expect(words.at(-1)).toBe('w126');
  });
});

describe('formatAgiCommand', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(formatAgiCommand(['SET', 'VARIABLE', 'VA_UUID', '6f1c2a9e-3b4d-4c5e-8f60-718293a4b5c6'])).toBe(
      'SET VARIABLE VA_UUID 6f1c2a9e-3b4d-4c5e-8f60-718293a4b5c6',
    );
    expect(formatAgiCommand(['SET', 'VARIABLE', 'G', 'hello "you"'])).toBe(
      'SET VARIABLE G "hello \\"you\\""',
    );
    expect(formatAgiCommand(['VERBOSE', '', '1'])).toBe('VERBOSE "" 1');
  });

  it('refuses CR, LF and empty commands', () => {
    expect(() => formatAgiCommand(['SET', 'VARIABLE', 'X', 'a\r'])).toThrow(UnsafeAgiWordError);
    expect(() => formatAgiCommand(['SET', 'VARIABLE', 'X', 'a\nHANGUP'])).toThrow(UnsafeAgiWordError);
    expect(() => formatAgiCommand([])).toThrow(UnsafeAgiWordError);
  });

  it('round-trips through parseAgiWords', () => {
    const word = fc.string({ maxLength: 12 }).filter((w) => !/[\r\n]/.test(w));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 8 }), (words) => {
        expect(parseAgiWords(formatAgiCommand(words))).toEqual(words);
      }),
    );
  });
});
