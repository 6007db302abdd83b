import type { Clock } from '../../clock.js';

/** What every provider adapter needs: one provider, one model. */
export interface ProviderClientOptions {
  model: string;
  /** The bare origin (e.g. https://api.groq.com or a simulator's http://127.0.0.1:port); each SDK appends its path. */
  baseUrl: string;
  apiKey: string;
  /** Reported in events; defaults to the provider's name. Must be unique within a fallback chain. */
  name?: string;
  /**
   * How long the SDK waits for response headers. The SDKs' timeouts stop there: a stream that
   * stalls after the headers is the fallback chain's watchdog's job.
   */
  headersTimeoutMs?: number;
  clock?: Clock;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
