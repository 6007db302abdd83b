import Groq, { APIError, APIUserAbortError } from 'groq-sdk';
import { systemClock } from '../../clock.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, type ProviderClientOptions } from './client-options.js';
import { openAiCompatibleClient } from './openai-compatible-client.js';
import type { LlmClient } from './types.js';

/** Groq through groq-sdk (docs/protocols/groq-chat.md). */
export function createGroqClient(opts: ProviderClientOptions): LlmClient {
  const sdk = new Groq({
    apiKey: opts.apiKey,
    baseURL: opts.baseUrl, // §7: bare origin; the SDK appends /openai/v1/chat/completions
    maxRetries: 0, // the fallback chain, not the SDK, reacts to 429/5xx (§6: it would obey retry-after literally)
    timeout: opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    logLevel: 'off', // failures surface as LlmErrors in our own log
  });
  return openAiCompatibleClient({
    name: opts.name ?? 'groq',
    model: opts.model,
    clock: opts.clock ?? systemClock,
    errorClasses: { APIError, APIUserAbortError },
    create: (body, o) => sdk.chat.completions.create(body, o),
    usageOf: (chunk) => chunk.x_groq?.usage,
  });
}
