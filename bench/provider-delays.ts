/**
 * The fixed provider latencies of a bench run. The bench sets them on the simulators (so a stray
 * SIM_* variable in the shell cannot change them) and the floor server waits exactly as long, so
 * callchart and the floor face the same providers.
 */
export interface ProviderDelays {
  /** Silence that ends an utterance: callchart's DEEPGRAM_ENDPOINTING_MS, the floor's endpointer. */
  endpointingMs: number;
  /** Deepgram simulator: extra time from the end of the silence to the final. */
  sttFinalDelayMs: number;
  /** Groq simulator: request to first token. */
  llmTtftMs: number;
  /** Cartesia simulator: first text to first audio. */
  ttsFirstAudioMs: number;
}

export const DEFAULT_PROVIDER_DELAYS: ProviderDelays = {
  endpointingMs: 300,
  sttFinalDelayMs: 0,
  llmTtftMs: 40,
  ttsFirstAudioMs: 60,
};

/** What one turn costs in provider time as configured: endpointing + STT final + TTFT + TTFA. */
export function configuredProviderMs(d: ProviderDelays): number {
  return d.endpointingMs + d.sttFinalDelayMs + d.llmTtftMs + d.ttsFirstAudioMs;
}

export function simulatorEnv(d: ProviderDelays): Record<string, string> {
  return {
    SIM_DEEPGRAM_FINAL_DELAY_MS: String(d.sttFinalDelayMs),
    SIM_GROQ_TTFT_MS: String(d.llmTtftMs),
    SIM_CARTESIA_TIME_TO_FIRST_AUDIO_MS: String(d.ttsFirstAudioMs),
  };
}
