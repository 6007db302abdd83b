import { afterAll, describe, expect, it } from 'vitest';
import { killAllChildren } from '../../bench/child-process.js';
import { runBench } from '../../bench/run-bench.js';

// The whole bench, shrunk: simulators, callchart and the floor as real child processes, two callers
// speaking one line each. It checks that the runner works end to end, never how fast anything is.
describe('bench runner (smoke)', () => {
  afterAll(killAllChildren); // runBench stops its children itself; this covers a failure half way

  it('runs 2 calls against callchart and both floors and reports every figure', {
    timeout: 180_000,
  }, async () => {
    const r = await runBench({
      calls: 2,
      seconds: 2,
      scriptLines: 2, // the second line barges in, so the first reply is stored before anyone hangs up
      answerTimeoutMs: 6000,
      warmUp: false,
      settleMs: 500,
      // Replies after the final only: a speculative reply has no provider time to take overhead from.
      speculativeReplies: false,
    });
    expect(r.calls).toBe(2);
    expect(r.speculativeReplies).toBe(false);
    expect(r.errors).toBe(0);
    expect(r.completedCalls).toBeGreaterThanOrEqual(1);
    for (const p of [r.mouthToEarMs, r.overheadMs]) {
      expect(p.p50).toEqual(expect.any(Number));
      expect(p.p99).toEqual(expect.any(Number));
    }
    expect(r.jitterP99Ms).toEqual(expect.any(Number));
    expect(r.maxGapMs).toEqual(expect.any(Number));
    expect(r.underruns).toEqual(expect.any(Number));
    expect(r.rssPerCallMiB).toEqual(expect.any(Number));
    expect(r.cpuSecPerCallMin).toEqual(expect.any(Number));
    // The server stored a turn for what the callers heard: the two views can be compared.
    expect(r.server.matchedTurns).toBeGreaterThanOrEqual(1);
    expect(r.floor?.completedCalls).toBeGreaterThanOrEqual(1);
    expect(r.floor?.errors).toBe(0);
    expect(r.floor?.cpuSecPerCallMin).toEqual(expect.any(Number));
    expect(r.providerFloor?.completedCalls).toBeGreaterThanOrEqual(1);
    expect(r.providerFloor?.errors).toBe(0);
    expect(r.providerFloor?.cpuSecPerCallMin).toEqual(expect.any(Number));
    expect(r.ratios.cpuVsProviderFloor).toEqual(expect.any(Number));
    expect(r.ratios).toHaveProperty('cpu');
    expect(r.ratios).toHaveProperty('rss');
  });

  it('with a profile and the pause script, reports turn-taking and the LLM figures', {
    timeout: 120_000,
  }, async () => {
    const r = await runBench({
      calls: 1,
      seconds: 1,
      profile: 'typical',
      scripts: 'pause',
      scriptLines: 2, // the first line pauses mid-sentence
      answerTimeoutMs: 6000,
      warmUp: false,
      settleMs: 500,
      skipFloor: true,
    });
    expect(r.profile).toBe('typical');
    expect(r.scripts).toBe('pause');
    expect(r.delays).toMatchObject({ sttFinalDelayMs: 100, llmTtftMs: 220, ttsFirstAudioMs: 90 });
    expect(r.errors).toBe(0);
    expect(r.midSentencePauses).toBeGreaterThanOrEqual(1);
    expect(r.falseCutoffRate).toBeGreaterThanOrEqual(0);
    expect(r.falseCutoffRate).toBeLessThanOrEqual(1);
    // Filled from the server's turn records and counters once it exports them; null until then.
    for (const key of ['llmRequestsPerTurn', 'llmRoundsBeforeAudio', 'speculation'])
      expect(r).toHaveProperty(key);
  });
});
