import type { CallDeps } from './call/call-session.js';
import type { Config } from './config.js';

/** The parts of every call's dependencies that are plain settings from the config. */
export function callSettings(
  config: Config,
): Pick<
  CallDeps,
  | 'sttOptions'
  | 'sttLanguage'
  | 'ttsModelId'
  | 'defaultVoices'
  | 'llmOptions'
  | 'bargeIn'
  | 'turnEnd'
  | 'ttsWatchdogs'
> {
  return {
    sttOptions: {
      model: config.DEEPGRAM_MODEL,
      interimResults: true,
      endpointingMs: config.DEEPGRAM_ENDPOINTING_MS,
      utteranceEndMs: config.DEEPGRAM_UTTERANCE_END_MS,
      vadEvents: true,
      smartFormat: true,
      keyterms: config.DEEPGRAM_KEYTERMS,
      flux: {
        ...(config.DEEPGRAM_EAGER_EOT_THRESHOLD === 'off'
          ? {}
          : { eagerEotThreshold: config.DEEPGRAM_EAGER_EOT_THRESHOLD }),
        eotThreshold: config.DEEPGRAM_EOT_THRESHOLD,
        eotTimeoutMs: config.DEEPGRAM_EOT_TIMEOUT_MS,
      },
    },
    sttLanguage: config.DEEPGRAM_LANGUAGE,
    ttsModelId: config.CARTESIA_MODEL,
    defaultVoices: { en: config.CARTESIA_VOICE_EN, es: config.CARTESIA_VOICE_ES },
    llmOptions: { maxTokens: config.LLM_MAX_TOKENS, temperature: config.LLM_TEMPERATURE },
    ttsWatchdogs: { firstAudioMs: config.TTS_FIRST_AUDIO_TIMEOUT_MS, gapMs: config.TTS_AUDIO_GAP_TIMEOUT_MS },
    bargeIn: {
      rmsThreshold: config.BARGE_IN_RMS,
      minSpeechMs: config.BARGE_IN_MIN_MS,
      echoRatio: config.BARGE_IN_ECHO_RATIO,
    },
    turnEnd: {
      eagerSilenceMs: config.TURN_EAGER_SILENCE_MS,
      finalizeSilenceMs: config.TURN_FINALIZE_SILENCE_MS,
      incompleteHoldMs: config.TURN_INCOMPLETE_HOLD_MS,
      // Flux decides turns itself (EagerEndOfTurn); with Nova-3 the runtime estimates them.
      estimate: config.SPECULATIVE_REPLIES && !config.DEEPGRAM_MODEL.startsWith('flux'),
    },
  };
}
