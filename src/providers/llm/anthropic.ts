import Anthropic, { APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  MessageParam,
  RawMessageStreamEvent,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import { type Clock, systemClock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, type ProviderClientOptions } from './client-options.js';
import { firstTokenEvent } from './first-token.js';
import { type ErrorContext, toLlmError } from './sdk-errors.js';
import { ToolCallAssembler } from './tool-call-assembler.js';
import {
  type ChatMessage,
  type ChatRequest,
  type LlmClient,
  LlmError,
  type LlmEvent,
  type ToolSpec,
} from './types.js';

/** Anthropic Messages through @anthropic-ai/sdk (docs/protocols/fallback-llms.md Part B). */
export function createAnthropicClient(opts: ProviderClientOptions): LlmClient {
  const name = opts.name ?? 'anthropic';
  const clock: Clock = opts.clock ?? systemClock;
  const sdk = new Anthropic({
    apiKey: opts.apiKey, // §B5: explicit, so no credential chain or profile is consulted
    baseURL: opts.baseUrl, // §B6: bare origin; the SDK appends /v1/messages
    maxRetries: 0, // the fallback chain reacts to 429/5xx/529
    timeout: opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    logLevel: 'off',
  });

  return {
    name,
    async *stream(req: ChatRequest, log: Logger): AsyncGenerator<LlmEvent> {
      const ctx = (phase: ErrorContext['phase']): ErrorContext => ({
        provider: name,
        classes: { APIError, APIUserAbortError },
        signal: req.signal,
        phase,
      });
      const startedAt = clock.now();
      log.debug({ provider: name, model: opts.model }, 'llm request');
      const { system, messages } = toAnthropicMessages(req.messages);
      const events = await sdk.messages
        .create(
          {
            model: opts.model,
            max_tokens: req.maxTokens,
            // No `temperature`: MessageCreateParams in SDK 1.12.0 no longer has sampling fields.
            messages,
            ...(system ? { system } : {}),
            ...(req.tools.length ? { tools: req.tools.map(toAnthropicTool) } : {}),
            stream: true,
          },
          { signal: req.signal },
        )
        .catch((err: unknown) => {
          throw toLlmError(err, ctx('request'));
        });
      try {
        yield* readAnthropicEvents(events, { provider: name, model: opts.model, clock, startedAt });
      } catch (err) {
        throw toLlmError(err, ctx('stream'));
      }
    },
  };
}

/**
 * System messages become the top-level `system`; tool calls become `tool_use` blocks and tool
 * results `tool_result` blocks in a user turn. Consecutive turns of one role are merged, since
 * all results for one assistant turn must sit in the next user turn.
 */
export function toAnthropicMessages(chat: readonly ChatMessage[]): {
  system: string;
  messages: MessageParam[];
} {
  const system: string[] = [];
  const messages: Array<{ role: 'user' | 'assistant'; content: ContentBlockParam[] }> = [];
  const append = (role: 'user' | 'assistant', blocks: ContentBlockParam[]) => {
    if (blocks.length === 0) return;
    const last = messages.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of chat) {
    switch (m.role) {
      case 'system':
        system.push(m.content);
        break;
      case 'user':
        // The API rejects empty text blocks.
        append('user', m.content ? [{ type: 'text', text: m.content }] : []);
        break;
      case 'assistant':
        append('assistant', [
          ...(m.content ? [{ type: 'text' as const, text: m.content }] : []),
          ...(m.toolCalls ?? []).map((c) => ({
            type: 'tool_use' as const,
            id: c.id,
            name: c.name,
            input: isObject(c.arguments) ? c.arguments : {},
          })),
        ]);
        break;
      case 'tool':
        append('user', [{ type: 'tool_result', tool_use_id: m.toolCallId, content: m.content }]);
        break;
    }
  }
  return { system: system.join('\n\n'), messages };
}

function toAnthropicTool(tool: ToolSpec): Tool {
  return {
    name: tool.name,
    description: tool.description,
    input_schema: { ...tool.parameters, type: 'object' },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const FINISH_REASONS: Record<string, 'stop' | 'length' | 'tool_calls'> = {
  tool_use: 'tool_calls',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
};

/**
 * Reads Messages stream events (§B3) into LlmEvents: text_delta → text; input_json_delta pieces
 * of each tool_use block → one tool-call. A stream without message_stop was cut short: the SDK
 * ends such a stream quietly (§B5), so it is reported here.
 */
async function* readAnthropicEvents(
  events: AsyncIterable<RawMessageStreamEvent>,
  opts: { provider: string; model: string; clock: Clock; startedAt: number },
): AsyncGenerator<LlmEvent> {
  const tools = new ToolCallAssembler(opts.provider);
  let firstTokenSeen = false;
  let stopReason: string | null = null;
  let promptTokens = 0;
  let completionTokens = 0;
  let stopped = false;
  const firstToken = (): LlmEvent => {
    firstTokenSeen = true;
    return firstTokenEvent(opts);
  };

  for await (const event of events) {
    switch (event.type) {
      case 'message_start':
        promptTokens = event.message.usage.input_tokens;
        break;
      case 'content_block_start':
        if (event.content_block.type === 'tool_use') {
          if (!firstTokenSeen) yield firstToken();
          tools.add(event.index, { id: event.content_block.id, name: event.content_block.name });
        }
        break;
      case 'content_block_delta':
        if (event.delta.type === 'text_delta' && event.delta.text) {
          if (!firstTokenSeen) yield firstToken();
          yield { type: 'text', text: event.delta.text };
        } else if (event.delta.type === 'input_json_delta') {
          tools.add(event.index, { arguments: event.delta.partial_json });
        }
        break;
      case 'message_delta':
        stopReason = event.delta.stop_reason ?? stopReason;
        completionTokens = event.usage.output_tokens;
        break;
      case 'message_stop':
        stopped = true;
        break;
    }
  }

  if (!stopped) throw new LlmError('stream ended without message_stop', opts.provider, 'truncated');
  for (const call of tools.finish()) yield { type: 'tool-call', call };
  yield {
    type: 'done',
    provider: opts.provider,
    finishReason:
      (stopReason ? FINISH_REASONS[stopReason] : undefined) ?? (tools.size > 0 ? 'tool_calls' : 'stop'),
    usage: { promptTokens, completionTokens },
  };
}
