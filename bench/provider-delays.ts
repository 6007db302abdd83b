import { PROFILES, type ProfileName, profileSimEnv } from '../sim/profiles.js';

/**
 * The fixed provider latencies of a bench run, from a provider profile (sim/profiles.ts). The bench
 * sets them on the simulators (so a stray SIM_* variable in the shell cannot change them) and the
 * floor server waits exactly as long, so callchart and the floor face the same providers.
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

export function delaysOf(profile: ProfileName): ProviderDelays {
  const p = PROFILES[profile];
  return {
    endpointingMs: p.endpointingMs,
    sttFinalDelayMs: p.sttFinalDelayMs,
    llmTtftMs: p.groq.ttftMs,
    ttsFirstAudioMs: p.ttsFirstAudioMs,
  };
}

export const DEFAULT_PROVIDER_DELAYS: ProviderDelays = delaysOf('fast');

/** What one turn costs in provider time as configured: endpointing + STT final + TTFT + TTFA. */
export function configuredProviderMs(d: ProviderDelays): number {
  return d.endpointingMs + d.sttFinalDelayMs + d.llmTtftMs + d.ttsFirstAudioMs;
}

/** Every simulator knob of the profile, set explicitly on the simulator process. */
export function simulatorEnv(profile: ProfileName): Record<string, string> {
  return { SIM_PROFILE: profile, ...profileSimEnv(profile) };
}
