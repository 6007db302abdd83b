import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { LlmClient } from '../providers/llm/types.js';
import { DeepgramPrerecordedStt } from '../providers/stt/deepgram-prerecorded.js';
import { CartesiaBytesSynth } from '../providers/tts/cartesia-bytes.js';
import type { RespondDeps } from './respond.js';
import type { TenantLookup } from './tenant-lookup.js';

/**
 * The one-shot pipeline's adapters from the same settings as calls: the same Deepgram and Cartesia
 * keys and base URLs, model, voices and LLM options. The LLM chain is passed in (the server shares
 * its calls' chain).
 */
export function respondDepsFromConfig(
  config: Config,
  log: Logger,
  parts: { llm: LlmClient; tenants: TenantLookup },
): RespondDeps {
  const timeoutMs = config.RESPOND_TIMEOUT_MS;
  return {
    stt: new DeepgramPrerecordedStt({
      apiKey: config.DEEPGRAM_API_KEY,
      baseUrl: config.DEEPGRAM_BASE_URL,
      timeoutMs,
    }),
    sttOptions: { model: config.DEEPGRAM_MODEL, smartFormat: true, keyterms: config.DEEPGRAM_KEYTERMS },
    sttLanguage: config.DEEPGRAM_LANGUAGE,
    llm: parts.llm,
    llmOptions: { maxTokens: config.LLM_MAX_TOKENS, temperature: config.LLM_TEMPERATURE },
    tts: new CartesiaBytesSynth({
      apiKey: config.CARTESIA_API_KEY,
      baseURL: config.CARTESIA_BASE_URL,
      timeoutMs,
    }),
    ttsModelId: config.CARTESIA_MODEL,
    defaultVoices: { en: config.CARTESIA_VOICE_EN, es: config.CARTESIA_VOICE_ES },
    tenants: parts.tenants,
    log,
  };
}
