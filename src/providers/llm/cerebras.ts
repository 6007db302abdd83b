import Cerebras, { APIError, APIUserAbortError } from '@cerebras/cerebras_cloud_sdk';
import { type Clock, systemClock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, type ProviderClientOptions } from './client-options.js';
import { type OpenAiChunk, readOpenAiChunks, toOpenAiMessages, toOpenAiTools } from './openai-compatible.js';
import { type ErrorContext, toLlmError } from './sdk-errors.js';
import type { ChatRequest, LlmClient, LlmEvent } from './types.js';

/** The final chunk carries usage at the top level (protocols/fallback-llms.md §A3). */
type CerebrasChunk = OpenAiChunk & { usage?: { prompt_tokens?: number; completion_tokens?: number } | null };

/** Cerebras through @cerebras/cerebras_cloud_sdk (protocols/fallback-llms.md Part A). */
export function createCerebrasClient(opts: ProviderClientOptions): LlmClient {
  const name = opts.name ?? 'cerebras';
  const clock: Clock = opts.clock ?? systemClock;
  const sdk = new Cerebras({
    apiKey: opts.apiKey,
    baseURL: opts.baseUrl, // §A7: bare origin; the SDK appends /v1/chat/completions
    warmTCPConnection: false, // §A1: no side request at construction
    maxRetries: 0, // the fallback chain reacts to 429/5xx
    timeout: opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
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
      const chunks = await sdk.chat.completions
        .create(
          {
            model: opts.model,
            messages: toOpenAiMessages(req.messages),
            ...(req.tools.length ? { tools: toOpenAiTools(req.tools), tool_choice: 'auto' as const } : {}),
            max_completion_tokens: req.maxTokens,
            temperature: req.temperature,
            stream: true,
          },
          { signal: req.signal },
        )
        .catch((err: unknown) => {
          throw toLlmError(err, ctx('request'));
        });
      try {
        // The SDK types a stream item as chunk | error chunk | full response; in a stream only
        // chunks arrive (error chunks are thrown by the SDK itself, §A5).
        yield* readOpenAiChunks(chunks as AsyncIterable<CerebrasChunk>, {
          provider: name,
          model: opts.model,
          clock,
          startedAt,
          usageOf: (chunk) => chunk.usage,
        });
      } catch (err) {
        throw toLlmError(err, ctx('stream'));
      }
    },
  };
}
