import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentStoppedAt, heardAnswer } from '../../sim/caller/answers.js';

/** Voiced agent frames every 20 ms over [from, to). */
const frames = (from: number, to: number) =>
  Array.from({ length: (to - from) / 20 }, (_, i) => from + i * 20);

describe('the caller’s view of a barge-in and of an answer', () => {
  it('the agent stopped at its last voiced frame while the caller spoke, not at its answer', () => {
    // Reply until 1160, the caller talks over it from 1000 to 2370, the answer starts at 2640.
    const voiced = [...frames(0, 1180), ...frames(2640, 4000)];
    expect(agentStoppedAt(voiced, 1000, 2370)).toBe(1160);
    // The answer began during the caller's trailing silence (before its clip was all sent): still not the stop.
    expect(agentStoppedAt([...frames(0, 1180), ...frames(2400, 4000)], 1000, 2370)).toBe(1160);
    // Quiet before the caller spoke: it "stopped" at once.
    expect(agentStoppedAt(frames(0, 800), 1000, 2370)).toBe(1000);
    // Talked on through the whole line: the line's length.
    expect(agentStoppedAt(frames(0, 4000), 1000, 2370)).toBe(2360);
  });

  it('the stop is always inside the caller’s speech and is a voiced frame or its start', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 5000 }),
        (times, speechStart, voiceMs) => {
          const voiced = [...times].sort((a, b) => a - b);
          const voiceEnd = speechStart + voiceMs;
          const stop = agentStoppedAt(voiced, speechStart, voiceEnd);
          expect(stop).toBeGreaterThanOrEqual(speechStart);
          expect(stop).toBeLessThanOrEqual(voiceEnd);
          const inside = voiced.filter((t) => t >= speechStart && t <= voiceEnd);
          expect(stop).toBe(inside.at(-1) ?? speechStart);
        },
      ),
    );
  });

  it('an answer already heard is found among the frames; a reply still going is not an answer', () => {
    expect(heardAnswer([...frames(0, 500), ...frames(1300, 1400)], 1000)).toBe(1300);
    expect(heardAnswer(frames(0, 500), 1000)).toBeUndefined();
    expect(heardAnswer(frames(0, 2000), 1000)).toBe('talking-through');
    expect(heardAnswer([], 1000)).toBeUndefined();
  });
});
