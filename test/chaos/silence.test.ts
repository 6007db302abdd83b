import { describe, expect, it } from 'vitest';
import { longestSilence } from '../../chaos/silence.js';

/** Voiced agent frames every 20 ms over [from, to). */
const talk = (from: number, to: number) =>
  Array.from({ length: Math.ceil((to - from) / 20) }, (_, i) => from + i * 20);

describe('longestSilence (what the chaos runner reports as maxSilenceMs)', () => {
  it('counts the wait for the greeting and from the end of a line to the answer, not the caller turn', () => {
    const s = longestSilence({
      startedAt: 0,
      endedAt: 10_000,
      // greeting at 500; the caller waits 700 ms, speaks 1900-3000; the answer starts at 4200
      agentVoicedAt: [...talk(500, 1200), ...talk(4200, 5000)],
      spoken: [{ startAt: 1900, voiceEndAt: 3000 }],
      agentHungUp: true,
    });
    expect(s).toEqual({ ms: 1200, where: 'after line 1' });
  });

  it('counts a gap inside the agent speech the caller listened through', () => {
    const s = longestSilence({
      startedAt: 0,
      endedAt: 10_000,
      agentVoicedAt: [...talk(300, 1000), ...talk(3500, 4000)],
      spoken: [],
      agentHungUp: true,
    });
    expect(s).toEqual({ ms: 2520, where: 'mid-reply' });
  });

  it('counts a line never answered up to the end, but not the quiet before the agent hangs up', () => {
    const unanswered = longestSilence({
      startedAt: 0,
      endedAt: 9000,
      agentVoicedAt: talk(200, 1000),
      spoken: [{ startAt: 2000, voiceEndAt: 3000 }],
      agentHungUp: false,
    });
    expect(unanswered).toEqual({ ms: 6000, where: 'no answer to line 1' });
    const goodbye = longestSilence({
      startedAt: 0,
      endedAt: 9000,
      agentVoicedAt: talk(200, 1000),
      spoken: [],
      agentHungUp: true,
    });
    expect(goodbye).toEqual({ ms: 200, where: 'greeting' });
  });

  it('does not count a stretch the caller was talking through (a barge-in)', () => {
    const s = longestSilence({
      startedAt: 0,
      endedAt: 8000,
      agentVoicedAt: [...talk(100, 2000), ...talk(2400, 3000), ...talk(3600, 4000)],
      spoken: [{ startAt: 1800, voiceEndAt: 3300 }],
      agentHungUp: true,
    });
    // The gap at 2000-2400 is inside the caller's line; what counts is 3300 (its end) to 3600.
    expect(s).toEqual({ ms: 300, where: 'after line 1' });
  });
});
