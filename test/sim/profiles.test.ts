import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/args.js';
import { configuredProviderMs, delaysOf } from '../../bench/provider-delays.js';
import { PROFILES, profileFromEnv, withProfile } from '../../sim/profiles.js';
import { startSimStack } from '../../sim/stack.js';

describe('provider latency profiles', () => {
  it('fast is the simulators’ defaults; typical is slower on every provider', () => {
    expect(PROFILES.fast).toMatchObject({
      endpointingMs: 300,
      sttFinalDelayMs: 0,
      groq: { ttftMs: 40 },
      ttsFirstAudioMs: 60,
    });
    expect(PROFILES.typical).toMatchObject({
      sttFinalDelayMs: 100,
      groq: { ttftMs: 220, tokensPerSec: 300 },
      cerebras: { ttftMs: 200 },
      anthropic: { ttftMs: 500 },
      ttsFirstAudioMs: 90,
    });
    expect(configuredProviderMs(delaysOf('typical'))).toBeGreaterThan(configuredProviderMs(delaysOf('fast')));
  });

  it('explicit SIM_* knobs win over the profile', () => {
    const env = withProfile({ SIM_GROQ_TTFT_MS: '5', SIM_CARTESIA_TIME_TO_FIRST_AUDIO_MS: ' ' }, 'typical');
    expect(env.SIM_GROQ_TTFT_MS).toBe('5');
    expect(env.SIM_CARTESIA_TIME_TO_FIRST_AUDIO_MS).toBe('90');
    expect(env.SIM_DEEPGRAM_FINAL_DELAY_MS).toBe('100');
  });

  it('SIM_PROFILE and --profile accept only known names', () => {
    expect(profileFromEnv({})).toBe('fast');
    expect(profileFromEnv({ SIM_PROFILE: 'typical' })).toBe('typical');
    expect(() => profileFromEnv({ SIM_PROFILE: 'slow' })).toThrow(/SIM_PROFILE/);
    expect(parseBenchArgs(['--profile', 'typical']).bench.profile).toBe('typical');
    expect(parseBenchArgs([]).bench.profile).toBe('fast');
    expect(() => parseBenchArgs(['--profile', 'slow'])).toThrow(/--profile/);
  });

  it('the stack applies SIM_PROFILE to the simulators it starts', async () => {
    const stack = await startSimStack({ env: { SIM_PROFILE: 'typical' } });
    try {
      expect(stack.profile).toBe('typical');
      // The Groq simulator's reply (its first token included) takes at least the profile's TTFT.
      const started = performance.now();
      const res = await fetch(`${stack.groq.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sim-key' },
        body: JSON.stringify({
          model: 'llama-3.3-70b-versatile',
          stream: true,
          messages: [{ role: 'user', content: 'hello' }],
        }),
      });
      const body = await res.text();
      expect(res.status).toBe(200);
      expect(body).toContain('[DONE]');
      expect(performance.now() - started).toBeGreaterThanOrEqual(PROFILES.typical.groq.ttftMs - 5);
    } finally {
      await stack.close();
    }
  });
});
