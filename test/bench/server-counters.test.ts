import { describe, expect, it } from 'vitest';
import { counterSum, speculationCounts, speculationDelta } from '../../bench/server-counters.js';
import { Metrics } from '../../src/metrics/metrics.js';

const EXPOSITION = `# HELP callchart_speculations_total Replies started before the turn was confirmed
# TYPE callchart_speculations_total counter
callchart_speculations_total{tenant="a",outcome="started"} 7
callchart_speculations_total{tenant="b",outcome="started"} 1
callchart_speculations_total{tenant="a",outcome="cancelled"} 2
callchart_speculations_total_other 99
`;

describe('speculation counters from /metrics', () => {
  it('sums a counter over its labels, filtered by the ones asked for', () => {
    expect(counterSum(EXPOSITION, 'callchart_speculations_total', { outcome: 'started' })).toBe(8);
    expect(counterSum(EXPOSITION, 'callchart_speculations_total')).toBe(10);
    expect(counterSum(EXPOSITION, 'callchart_missing_total')).toBeNull();
  });

  it('reads the outcomes, zero for one not yet seen, null when nothing was counted', () => {
    expect(speculationCounts(EXPOSITION)).toEqual({ started: 8, confirmed: 0, cancelled: 2 });
    expect(speculationCounts('up 1\n')).toBeNull();
  });

  it('subtracts the baseline taken before the load', () => {
    const before = speculationCounts('callchart_speculations_total{outcome="started"} 1\n');
    expect(speculationDelta(before, speculationCounts(EXPOSITION))).toEqual({
      started: 7,
      confirmed: 0,
      cancelled: 2,
    });
    expect(speculationDelta(before, null)).toBeNull();
  });

  it('reads what Metrics.speculation exports', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.speculation('quick-fix-plumbing', 'started');
    m.speculation('other-tenant', 'started');
    m.speculation('quick-fix-plumbing', 'confirmed');
    expect(speculationCounts(await m.render())).toEqual({ started: 2, confirmed: 1, cancelled: 0 });
  });
});
