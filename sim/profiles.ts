import { type KnobEnv, knob } from './knobs.js';

/**
 * Provider latency profiles: the one place that says how slow the simulated providers are.
 * `fast` is the simulators' own defaults (the fastest the vendors get); `typical` is what the real
 * services usually take (issue 10). The simulator stack, the demo and the bench all read these.
 */
export const PROFILE_NAMES = ['fast', 'typical'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface ProviderProfile {
  /** Silence that ends an utterance: callchart's DEEPGRAM_ENDPOINTING_MS (not a simulator knob). */
  endpointingMs: number;
  /** Deepgram: from the end of the endpointing silence to the final. */
  sttFinalDelayMs: number;
  groq: { ttftMs: number; tokensPerSec: number };
  cerebras: { ttftMs: number; tokensPerSec: number };
  anthropic: { ttftMs: number; tokensPerSec: number };
  /** Cartesia: first text to first audio. */
  ttsFirstAudioMs: number;
}

export const PROFILES: Readonly<Record<ProfileName, ProviderProfile>> = {
  fast: {
    endpointingMs: 300,
    sttFinalDelayMs: 0,
    groq: { ttftMs: 40, tokensPerSec: 800 },
    cerebras: { ttftMs: 60, tokensPerSec: 2000 },
    anthropic: { ttftMs: 350, tokensPerSec: 150 },
    ttsFirstAudioMs: 60,
  },
  typical: {
    endpointingMs: 300,
    sttFinalDelayMs: 100,
    groq: { ttftMs: 220, tokensPerSec: 300 },
    cerebras: { ttftMs: 200, tokensPerSec: 2000 },
    anthropic: { ttftMs: 500, tokensPerSec: 150 },
    ttsFirstAudioMs: 90,
  },
};

export function parseProfileName(raw: string, source = 'profile'): ProfileName {
  if ((PROFILE_NAMES as readonly string[]).includes(raw)) return raw as ProfileName;
  throw new Error(`${source} must be one of ${PROFILE_NAMES.join(', ')}, got ${JSON.stringify(raw)}`);
}

/** SIM_PROFILE, default `fast`. */
export function profileFromEnv(env: KnobEnv = process.env): ProfileName {
  return parseProfileName(knob(undefined, 'SIM_PROFILE', 'fast', env), 'SIM_PROFILE');
}

/** The simulator knobs (SIM_*) a profile sets. */
export function profileSimEnv(name: ProfileName): Record<string, string> {
  const p = PROFILES[name];
  return {
    SIM_DEEPGRAM_FINAL_DELAY_MS: String(p.sttFinalDelayMs),
    SIM_GROQ_TTFT_MS: String(p.groq.ttftMs),
    SIM_GROQ_TOKENS_PER_SEC: String(p.groq.tokensPerSec),
    SIM_CEREBRAS_TTFT_MS: String(p.cerebras.ttftMs),
    SIM_CEREBRAS_TOKENS_PER_SEC: String(p.cerebras.tokensPerSec),
    SIM_ANTHROPIC_TTFT_MS: String(p.anthropic.ttftMs),
    SIM_ANTHROPIC_TOKENS_PER_SEC: String(p.anthropic.tokensPerSec),
    SIM_CARTESIA_TIME_TO_FIRST_AUDIO_MS: String(p.ttsFirstAudioMs),
  };
}

/** `env` with the profile's knobs filled in where `env` leaves them unset: explicit SIM_* values win. */
export function withProfile(env: KnobEnv, name: ProfileName): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const [k, v] of Object.entries(profileSimEnv(name))) {
    if ((env[k]?.trim() ?? '') === '') out[k] = v;
  }
  return out;
}
