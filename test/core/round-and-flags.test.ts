import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { knob } from '../../sim/knobs.js';
import { loadConfig } from '../../src/config.js';
import { envFlag, FLAG_FALSE, FLAG_TRUE } from '../../src/env-flag.js';
import { roundTo } from '../../src/round.js';

describe('roundTo', () => {
  it('rounds to the given places and keeps a missing figure missing', () => {
    expect(roundTo(12.345, 1)).toBe(12.3);
    expect(roundTo(12.35, 0)).toBe(12);
    expect(roundTo(0.125, 2)).toBe(0.13);
    expect(roundTo(null, 1)).toBeNull();
  });

  it('never moves a value by more than half a unit of the last place', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 6 }), (n, p) => {
        expect(Math.abs(roundTo(n, p) - n)).toBeLessThanOrEqual(0.5 / 10 ** p + 1e-9);
      }),
    );
  });
});

describe('environment flags: one list for the config and the simulator knobs', () => {
  it('reads every spelling, in any case, the same way in both places', () => {
    for (const [word, on] of [
      ...FLAG_TRUE.map((w) => [w, true] as const),
      ...FLAG_FALSE.map((w) => [w, false] as const),
    ]) {
      for (const spelling of [word, word.toUpperCase(), ` ${word} `]) {
        expect(envFlag.parse(spelling)).toBe(on);
        expect(knob(undefined, 'X_ON', !on, { X_ON: spelling })).toBe(on);
        expect(loadConfig({ AGI_ENABLED: spelling }, '').AGI_ENABLED).toBe(on);
      }
    }
  });

  it('refuses anything else', () => {
    expect(envFlag.safeParse('maybe').success).toBe(false);
    expect(() => knob(undefined, 'X_ON', true, { X_ON: 'maybe' })).toThrow(/X_ON/);
    expect(() => loadConfig({ AGI_ENABLED: 'maybe' }, '')).toThrow(/AGI_ENABLED/);
  });
});
