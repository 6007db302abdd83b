import Groq, { APIError, APIUserAbortError } from 'groq-sdk';
import { type Clock, systemClock } from '../../clock.js';
import type { Logger } from '../../log.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, type ProviderClientOptions } from './client-options.js';
import { readOpenAiChunks, toOpenAiMessages, toOpenAiTools } from './openai-compatible.js';
import { type ErrorContext, toLlmError } from './sdk-errors.js';
import type { ChatRequest, LlmClient, LlmEvent } from './types.js';

/** Groq through groq-sdk (protocols/groq-chat.md). */
export function createGroqClient(opts: ProviderClientOptions): LlmClient {
  const name = opts.name ?? 'groq';
  const clock: Clock = opts.clock ?? systemClock;
  const sdk = new Groq({
    apiKey: opts.apiKey,
    baseURL: opts.baseUrl, // §7: bare origin; the SDK appends /openai/v1/chat/completions
    maxRetries: 0, // the fallback chain, not the SDK, reacts to 429/5xx (§6: it would obey retry-after literally)
    timeout: opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    logLevel: 'off', // failures surface as LlmErrors in our own log
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
        yield* readOpenAiChunks(chunks, {
          provider: name,
          model: opts.model,
          clock,
          startedAt,
          usageOf: (chunk) => chunk.x_groq?.usage,
        });
      } catch (err) {
        throw toLlmError(err, ctx('stream'));
      }
    },
  };
}
