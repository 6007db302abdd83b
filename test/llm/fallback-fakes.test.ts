import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createFallbackChain } from '../../src/providers/llm/fallback.js';
import type { ChatRequest, LlmClient, LlmEvent } from '../../src/providers/llm/types.js';
import { collect, ofType } from './helpers.js';

/** Chain decisions that real providers rarely produce on demand, driven by scripted clients. */

const req: ChatRequest = {
  messages: [{ role: 'user', content: 'hi' }],
  tools: [],
  maxTokens: 50,
  temperature: 0,
};
const opts = { firstTokenDeadlineMs: 500, tokenGapDeadlineMs: 500, log: silentLogger };

function scripted(
  name: string,
  script: (signal: AbortSignal) => AsyncGenerator<LlmEvent>,
): LlmClient & { calls: number } {
  const client = {
    name,
    calls: 0,
    stream(r: ChatRequest) {
      client.calls += 1;
      return script(r.signal ?? new AbortController().signal);
    },
  };
  return client;
}

async function* answer(provider: string, text: string): AsyncGenerator<LlmEvent> {
  yield { type: 'first-token', provider, model: 'm', ttftMs: 1 };
  yield { type: 'text', text };
  yield { type: 'done', provider, finishReason: 'stop' };
}

describe('fallback chain decisions', () => {
  it('treats an empty reply as a failure and moves on', async () => {
    const empty = scripted('empty', async function* () {
      yield { type: 'done', provider: 'empty', finishReason: 'stop' };
    });
    const good = scripted('good', () => answer('good', 'Hello'));
    const { events, text } = await collect(
      createFallbackChain([{ client: empty }, { client: good }], opts),
      req,
    );
    expect(text).toBe('Hello');
    expect(ofType(events, 'fallback')).toEqual([
      { type: 'fallback', from: 'empty', to: 'good', reason: 'truncated' },
    ]);
  });

  it('turns a foreign exception from a client into a connect failure and moves on', async () => {
    const broken = scripted('broken', async function* () {
      yield* [];
      throw new TypeError('socket hang up');
    });
    const good = scripted('good', () => answer('good', 'Hello'));
    const { events, text } = await collect(
      createFallbackChain([{ client: broken }, { client: good }], opts),
      req,
    );
    expect(text).toBe('Hello');
    expect(ofType(events, 'fallback')[0]?.reason).toBe('connect');
  });

  it('does not start a second provider while the first is on time', async () => {
    const slowButOnTime = scripted('slow', async function* (signal) {
      await new Promise((r) => setTimeout(r, 100));
      if (signal.aborted) return;
      yield* answer('slow', 'Fine');
    });
    const spare = scripted('spare', () => answer('spare', 'Spare'));
    const { text } = await collect(
      createFallbackChain([{ client: slowButOnTime }, { client: spare }], opts),
      req,
    );
    expect(text).toBe('Fine');
    expect(spare.calls).toBe(0);
  });

  it('delivers nothing more once the consumer aborts, even events already queued', async () => {
    const chatty = scripted('chatty', async function* () {
      yield { type: 'first-token', provider: 'chatty', model: 'm', ttftMs: 1 };
      for (const word of ['One', ' two', ' three', ' four']) yield { type: 'text', text: word };
      yield { type: 'done', provider: 'chatty', finishReason: 'stop' };
    });
    const abort = new AbortController();
    const seen: string[] = [];
    const chain = createFallbackChain([{ client: chatty }], opts);
    await expect(
      (async () => {
        for await (const e of chain.stream({ ...req, signal: abort.signal }, silentLogger)) {
          seen.push(e.type === 'text' ? e.text : e.type);
          if (e.type === 'text') abort.abort();
        }
      })(),
    ).rejects.toMatchObject({ kind: 'aborted' });
    expect(seen).toEqual(['first-token', 'One']);
  });

  it('refuses an empty chain', () => {
    expect(() => createFallbackChain([], opts)).toThrow(/at least one/);
  });

  it('throws aborted at once when the signal is already aborted, without calling a provider', async () => {
    const good = scripted('good', () => answer('good', 'Hello'));
    const abort = new AbortController();
    abort.abort();
    const { error } = await collect(createFallbackChain([{ client: good }], opts), {
      ...req,
      signal: abort.signal,
    });
    expect(error).toMatchObject({ kind: 'aborted' });
    expect(good.calls).toBe(0);
  });
});
