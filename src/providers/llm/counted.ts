import type { LlmClient } from './types.js';

/**
 * The same client, calling `onRequest` once per `stream()`: one request per reply round, however
 * many providers the fallback chain then tries, so "LLM requests per turn" counts what the call asked for.
 */
export function countingRequests(llm: LlmClient, onRequest: () => void): LlmClient {
  return {
    name: llm.name,
    stream(req, log) {
      onRequest();
      return llm.stream(req, log);
    },
  };
}
