import { describe, expect, it } from 'vitest';
import { counterDelta, counterSum, serverCounters } from '../../bench/server-counters.js';

const EXPOSITION = `# HELP callchart_llm_requests_total LLM requests
# TYPE callchart_llm_requests_total counter
callchart_llm_requests_total{provider="groq"} 12
callchart_llm_requests_total{provider="cerebras"} 3
callchart_speculations_total{tenant="a",outcome="started"} 7
callchart_speculations_total{tenant="b",outcome="started"} 1
callchart_speculations_total{tenant="a",outcome="cancelled"} 2
callchart_speculations_total_other 99
`;

describe('server counters from /metrics', () => {
  it('sums a counter over its labels, filtered by the ones asked for', () => {
    expect(counterSum(EXPOSITION, 'callchart_llm_requests_total')).toBe(15);
    expect(counterSum(EXPOSITION, 'callchart_speculations_total', { outcome: 'started' })).toBe(8);
    expect(counterSum(EXPOSITION, 'callchart_missing_total')).toBeNull();
  });

  it('reads speculation outcomes, zero for an outcome not yet seen, null when not exported', () => {
    expect(serverCounters(EXPOSITION)).toEqual({
      llmRequests: 15,
      speculation: { started: 8, confirmed: 0, cancelled: 2 },
    });
    expect(serverCounters('up 1\n')).toEqual({ llmRequests: null, speculation: null });
  });

  it('subtracts the baseline taken before the load', () => {
    const before = serverCounters(
      'callchart_llm_requests_total 4\ncallchart_speculations_total{outcome="started"} 1\n',
    );
    expect(counterDelta(before, serverCounters(EXPOSITION))).toEqual({
      llmRequests: 11,
      speculation: { started: 7, confirmed: 0, cancelled: 2 },
    });
  });
});
