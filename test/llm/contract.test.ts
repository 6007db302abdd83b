import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicSim } from '../../sim/llm/anthropic-sim.js';
import { startCerebrasSim } from '../../sim/llm/cerebras-sim.js';
import type { LlmSim } from '../../sim/llm/completion-sim.js';
import { startGroqSim } from '../../sim/llm/groq-sim.js';
import type { LlmSimOptions } from '../../sim/llm/sim-options.js';
import { createAnthropicClient } from '../../src/providers/llm/anthropic.js';
import { createCerebrasClient } from '../../src/providers/llm/cerebras.js';
import type { ProviderClientOptions } from '../../src/providers/llm/client-options.js';
import { createGroqClient } from '../../src/providers/llm/groq.js';
import type { LlmClient } from '../../src/providers/llm/types.js';
import { afterToolResult, bookingRequest, collect, ofType } from './helpers.js';

/** Each official SDK, through its adapter, against its simulator over a real socket. */
const vendors: Array<{
  name: string;
  start: (o: LlmSimOptions) => Promise<LlmSim>;
  client: (o: ProviderClientOptions) => LlmClient;
}> = [
  { name: 'groq', start: startGroqSim, client: createGroqClient },
  { name: 'cerebras', start: startCerebrasSim, client: createCerebrasClient },
  { name: 'anthropic', start: startAnthropicSim, client: createAnthropicClient },
];

describe.each(vendors)('$name SDK ↔ simulator', ({ name, start, client: makeClient }) => {
  let sim: LlmSim;
  let client: LlmClient;
  beforeAll(async () => {
    sim = await start({ port: 0, ttftMs: 5, tokensPerSec: 2000, env: {} });
    client = makeClient({ model: 'test-model', baseUrl: sim.url, apiKey: 'sim-key' });
  });
  afterAll(() => sim.close());

  it('streams the spoken reply as text, then finishes with stop and usage', async () => {
    const reply = 'Thanks. What is the first line of the address?';
    const { events, error, text } = await collect(client, afterToolResult('address', reply));
    expect(error).toBeUndefined();
    expect(text).toBe(reply);
    expect(ofType(events, 'text').length).toBeGreaterThan(3); // streamed in pieces, not one blob
    expect(events[0]).toMatchObject({ type: 'first-token', provider: name, model: 'test-model' });
    const done = events.at(-1);
    expect(done).toMatchObject({ type: 'done', provider: name, finishReason: 'stop' });
    expect(done?.type === 'done' && done.usage?.completionTokens).toBeGreaterThan(0);
    expect(done?.type === 'done' && done.usage?.promptTokens).toBeGreaterThan(0);
  });

  it('delivers a record_details tool call with parsed arguments', async () => {
    const { events, error } = await collect(client, bookingRequest('postcode', "Yeah, it's NN15 6QP."));
    expect(error).toBeUndefined();
    const calls = ofType(events, 'tool-call');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.call).toMatchObject({ name: 'record_details', arguments: { postcode: 'NN15 6QP' } });
    expect(calls[0]?.call.id).toMatch(name === 'anthropic' ? /^toolu_/ : /^call_/);
    expect(JSON.parse(calls[0]?.call.rawArguments ?? '')).toEqual({ postcode: 'NN15 6QP' });
    expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'tool_calls' });
    expect(ofType(events, 'first-token')).toHaveLength(1);
  });

  it('delivers two tool calls in order when the caller asks for a person in Spanish', async () => {
    const { events } = await collect(
      client,
      bookingRequest('understand', 'Hola, quiero hablar con una persona real'),
    );
    expect(ofType(events, 'tool-call').map((e) => e.call.arguments)).toEqual([
      { kind: 'human' },
      { kind: 'switch_language', language: 'es' },
    ]);
  });

  it('cuts a reply at maxTokens and reports finish reason length', async () => {
    const req = afterToolResult('address', 'One two three four five six seven eight nine ten.');
    const { events, text } = await collect(client, { ...req, maxTokens: 4 });
    expect(text).toBe('One two three four');
    expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'length' });
  });

  it('counts every request in its stats', () => {
    const stats = sim.stats();
    expect(stats.requests).toBe(4);
    expect(stats.byStatus[200]).toBe(4);
    expect(stats.records.every((r) => r.outcome === 'completed' && !r.clientClosed)).toBe(true);
  });
});

describe('tool-call fragments', () => {
  it('groq: split argument fragments assemble into one call', async () => {
    const sim = await startGroqSim({ port: 0, ttftMs: 0, toolCalls: 'split', env: {} });
    try {
      const client = createGroqClient({ model: 'm', baseUrl: sim.url, apiKey: 'k' });
      const said = 'My name is Priya Shah and I live at 12 High Street, NN15 6QP';
      const { events, error } = await collect(client, bookingRequest('name', said));
      expect(error).toBeUndefined();
      expect(ofType(events, 'tool-call').map((e) => e.call.arguments)).toEqual([
        { name: 'Priya Shah', postcode: 'NN15 6QP', address: '12 High Street' },
      ]);
      // The JSON was long enough to need several fragments.
      expect(sim.stats().records[0]?.tokensSent).toBeGreaterThan(3);
    } finally {
      await sim.close();
    }
  });

  it('anthropic: input_json_delta pieces assemble into the tool input', async () => {
    const sim = await startAnthropicSim({ port: 0, ttftMs: 0, env: {} });
    try {
      const client = createAnthropicClient({ model: 'claude-haiku-4-5', baseUrl: sim.url, apiKey: 'k' });
      const { events } = await collect(
        client,
        bookingRequest('address', 'The address is 12 High Street, Kettering NN15 6QP'),
      );
      expect(ofType(events, 'tool-call').map((e) => e.call.arguments)).toEqual([
        { address: '12 High Street, Kettering', postcode: 'NN15 6QP' },
      ]);
      expect(sim.stats().records[0]?.tokensSent).toBeGreaterThan(3);
    } finally {
      await sim.close();
    }
  });
});
