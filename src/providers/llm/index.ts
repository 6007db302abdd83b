/** LLM providers behind the LlmClient interface, and the fallback chain over them. */
export { createAnthropicClient } from './anthropic.js';
export { createCerebrasClient } from './cerebras.js';
export { createLlmChainFromConfig, type LlmLinkSpec, type LlmProvider } from './chain-from-config.js';
export type { ProviderClientOptions } from './client-options.js';
export { createFallbackChain, type FallbackLink, type FallbackOptions } from './fallback.js';
export { createGroqClient } from './groq.js';
export * from './types.js';
