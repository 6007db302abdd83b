import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAnthropicSim } from '../../sim/llm/anthropic-sim.js';
import { startCerebrasSim } from '../../sim/llm/cerebras-sim.js';
import type { LlmSim } from '../../sim/llm/completion-sim.js';
import { startGroqSim } from '../../sim/llm/groq-sim.js';
import type { LlmSimOptions } from '../../sim/llm/sim-options.js';
import { silentLogger } from '../../src/log.js';
import { createAnthropicClient } from '../../src/providers/llm/anthropic.js';
import { createCerebrasClient } from '../../src/providers/llm/cerebras.js';
import type { ProviderClientOptions } from '../../src/providers/llm/client-options.js';
import { createGroqClient } from '../../src/providers/llm/groq.js';
import type { LlmClient } from '../../src/providers/llm/types.js';
import { afterToolResult, bookingRequest, collect, eventually, ofType } from './helpers.js';

/** Each adapter turns each simulated fault into the right LlmError, never a hang or a foreign error. */
const vendors: Array<{
  name: string;
  start: (o: LlmSimOptions) => Promise<LlmSim>;
  client: (o: ProviderClientOptions) => LlmClient;
  overloadStatus: number;
}> = [
  { name: 'groq', start: startGroqSim, client: createGroqClient, overloadStatus: 503 },
  { name: 'cerebras', start: startCerebrasSim, client: createCerebrasClient, overloadStatus: 503 },
  { name: 'anthropic', start: startAnthropicSim, client: createAnthropicClient, overloadStatus: 529 },
];

const SPOKEN = 'Thanks. What is the first line of the address?';

describe.each(vendors)('$name adapter faults', ({ name, start, client: makeClient, overloadStatus }) => {
  let sim: LlmSim;
  let client: LlmClient;
  beforeAll(async () => {
    sim = await start({ port: 0, ttftMs: 0, env: {} });
    client = makeClient({ model: 'm', baseUrl: sim.url, apiKey: 'k' });
  });
  afterAll(() => sim.close());

  it('429 → status error carrying retry-after in ms, and no SDK retry', async () => {
    sim.setFaults({ kind: 'status', status: 429, retryAfterSec: 2, times: 1 });
    const before = sim.stats().requests;
    const { error, events } = await collect(client, afterToolResult('address', SPOKEN));
    expect(events).toEqual([]);
    expect(error).toMatchObject({ provider: name, kind: 'status', status: 429, retryAfterMs: 2000 });
    expect(sim.stats().requests).toBe(before + 1);
  });

  it.each([500, 503])('%i → status error', async (status) => {
    sim.setFaults({ kind: 'status', status, times: 1 });
    const { error } = await collect(client, afterToolResult('address', SPOKEN));
    expect(error).toMatchObject({ provider: name, kind: 'status', status });
  });

  it('vendor overload status → status error', async () => {
    sim.setFaults({ kind: 'status', status: overloadStatus, times: 1 });
    const { error } = await collect(client, afterToolResult('address', SPOKEN));
    expect(error).toMatchObject({ kind: 'status', status: overloadStatus });
  });

  it('clean end without finish/terminator → truncated, after the text that did arrive', async () => {
    sim.setFaults({ kind: 'truncate', afterTokens: 3, times: 1 });
    const { error, text } = await collect(client, afterToolResult('address', SPOKEN));
    expect(text).toBe('Thanks. What is');
    expect(error).toMatchObject({ provider: name, kind: 'truncated' });
  });

  it('truncation in the middle of a tool call → truncated, no partial tool call', async () => {
    sim.setKnobs({ toolCalls: 'split' });
    sim.setFaults({ kind: 'truncate', afterTokens: 2, times: 1 });
    const { error, events } = await collect(
      client,
      bookingRequest('address', 'The address is 12 High Street, Kettering'),
    );
    sim.setKnobs({ toolCalls: name === 'anthropic' ? 'split' : 'whole' });
    expect(ofType(events, 'tool-call')).toEqual([]);
    expect(error).toMatchObject({ kind: 'truncated' });
  });

  it('a data line that is not JSON → malformed', async () => {
    sim.setFaults({ kind: 'malformed', afterTokens: 2, times: 1 });
    // The Cerebras SDK reports the bad line on console.error before throwing (streaming.js).
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { error, text } = await collect(client, afterToolResult('address', SPOKEN));
    quiet.mockRestore();
    expect(text).toBe('Thanks. What');
    expect(error).toMatchObject({ provider: name, kind: 'malformed' });
  });

  it('socket destroyed mid-stream → connect', async () => {
    sim.setFaults({ kind: 'drop', afterTokens: 2, times: 1 });
    const { error } = await collect(client, afterToolResult('address', SPOKEN));
    expect(error).toMatchObject({ provider: name, kind: 'connect' });
  });

  it("the vendor's in-stream error → status error", async () => {
    sim.setFaults({ kind: 'stream-error', afterTokens: 1, times: 1 });
    const { error, text } = await collect(client, afterToolResult('address', SPOKEN));
    expect(text).toBe('Thanks.');
    expect(error).toMatchObject({ provider: name, kind: 'status' });
  });

  it('abort while the stream is stalled → aborted, and the request is closed', async () => {
    // Two tokens: the Cerebras SDK only hands over an SSE event once bytes after it arrive
    // (docs/simulators.md), so the first token needs a second one behind it.
    sim.setFaults({ kind: 'stall', afterTokens: 2, times: 1 });
    const abort = new AbortController();
    const req = { ...afterToolResult('address', SPOKEN), signal: abort.signal };
    const run = (async () => {
      for await (const e of client.stream(req, silentLogger)) if (e.type === 'text') abort.abort();
    })();
    await expect(run).rejects.toMatchObject({ provider: name, kind: 'aborted' });
    await eventually(() => sim.stats().records.at(-1)?.clientClosed === true);
  });

  it('nothing listening → connect', async () => {
    const closed = await start({ port: 0, env: {} });
    const url = closed.url;
    await closed.close();
    const { error } = await collect(
      makeClient({ model: 'm', baseUrl: url, apiKey: 'k' }),
      afterToolResult('address', SPOKEN),
    );
    expect(error).toMatchObject({ provider: name, kind: 'connect' });
  });

  it('still serves normally after all those faults', async () => {
    sim.setFaults([]);
    const { error, text } = await collect(client, afterToolResult('address', SPOKEN));
    expect(error).toBeUndefined();
    expect(text).toBe(SPOKEN);
  });
});
