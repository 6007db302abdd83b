import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import {
  type OpenAiChunk,
  type OpenAiMessage,
  readOpenAiChunks,
  toOpenAiMessages,
  toOpenAiTools,
} from './openai-compatible.js';
import { type ErrorContext, type SdkErrorClasses, toLlmError } from './sdk-errors.js';
import type { ChatRequest, LlmClient, LlmEvent } from './types.js';

/** The request body both Groq and Cerebras accept for a streamed chat completion. */
export interface OpenAiChatBody {
  model: string;
  messages: OpenAiMessage[];
  tools?: ReturnType<typeof toOpenAiTools>;
  tool_choice?: 'auto';
  max_completion_tokens: number;
  temperature: number;
  stream: true;
}

export interface OpenAiCompatibleSpec<C extends OpenAiChunk> {
  name: string;
  model: string;
  clock: Clock;
  /** The vendor SDK's own error classes, to tell aborts and API errors apart. */
  errorClasses: SdkErrorClasses;
  /** The SDK's streaming chat.completions.create. */
  create(body: OpenAiChatBody, opts: { signal?: AbortSignal }): Promise<AsyncIterable<C>>;
  /** Where the vendor puts usage on the final chunk. */
  usageOf(chunk: C): { prompt_tokens?: number; completion_tokens?: number } | null | undefined;
}

/** One LlmClient for any OpenAI-compatible SDK: the request, error mapping and chunk reading they share. */
export function openAiCompatibleClient<C extends OpenAiChunk>(spec: OpenAiCompatibleSpec<C>): LlmClient {
  const { name, model, clock } = spec;
  return {
    name,
    async *stream(req: ChatRequest, log: Logger): AsyncGenerator<LlmEvent> {
      const ctx = (phase: ErrorContext['phase']): ErrorContext => ({
        provider: name,
        classes: spec.errorClasses,
        signal: req.signal,
        phase,
      });
      const startedAt = clock.now();
      log.debug({ provider: name, model }, 'llm request');
      const body: OpenAiChatBody = {
        model,
        messages: toOpenAiMessages(req.messages),
        ...(req.tools.length ? { tools: toOpenAiTools(req.tools), tool_choice: 'auto' as const } : {}),
        max_completion_tokens: req.maxTokens,
        temperature: req.temperature,
        stream: true,
      };
      const chunks = await spec.create(body, { signal: req.signal }).catch((err: unknown) => {
        throw toLlmError(err, ctx('request'));
      });
      try {
        yield* readOpenAiChunks(chunks, { provider: name, model, clock, startedAt, usageOf: spec.usageOf });
      } catch (err) {
        throw toLlmError(err, ctx('stream'));
      }
    },
  };
}
