import type { Clock } from '../../clock.js';
import { firstTokenEvent } from './first-token.js';
import { ToolCallAssembler } from './tool-call-assembler.js';
import { type ChatMessage, LlmError, type LlmEvent, type ToolSpec } from './types.js';

/**
 * The OpenAI-compatible wire shared by Groq and Cerebras: request mapping and chunk reading.
 * Only the fields both SDKs define are used, so the same code reads either SDK's chunks.
 */

export type OpenAiMessage =
  | { role: 'system' | 'user'; content: string }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
    }
  | { role: 'tool'; tool_call_id: string; content: string };

export function toOpenAiMessages(messages: readonly ChatMessage[]): OpenAiMessage[] {
  return messages.map(toOpenAiMessage);
}

function toOpenAiMessage(m: ChatMessage): OpenAiMessage {
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
  if (m.role !== 'assistant' || !m.toolCalls?.length) return { role: m.role, content: m.content };
  return {
    role: 'assistant',
    content: m.content || null,
    tool_calls: m.toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.rawArguments || JSON.stringify(c.arguments ?? {}) },
    })),
  };
}

export function toOpenAiTools(tools: readonly ToolSpec[]) {
  return tools.map((t) => ({
    type: 'function' as const,
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}

/** The parts of a streamed chunk this adapter reads. */
export interface OpenAiChunk {
  choices?: Array<{
    delta?: {
      content?: string | null;
      tool_calls?: Array<{
        index?: number | null;
        id?: string | null;
        function?: { name?: string | null; arguments?: string | null } | null;
      }> | null;
    } | null;
    finish_reason?: string | null;
  }> | null;
}

export interface ChunkReaderOptions<C extends OpenAiChunk> {
  provider: string;
  model: string;
  clock: Clock;
  /** When the request was sent; time to first token is measured from here. */
  startedAt: number;
  /** Where the vendor puts usage (Groq: `x_groq.usage`; Cerebras: `usage`), on the final chunk. */
  usageOf(chunk: C): { prompt_tokens?: number; completion_tokens?: number } | null | undefined;
}

/**
 * Reads chunks into LlmEvents. Tool calls are emitted once the finish chunk arrives, because their argument
 * pieces may interleave. A stream that ends without a finish_reason was cut short: the SDKs end such a stream
 * quietly (docs/protocols/groq-chat.md §5 item 6), so it is reported here.
 */
export async function* readOpenAiChunks<C extends OpenAiChunk>(
  chunks: AsyncIterable<C>,
  opts: ChunkReaderOptions<C>,
): AsyncGenerator<LlmEvent> {
  const tools = new ToolCallAssembler(opts.provider);
  let firstTokenSeen = false;
  let finish: string | undefined;
  let usage: { promptTokens: number; completionTokens: number } | undefined;
  const firstToken = (): LlmEvent => {
    firstTokenSeen = true;
    return firstTokenEvent(opts);
  };

  for await (const chunk of chunks) {
    const reported = opts.usageOf(chunk);
    if (reported) {
      usage = {
        promptTokens: reported.prompt_tokens ?? 0,
        completionTokens: reported.completion_tokens ?? 0,
      };
    }
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const delta = choice.delta;
    if (delta?.content) {
      if (!firstTokenSeen) yield firstToken();
      yield { type: 'text', text: delta.content };
    }
    for (const piece of delta?.tool_calls ?? []) {
      if (!firstTokenSeen) yield firstToken();
      tools.add(piece.index ?? 0, {
        id: piece.id,
        name: piece.function?.name,
        arguments: piece.function?.arguments,
      });
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }

  if (finish === undefined) {
    throw new LlmError('stream ended without a finish_reason', opts.provider, 'truncated');
  }
  for (const call of tools.finish()) yield { type: 'tool-call', call };
  yield {
    type: 'done',
    provider: opts.provider,
    finishReason: finishReasonOf(finish, tools.size > 0),
    ...(usage ? { usage } : {}),
  };
}

function finishReasonOf(reason: string, hadToolCalls: boolean): 'stop' | 'length' | 'tool_calls' {
  if (reason === 'length') return 'length';
  if (reason === 'tool_calls' || reason === 'function_call' || hadToolCalls) return 'tool_calls';
  return 'stop';
}
