import type { Config } from '../config.js';
import { ProviderHealth } from '../health/provider-health.js';
import type { Logger } from '../log.js';
import { createLlmChainFromConfig } from '../providers/llm/chain-from-config.js';
import { llmChainSpec } from '../providers/llm/chain-spec.js';
import type { LlmClient } from '../providers/llm/types.js';
import { DeepgramSttProvider } from '../providers/stt/deepgram.js';
import type { SttProvider } from '../providers/stt/types.js';
import { CartesiaTtsProvider } from '../providers/tts/cartesia.js';
import type { TtsProvider } from '../providers/tts/types.js';

export interface Providers {
  readonly stt: SttProvider;
  readonly tts: TtsProvider;
  readonly llm: LlmClient;
  /** Background probes of every configured vendor, for /readyz. Started here; `stop()` on close. */
  readonly health: ProviderHealth;
}

/** The speech and language vendors from the config (a test or the demo may swap any of them). */
export function providersFromConfig(
  config: Config,
  log: Logger,
  overrides: { stt?: SttProvider; tts?: TtsProvider; llm?: LlmClient },
): Providers {
  const stt =
    overrides.stt ??
    new DeepgramSttProvider({ apiKey: config.DEEPGRAM_API_KEY, baseUrl: config.DEEPGRAM_BASE_URL });
  const tts =
    overrides.tts ??
    new CartesiaTtsProvider({ apiKey: config.CARTESIA_API_KEY, baseURL: config.CARTESIA_BASE_URL });
  const llm =
    overrides.llm ??
    createLlmChainFromConfig(llmChainSpec(config), {
      firstTokenDeadlineMs: config.LLM_FIRST_TOKEN_DEADLINE_MS,
      tokenGapDeadlineMs: config.LLM_TOKEN_GAP_DEADLINE_MS,
      log,
    });
  const health = new ProviderHealth(
    [
      { name: 'stt', url: config.DEEPGRAM_BASE_URL },
      { name: 'tts', url: config.CARTESIA_BASE_URL },
      ...llmChainSpec(config)
        .filter((link) => link.apiKey)
        .map((link) => ({ name: `llm:${link.provider}`, url: link.baseUrl })),
    ],
    {
      staleMs: config.PROVIDER_STALE_SECONDS * 1000,
      probeEveryMs: config.PROVIDER_PROBE_SECONDS * 1000,
      log,
    },
  );
  void health.start();
  return { stt, tts, llm, health };
}
