import { createAnthropicClient } from './anthropic.js';
import { createCerebrasClient } from './cerebras.js';
import type { ProviderClientOptions } from './client-options.js';
import { createFallbackChain, type FallbackChain, type FallbackOptions } from './fallback.js';
import { createGroqClient } from './groq.js';
import type { LlmClient } from './types.js';

export type LlmProvider = 'groq' | 'cerebras' | 'anthropic';

export interface LlmLinkSpec {
  provider: LlmProvider;
  model: string;
  baseUrl: string;
  apiKey: string;
}

const FACTORIES: Record<LlmProvider, (opts: ProviderClientOptions) => LlmClient> = {
  groq: createGroqClient,
  cerebras: createCerebrasClient,
  anthropic: createAnthropicClient,
};

/**
 * Builds the provider clients in order and chains them. Each link is named after its provider
 * ("groq"), or provider:model when one provider appears twice, so fallback events stay readable.
 * A link without an API key is left out with a warning (the SDKs refuse an empty key), so a
 * deployment with only some vendors configured still starts.
 */
export function createLlmChainFromConfig(
  spec: readonly LlmLinkSpec[],
  opts: FallbackOptions & { headersTimeoutMs?: number },
): FallbackChain {
  const usable = spec.filter((link) => {
    if (link.apiKey) return true;
    opts.log.warn(
      { provider: link.provider, model: link.model },
      'llm provider has no API key; left out of the chain',
    );
    return false;
  });
  if (usable.length === 0) throw new Error('no LLM provider has an API key');
  const counts = new Map<LlmProvider, number>();
  for (const link of usable) counts.set(link.provider, (counts.get(link.provider) ?? 0) + 1);
  const links = usable.map((link) => ({
    client: FACTORIES[link.provider]({
      model: link.model,
      baseUrl: link.baseUrl,
      apiKey: link.apiKey,
      name: (counts.get(link.provider) ?? 0) > 1 ? `${link.provider}:${link.model}` : link.provider,
      headersTimeoutMs: opts.headersTimeoutMs,
      clock: opts.clock,
    }),
  }));
  return createFallbackChain(links, opts);
}
