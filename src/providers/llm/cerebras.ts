import Cerebras, { APIError, APIUserAbortError } from '@cerebras/cerebras_cloud_sdk';
import { systemClock } from '../../clock.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, type ProviderClientOptions } from './client-options.js';
import type { OpenAiChunk } from './openai-compatible.js';
import { openAiCompatibleClient } from './openai-compatible-client.js';
import type { LlmClient } from './types.js';

/** The final chunk carries usage at the top level (docs/protocols/fallback-llms.md §A3). */
type CerebrasChunk = OpenAiChunk & { usage?: { prompt_tokens?: number; completion_tokens?: number } | null };

/** Cerebras through @cerebras/cerebras_cloud_sdk (docs/protocols/fallback-llms.md Part A). */
export function createCerebrasClient(opts: ProviderClientOptions): LlmClient {
  const sdk = new Cerebras({
    apiKey: opts.apiKey,
    baseURL: opts.baseUrl, // §A7: bare origin; the SDK appends /v1/chat/completions
    warmTCPConnection: false, // §A1: no side request at construction
    maxRetries: 0, // the fallback chain reacts to 429/5xx
    timeout: opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
  });

  return openAiCompatibleClient<CerebrasChunk>({
    name: opts.name ?? 'cerebras',
    model: opts.model,
    clock: opts.clock ?? systemClock,
    errorClasses: { APIError, APIUserAbortError },
    // The SDK types a stream item as chunk | error chunk | full response; in a stream only chunks
    // arrive (error chunks are thrown by the SDK itself, §A5).
    create: (body, o) => sdk.chat.completions.create(body, o) as Promise<AsyncIterable<CerebrasChunk>>,
    usageOf: (chunk) => chunk.usage,
  });
}
