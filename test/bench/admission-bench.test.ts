import { describe, expect, it } from 'vitest';
import { parseAdmissionArgs, runAdmissionBench } from '../../bench/admission-bench.js';

describe('admission bench', () => {
  it('parses its options and refuses nonsense', () => {
    expect(parseAdmissionArgs(['--arrivals', '400', '--max-calls', '200', '--json'])).toEqual({
      json: true,
      opts: { arrivals: 400, maxCalls: 200, arrivalSeconds: 10, lines: 4, shedMs: 250 },
    });
    expect(() => parseAdmissionArgs(['--arrivals', '0'])).toThrow(/--arrivals/);
    expect(() => parseAdmissionArgs(['--max-calls', 'many'])).toThrow(/--max-calls/);
  });

  // Real processes: the simulators and callchart (src/main.ts), FastAGI and AudioSocket over loopback.
  it('offers more calls than MAX_CALLS at once: the rest are refused with the overflow outcome', async () => {
    const r = await runAdmissionBench({
      arrivals: 6,
      maxCalls: 2,
      arrivalSeconds: 0,
      lines: 2,
      shedMs: 0,
      ttsCharsPerSecond: 60,
      answerTimeoutMs: 6000,
      warmUp: false,
    });
    expect(r.admitted + r.refused + r.errors).toBe(6);
    expect(r.errors).toBe(0);
    expect(r.admitted).toBeGreaterThanOrEqual(1);
    expect(r.refused).toBeGreaterThanOrEqual(1);
    expect(r.refusedHeardOverflow).toBe(r.refused);
    expect(r.refusedByReason).toEqual({ 'max-calls': r.refused });
    expect(r.admittedCompleted).toBe(r.admitted);
    expect(r.admittedMaxGapMs).toBeGreaterThan(0);
  }, 180_000);
});
