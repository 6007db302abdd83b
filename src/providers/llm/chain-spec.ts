import type { Config } from '../../config.js';
import type { LlmProvider } from './chain-from-config.js';

/** Where each LLM provider of the chain is reached, from the config. */
const LLM_BASE: Record<LlmProvider, (c: Config) => { baseUrl: string; apiKey: string }> = {
  groq: (c) => ({ baseUrl: c.GROQ_BASE_URL, apiKey: c.GROQ_API_KEY }),
  cerebras: (c) => ({ baseUrl: c.CEREBRAS_BASE_URL, apiKey: c.CEREBRAS_API_KEY }),
  anthropic: (c) => ({ baseUrl: c.ANTHROPIC_BASE_URL, apiKey: c.ANTHROPIC_API_KEY }),
};

/** LLM_CHAIN entries look like "groq:llama-3.3-70b-versatile". */
export function llmChainSpec(config: Config) {
  return config.LLM_CHAIN.map((entry) => {
    const [provider, ...rest] = entry.split(':');
    if (!(provider && provider in LLM_BASE) || rest.length === 0) {
      throw new Error(
        `LLM_CHAIN entry "${entry}" must be provider:model with provider groq, cerebras or anthropic`,
      );
    }
    return {
      provider: provider as LlmProvider,
      model: rest.join(':'),
      ...LLM_BASE[provider as LlmProvider](config),
    };
  });
}
