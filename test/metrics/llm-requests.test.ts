import { describe, expect, it } from 'vitest';
import { serverCounters } from '../../bench/server-counters.js';
import { silentLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { countingRequests } from '../../src/providers/llm/counted.js';
import type { LlmClient, LlmEvent } from '../../src/providers/llm/types.js';
import { parseExposition, sample } from './exposition.js';

const fake: LlmClient = {
  name: 'fake',
  async *stream(): AsyncIterable<LlmEvent> {
    yield { type: 'text', text: 'hi' };
  },
};

describe('LLM requests and speculation counters', () => {
  it('counts one request per stream() and exports it with the speculation outcomes', async () => {
    const m = new Metrics({ defaultMetrics: false });
    const llm = countingRequests(fake, () => m.llmRequested());
    expect(llm.name).toBe('fake');
    const texts: string[] = [];
    for (let i = 0; i < 3; i++)
      for await (const e of llm.stream(
        { messages: [], tools: [], maxTokens: 10, temperature: 0 },
        silentLogger,
      ))
        if (e.type === 'text') texts.push(e.text);
    expect(texts).toEqual(['hi', 'hi', 'hi']);
    m.speculation('started');
    m.speculation('started');
    m.speculation('cancelled');
    const text = await m.render();
    const e = parseExposition(text);
    expect(sample(e, 'callchart_llm_requests_total')).toBe(3);
    expect(sample(e, 'callchart_speculations_total', { outcome: 'cancelled' })).toBe(1);
    // The bench reads the same names.
    expect(serverCounters(text)).toEqual({
      llmRequests: 3,
      speculation: { started: 2, confirmed: 0, cancelled: 1 },
    });
  });
});
