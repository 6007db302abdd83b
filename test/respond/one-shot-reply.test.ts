import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import type { ChatRequest, LlmClient, LlmEvent } from '../../src/providers/llm/types.js';
import { oneShotReply } from '../../src/respond/one-shot-reply.js';

const FACTS = {
  companyName: 'Quick Fix Plumbing',
  trade: 'plumbing',
  tradeLabel: 'plumber',
  calloutFee: 49,
  area: 'London',
  isRepeatCaller: false,
  timeOfDay: 'morning' as const,
};

/** An LLM that plays one scripted completion per request and keeps every request it got. */
function scriptedLlm(turns: LlmEvent[][]): LlmClient & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    name: 'fake',
    requests,
    async *stream(req) {
      requests.push(req);
      yield* turns[requests.length - 1] ?? [];
    },
  };
}

const first: LlmEvent = { type: 'first-token', provider: 'fake', model: 'm', ttftMs: 42 };
const recordProblem: LlmEvent = {
  type: 'tool-call',
  call: {
    id: 'c1',
    name: 'record_details',
    arguments: { problem: 'kitchen sink leaking' },
    rawArguments: '{"problem":"kitchen sink leaking"}',
  },
};
const input = {
  facts: FACTS,
  state: { step: 'understand' as const, slots: {}, language: 'en' as const },
  history: [{ role: 'caller' as const, text: 'Hi, the pipe under my kitchen sink is leaking.' }],
};
const deps = (llm: LlmClient) => ({ llm, llmOptions: { maxTokens: 100, temperature: 0 }, log: silentLogger });

describe('oneShotReply', () => {
  it('after a record-only completion, asks again for the step the workflow moved to', async () => {
    const llm = scriptedLlm([
      [first, recordProblem],
      [first, { type: 'text', text: 'There is a 49 pound callout.' }],
    ]);
    const streamed: string[] = [];
    const out = await oneShotReply(input, deps(llm), (d, s) => streamed.push(`${s.step}:${d}`));
    expect(out).toMatchObject({
      text: 'There is a 49 pound callout.',
      rounds: 2,
      firstTokenMs: 42,
      usedSuggestion: false,
    });
    expect(out.state).toMatchObject({ step: 'quote', slots: { problem: 'kitchen sink leaking' } });
    expect(streamed).toEqual(['quote:There is a 49 pound callout.']);
    // Same prompt as a call turn: the step in the system prompt, then the tool exchange in the history.
    const [r1, r2] = llm.requests;
    expect(r1!.messages[0]!.content).toMatch(/Step: understand/);
    expect(r1!.tools.map((t) => t.name)).toEqual(['record_details', 'flag_request']);
    expect(r2!.messages[0]!.content).toMatch(/Step: quote/);
    expect(r2!.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
  });

  it('speaks the first completion when it has words', async () => {
    const llm = scriptedLlm([
      [first, { type: 'text', text: 'What seems ' }, { type: 'text', text: 'to be the problem?' }],
    ]);
    const out = await oneShotReply(input, deps(llm), () => {});
    expect(out).toMatchObject({ text: 'What seems to be the problem?', rounds: 1 });
    expect(out.state.step).toBe('understand');
  });

  it("falls back to the step's suggested line when the model never talks", async () => {
    const llm = scriptedLlm([[first], [], []]);
    const out = await oneShotReply(input, deps(llm), () => {});
    expect(out).toMatchObject({ usedSuggestion: true, rounds: 1, text: 'What seems to be the problem?' });
  });
});

describe('oneShotReply, one round per turn', () => {
  it('takes words spoken ahead of the tool call as the reply, and moves the workflow on', async () => {
    const llm = scriptedLlm([[first, { type: 'text', text: 'I can get a plumber out.' }, recordProblem]]);
    const steps: string[] = [];
    const out = await oneShotReply(input, deps(llm), (_d, s) => steps.push(s.step));
    expect(out).toMatchObject({ text: 'I can get a plumber out.', rounds: 1 });
    expect(out.state.step).toBe('quote');
    expect(steps).toEqual(['understand']); // spoken as the understand turn's reply, as in a call
    expect(llm.requests[0]!.messages[0]!.content).toMatch(/After details: /);
  });

  it('applies what the words plainly give before asking the model (a yes at the quote step)', async () => {
    const llm = scriptedLlm([[first, { type: 'text', text: "Lovely. What's your postcode?" }]]);
    await oneShotReply(
      {
        ...input,
        state: { step: 'quote', slots: { problem: 'leak' }, language: 'en' },
        history: [{ role: 'caller', text: 'Yes please, go ahead.' }],
      },
      deps(llm),
      () => {},
    );
    expect(llm.requests[0]!.messages[0]!.content).toMatch(/Step: postcode/);
  });
});
