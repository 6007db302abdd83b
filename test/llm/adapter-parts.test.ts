import { describe, expect, it } from 'vitest';
import { toAnthropicMessages } from '../../src/providers/llm/anthropic.js';
import { toOpenAiMessages } from '../../src/providers/llm/openai-compatible.js';
import { retryAfterMs } from '../../src/providers/llm/sdk-errors.js';
import { ToolCallAssembler } from '../../src/providers/llm/tool-call-assembler.js';
import type { ChatMessage } from '../../src/providers/llm/types.js';

describe('ToolCallAssembler', () => {
  it('joins interleaved pieces by index and keeps the first piece’s id and name', () => {
    const calls = new ToolCallAssembler('groq');
    calls.add(1, { id: 'call_b', name: 'flag_request', arguments: '{"kind":' });
    calls.add(0, { id: 'call_a', name: 'record_details', arguments: '{"postcode":"NN15' });
    calls.add(1, { arguments: '"human"}' });
    calls.add(0, { name: 'record_details', arguments: ' 6QP"}' });
    expect(calls.finish()).toEqual([
      {
        id: 'call_a',
        name: 'record_details',
        arguments: { postcode: 'NN15 6QP' },
        rawArguments: '{"postcode":"NN15 6QP"}',
      },
      { id: 'call_b', name: 'flag_request', arguments: { kind: 'human' }, rawArguments: '{"kind":"human"}' },
    ]);
  });

  it('reads empty arguments as {} and refuses JSON that does not parse', () => {
    const empty = new ToolCallAssembler('anthropic');
    empty.add(0, { id: 'toolu_1', name: 'record_details' });
    expect(empty.finish()[0]?.arguments).toEqual({});
    const broken = new ToolCallAssembler('groq');
    broken.add(0, { id: 'call_1', name: 'record_details', arguments: '{"postcode": NN15' });
    expect(() => broken.finish()).toThrow(
      expect.objectContaining({ name: 'LlmError', kind: 'malformed', provider: 'groq' }),
    );
  });
});

describe('retryAfterMs', () => {
  it('prefers retry-after-ms, then seconds, then an HTTP date; reads Headers and plain records', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '2.5' }))).toBe(2500);
    expect(retryAfterMs({ 'retry-after': '3' })).toBe(3000);
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(retryAfterMs(new Headers({ 'retry-after': inAMinute }))).toBeGreaterThan(50_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

const conversation: ChatMessage[] = [
  { role: 'system', content: 'Step: postcode' },
  { role: 'user', content: 'NN15 6QP' },
  {
    role: 'assistant',
    content: '',
    toolCalls: [
      {
        id: 'call_1',
        name: 'record_details',
        arguments: { postcode: 'NN15 6QP' },
        rawArguments: '{"postcode":"NN15 6QP"}',
      },
      {
        id: 'call_2',
        name: 'flag_request',
        arguments: { kind: 'are_you_local' },
        rawArguments: '{"kind":"are_you_local"}',
      },
    ],
  },
  { role: 'tool', toolCallId: 'call_1', name: 'record_details', content: 'ok' },
  { role: 'tool', toolCallId: 'call_2', name: 'flag_request', content: 'ok' },
];

describe('message mapping', () => {
  it('OpenAI-compatible: assistant tool_calls and tool messages with tool_call_id', () => {
    expect(toOpenAiMessages(conversation)).toEqual([
      { role: 'system', content: 'Step: postcode' },
      { role: 'user', content: 'NN15 6QP' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'record_details', arguments: '{"postcode":"NN15 6QP"}' },
          },
          {
            id: 'call_2',
            type: 'function',
            function: { name: 'flag_request', arguments: '{"kind":"are_you_local"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
      { role: 'tool', tool_call_id: 'call_2', content: 'ok' },
    ]);
  });

  it('Anthropic: system lifted out, tool_use blocks, both results in one user turn', () => {
    expect(toAnthropicMessages(conversation)).toEqual({
      system: 'Step: postcode',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'NN15 6QP' }] },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'call_1', name: 'record_details', input: { postcode: 'NN15 6QP' } },
            { type: 'tool_use', id: 'call_2', name: 'flag_request', input: { kind: 'are_you_local' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: 'ok' },
            { type: 'tool_result', tool_use_id: 'call_2', content: 'ok' },
          ],
        },
      ],
    });
  });
});
