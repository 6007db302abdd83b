import { afterEach, describe, expect, it } from 'vitest';
import { startAnthropicSim } from '../../sim/llm/anthropic-sim.js';
import { startCerebrasSim } from '../../sim/llm/cerebras-sim.js';
import type { LlmSim } from '../../sim/llm/completion-sim.js';
import { startGroqSim } from '../../sim/llm/groq-sim.js';
import { eventually, systemPrompt } from './helpers.js';

/**
 * The simulators' wire format, read raw (no SDK), against docs/protocols/groq-chat.md and
 * docs/protocols/fallback-llms.md.
 */

const sims: LlmSim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});
async function track(sim: Promise<LlmSim>): Promise<LlmSim> {
  const started = await sim;
  sims.push(started);
  return started;
}

const openAiBody = (userText: string, extra: object = {}) => ({
  model: 'llama-3.3-70b-versatile',
  stream: true,
  messages: [
    { role: 'system', content: systemPrompt('postcode', 'Thanks!') },
    { role: 'user', content: userText },
  ],
  tools: [{ type: 'function', function: { name: 'record_details', parameters: { type: 'object' } } }],
  ...extra,
});

function post(url: string, body: unknown, headers: Record<string, string> = { authorization: 'Bearer k' }) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** SSE blocks as {event, data} with data JSON-parsed where possible. */
function blocks(text: string): Array<{ event?: string; data: unknown }> {
  return text
    .split('\n\n')
    .filter((b) => b.trim())
    .map((b) => {
      const event = /^event: (.*)$/m.exec(b)?.[1];
      const raw = /^data: (.*)$/m.exec(b)?.[1] ?? '';
      let data: unknown = raw;
      try {
        data = JSON.parse(raw);
      } catch {}
      return event ? { event, data } : { data };
    });
}

describe('groq simulator wire', () => {
  it('streams role chunk, content, tool call, final chunk with x_groq.usage, then [DONE]', async () => {
    const sim = await track(startGroqSim({ port: 0, ttftMs: 0, env: {} }));
    const res = await post(`${sim.url}/openai/v1/chat/completions`, openAiBody("It's NN15 6QP"));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    const bs = blocks(await res.text());
    const first = bs[0]?.data as { id: string; x_groq: { id: string }; choices: [{ delta: object }] };
    expect(first.choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(first.x_groq.id).toMatch(/^req_/);
    const tool = bs[1]?.data as { id: string; choices: [{ delta: { tool_calls: unknown[] } }] };
    expect(tool.id).toBe(first.id);
    expect(tool.choices[0].delta.tool_calls).toEqual([
      expect.objectContaining({
        index: 0,
        type: 'function',
        function: { name: 'record_details', arguments: '{"postcode":"NN15 6QP"}' },
      }),
    ]);
    const last = bs.at(-2)?.data as {
      choices: [{ finish_reason: string; delta: object }];
      x_groq: { usage: object };
    };
    expect(last.choices[0]).toMatchObject({ delta: {}, finish_reason: 'tool_calls' });
    expect(last.x_groq.usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
    });
    expect(bs.at(-1)?.data).toBe('[DONE]');
  });

  it('answers a 429 fault with retry-after and a wrapped error body, then recovers', async () => {
    const sim = await track(
      startGroqSim({
        port: 0,
        ttftMs: 0,
        env: {},
        faults: { kind: 'status', status: 429, retryAfterSec: 3, times: 1 },
      }),
    );
    const res = await post(`${sim.url}/openai/v1/chat/completions`, openAiBody('hi'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({
      error: expect.objectContaining({
        type: 'tokens',
        code: 'rate_limit_exceeded',
        message: expect.any(String),
      }),
    });
    expect((await post(`${sim.url}/openai/v1/chat/completions`, openAiBody('hi'))).status).toBe(200);
    expect(sim.stats().byStatus).toEqual({ 200: 1, 429: 1 });
  });

  it('rejects bad bodies, missing keys and unknown paths with vendor-shaped errors', async () => {
    const sim = await track(startGroqSim({ port: 0, env: {} }));
    const url = `${sim.url}/openai/v1/chat/completions`;
    const notJson = await post(url, '{"model":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const noMessages = await post(url, { model: 'm', stream: true, messages: [] });
    expect(noMessages.status).toBe(400);
    expect((await noMessages.json()).error.message).toMatch(/messages/);
    const badRole = await post(url, {
      model: 'm',
      stream: true,
      messages: [{ role: 'robot', content: 'x' }],
    });
    expect(badRole.status).toBe(400);
    const noKey = await post(url, openAiBody('hi'), {});
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    expect((await post(`${sim.url}/v1/chat/completions`, openAiBody('hi'))).status).toBe(404);
    // Still serving after all that.
    expect((await post(url, openAiBody('hi'))).status).toBe(200);
  });

  it('sends an in-stream error as an `event: error` block', async () => {
    const sim = await track(
      startGroqSim({ port: 0, ttftMs: 0, env: {}, faults: { kind: 'stream-error', afterTokens: 1 } }),
    );
    const bs = blocks(
      await (await post(`${sim.url}/openai/v1/chat/completions`, openAiBody('Step on it'))).text(),
    );
    expect(bs.at(-1)).toEqual({
      event: 'error',
      data: { error: expect.objectContaining({ status_code: 500 }) },
    });
    expect(bs.some((b) => b.data === '[DONE]')).toBe(false);
  });

  it('reads faults from SIM_GROQ_FAULTS and refuses a malformed value', async () => {
    const env = { SIM_GROQ_FAULTS: '[{"kind":"status","status":503,"times":1}]', SIM_GROQ_TTFT_MS: '0' };
    const sim = await track(startGroqSim({ port: 0, env }));
    expect((await post(`${sim.url}/openai/v1/chat/completions`, openAiBody('hi'))).status).toBe(503);
    await expect(startGroqSim({ port: 0, env: { SIM_GROQ_FAULTS: '{"kind":"explode"}' } })).rejects.toThrow(
      /SIM_GROQ_FAULTS/,
    );
    await expect(startGroqSim({ port: 0, env: { SIM_GROQ_TOOL_CALLS: 'halves' } })).rejects.toThrow(
      /SIM_GROQ_TOOL_CALLS/,
    );
  });

  it('applies queued faults in order, each for its number of requests', async () => {
    const sim = await track(startGroqSim({ port: 0, ttftMs: 0, env: {} }));
    sim.setFaults([
      { kind: 'status', status: 500, times: 2 },
      { kind: 'truncate', afterTokens: 0, times: 1 },
    ]);
    const url = `${sim.url}/openai/v1/chat/completions`;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(url, openAiBody('banana'))).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
    expect(sim.stats().records.map((r) => r.outcome)).toEqual([
      'rejected',
      'rejected',
      'truncated',
      'completed',
    ]);
  });

  it('holds a stalled stream open until the client leaves, and records that it left', async () => {
    const sim = await track(
      startGroqSim({ port: 0, ttftMs: 0, env: {}, faults: { kind: 'stall', afterTokens: 1 } }),
    );
    const abort = new AbortController();
    const res = await fetch(`${sim.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: JSON.stringify(openAiBody('banana')),
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    const seen: string[] = [];
    const decoder = new TextDecoder();
    while (!seen.join('').includes('"tool_calls"')) seen.push(decoder.decode((await reader.read()).value));
    await eventually(() => sim.stats().records[0]?.outcome === 'stalled');
    expect(sim.stats().clientAborts).toBe(0);
    abort.abort();
    await eventually(() => sim.stats().clientAborts === 1);
    expect(sim.stats().records[0]).toMatchObject({ clientClosed: true, tokensSent: 1 });
  });
});

describe('cerebras simulator wire', () => {
  it('streams data-only chunks with usage and time_info on the final chunk', async () => {
    const sim = await track(startCerebrasSim({ port: 0, ttftMs: 0, env: {} }));
    const text = await (
      await post(`${sim.url}/v1/chat/completions`, openAiBody('Hello there', { tools: undefined }))
    ).text();
    expect(text).not.toMatch(/^event:/m);
    const bs = blocks(text);
    const last = bs.at(-2)?.data as {
      usage: object;
      time_info: object;
      choices: [{ finish_reason: string }];
    };
    expect(last.choices[0].finish_reason).toBe('stop');
    expect(last.usage).toMatchObject({ prompt_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    expect(last.time_info).toMatchObject({ queue_time: expect.any(Number), created: expect.any(Number) });
    expect(bs.at(-1)?.data).toBe('[DONE]');
  });

  it('answers errors with a flat body and the warming request with 200', async () => {
    const sim = await track(
      startCerebrasSim({ port: 0, env: {}, faults: { kind: 'status', status: 429, times: 1 } }),
    );
    const res = await post(`${sim.url}/v1/chat/completions`, openAiBody('hi'));
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({
      message: 'Requests per minute limit exceeded - too many requests sent.',
      type: 'too_many_requests_error',
      param: 'quota',
      code: 'request_quota_exceeded',
    });
    expect((await fetch(`${sim.url}/v1/tcp_warming`)).status).toBe(200);
  });

  it('sends an in-stream error as a data-only error chunk', async () => {
    const sim = await track(
      startCerebrasSim({ port: 0, ttftMs: 0, env: {}, faults: { kind: 'stream-error', afterTokens: 0 } }),
    );
    const text = await (await post(`${sim.url}/v1/chat/completions`, openAiBody('hi'))).text();
    expect(text).not.toMatch(/^event:/m);
    expect(blocks(text).at(-1)?.data).toMatchObject({ error: { type: 'server_error' }, status_code: 500 });
  });
});

describe('anthropic simulator wire', () => {
  const VERSION = { 'anthropic-version': '2023-06-01' };
  const body = (text: string, extra: object = {}) => ({
    model: 'claude-haiku-4-5',
    max_tokens: 100,
    stream: true,
    system: systemPrompt('name', 'Thanks, Priya.'),
    messages: [{ role: 'user', content: text }],
    tools: [{ name: 'record_details', input_schema: { type: 'object' } }],
    ...extra,
  });

  it('streams named events in order with input_json_delta for tool input', async () => {
    const sim = await track(startAnthropicSim({ port: 0, ttftMs: 0, env: {} }));
    const res = await post(`${sim.url}/v1/messages`, body('My name is Priya Shah'), {
      ...VERSION,
      'x-api-key': 'k',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const bs = blocks(await res.text());
    expect(bs.every((b) => b.event && (b.data as { type: string }).type === b.event)).toBe(true);
    const names = bs.map((b) => b.event).filter((e) => e !== 'content_block_delta');
    expect(names).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const json = bs
      .filter((b) => b.event === 'content_block_delta')
      .map((b) => (b.data as { delta: { type: string; partial_json: string } }).delta)
      .map((d) => (d.type === 'input_json_delta' ? d.partial_json : '?'))
      .join('');
    expect(JSON.parse(json)).toEqual({ name: 'Priya Shah' });
    expect(bs.at(-2)?.data).toMatchObject({
      delta: { stop_reason: 'tool_use' },
      usage: { output_tokens: expect.any(Number) },
    });
  });

  it('accepts Authorization: Bearer as well as x-api-key; requires a key and anthropic-version', async () => {
    const sim = await track(startAnthropicSim({ port: 0, ttftMs: 0, env: {} }));
    const bearer = await post(`${sim.url}/v1/messages`, body('hi'), {
      ...VERSION,
      authorization: 'Bearer k',
    });
    expect(bearer.status).toBe(200);
    const none = await post(`${sim.url}/v1/messages`, body('hi'), VERSION);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
      request_id: expect.any(String),
    });
    const noVersion = await post(`${sim.url}/v1/messages`, body('hi'), { 'x-api-key': 'k' });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
    });
  });

  it('answers 529 overloaded and a missing max_tokens in the documented error shape', async () => {
    const sim = await track(
      startAnthropicSim({ port: 0, env: {}, faults: { kind: 'status', status: 529, times: 1 } }),
    );
    const overloaded = await post(`${sim.url}/v1/messages`, body('hi'), { ...VERSION, 'x-api-key': 'k' });
    expect(overloaded.status).toBe(529);
    expect(await overloaded.json()).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    const noMax = await post(`${sim.url}/v1/messages`, body('hi', { max_tokens: undefined }), {
      ...VERSION,
      'x-api-key': 'k',
    });
    expect(noMax.status).toBe(400);
    expect(await noMax.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringMatching(/max_tokens/) },
    });
    const badBlock = await post(
      `${sim.url}/v1/messages`,
      body('hi', { messages: [{ role: 'user', content: [{ type: 'tool_result' }] }] }),
      { ...VERSION, 'x-api-key': 'k' },
    );
    expect(badBlock.status).toBe(400);
  });

  it('reads a tool_result turn as the cue to speak the suggested reply', async () => {
    const sim = await track(startAnthropicSim({ port: 0, ttftMs: 0, env: {} }));
    const messages = [
      { role: 'user', content: 'Priya Shah' },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'record_details', input: { name: 'Priya Shah' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
    ];
    const bs = blocks(
      await (
        await post(`${sim.url}/v1/messages`, body('', { messages }), { ...VERSION, 'x-api-key': 'k' })
      ).text(),
    );
    const text = bs
      .filter((b) => b.event === 'content_block_delta')
      .map((b) => (b.data as { delta: { text: string } }).delta.text)
      .join('');
    expect(text).toBe('Thanks, Priya.');
  });
});
