import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicSim } from '../../sim/llm/anthropic-sim.js';
import { startCerebrasSim } from '../../sim/llm/cerebras-sim.js';
import type { LlmSim } from '../../sim/llm/completion-sim.js';
import { startGroqSim } from '../../sim/llm/groq-sim.js';
import { silentLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { createLlmChainFromConfig } from '../../src/providers/llm/chain-from-config.js';
import type { FallbackChain } from '../../src/providers/llm/fallback.js';
import { afterToolResult, collect, ofType } from './helpers.js';

const SPOKEN = 'Thanks. And your name?';
// Generous, as in fallback.test.ts: a healthy first token can take over 500 ms on a busy machine.
const DEADLINE_MS = 1500;
const COOL_DOWN_MS = 1000;

// Groq stalls its first two requests (a fault configured at start, applied on the wire); the breaker
// opens after two stalls in a row, skips Groq for the cool-down, then probes it and closes again.
describe('LLM circuit breaker, through the real adapters and simulators', () => {
  let groq: LlmSim;
  let cerebras: LlmSim;
  let anthropic: LlmSim;
  let chain: FallbackChain;
  const metrics = new Metrics({ defaultMetrics: false });
  const state = (provider: string) => chain.breakers().find((b) => b.provider === provider)?.state;
  const ask = () => collect(chain, afterToolResult('name', SPOKEN));

  beforeAll(async () => {
    [groq, cerebras, anthropic] = await Promise.all([
      startGroqSim({ port: 0, env: {}, ttftMs: 5, faults: [{ kind: 'stall', afterTokens: 0, times: 2 }] }),
      startCerebrasSim({ port: 0, env: {}, ttftMs: 5 }),
      startAnthropicSim({ port: 0, env: {}, ttftMs: 5 }),
    ]);
    chain = createLlmChainFromConfig(
      [
        { provider: 'groq', model: 'llama-3.3-70b-versatile', baseUrl: groq.url, apiKey: 'gsk_sim' },
        { provider: 'cerebras', model: 'llama3.1-8b', baseUrl: cerebras.url, apiKey: 'csk-sim' },
        { provider: 'anthropic', model: 'claude-haiku-4-5', baseUrl: anthropic.url, apiKey: 'sk-ant-sim' },
      ],
      {
        firstTokenDeadlineMs: DEADLINE_MS,
        tokenGapDeadlineMs: DEADLINE_MS,
        breaker: { failures: 2, coolDownMs: COOL_DOWN_MS },
        log: silentLogger,
      },
    );
    metrics.trackLlmBreakers(() => chain.breakers());
  });
  afterAll(() => Promise.all([groq, cerebras, anthropic].map((s) => s.close())));

  it('pays the stall deadline until the stalls repeat, then opens', async () => {
    for (let i = 0; i < 2; i++) {
      const { error, text, events } = await ask();
      expect(error).toBeUndefined();
      expect(text).toBe(SPOKEN);
      expect(ofType(events, 'fallback')[0]).toMatchObject({ from: 'groq', to: 'cerebras' });
    }
    expect(groq.stats().requests).toBe(2);
    expect(state('groq')).toBe('open');
    expect(await metrics.render()).toContain('callchart_llm_breaker_state{provider="groq"} 2');
  });

  it('skips the open provider: the next one answers first, with no hedge and no request to it', async () => {
    const { error, text, events } = await ask();
    expect(error).toBeUndefined();
    expect(text).toBe(SPOKEN);
    expect(ofType(events, 'first-token')[0]?.provider).toBe('cerebras');
    expect(ofType(events, 'fallback')).toEqual([]);
    expect(groq.stats().requests).toBe(2);
  });

  it('after the cool-down, one request probes it (half-open); its answer closes the breaker', async () => {
    await sleep(COOL_DOWN_MS + 100);
    const { error, events } = await ask();
    expect(error).toBeUndefined();
    expect(ofType(events, 'first-token')[0]?.provider).toBe('groq');
    expect(groq.stats().requests).toBe(3);
    expect(state('groq')).toBe('closed');
    expect(await metrics.render()).toContain('callchart_llm_breaker_state{provider="groq"} 0');
  });
});
