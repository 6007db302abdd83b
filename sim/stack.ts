import type { Logger } from '../src/log.js';
import type { CallerLine } from './caller/script.js';
import { type CartesiaSim, type CartesiaSimOptions, startCartesiaSim } from './cartesia/index.js';
import { type DeepgramSim, type DeepgramSimOptions, startDeepgramSim } from './deepgram/index.js';
import type { KnobEnv } from './knobs.js';
import {
  type LlmSim,
  type LlmSimOptions,
  startAnthropicSim,
  startCerebrasSim,
  startGroqSim,
} from './llm/index.js';
import { type ProfileName, profileFromEnv, withProfile } from './profiles.js';

export interface SimStackOptions {
  host?: string;
  /** Fixed ports for `npm run sim`; 0 (default) picks free ones. */
  ports?: Partial<Record<'deepgram' | 'groq' | 'cerebras' | 'anthropic' | 'cartesia', number>>;
  script?: readonly CallerLine[] | string;
  deepgram?: Partial<DeepgramSimOptions>;
  groq?: LlmSimOptions;
  cerebras?: LlmSimOptions;
  anthropic?: LlmSimOptions;
  cartesia?: Partial<CartesiaSimOptions>;
  log?: Logger;
  /** Provider latency profile; default SIM_PROFILE, else `fast`. Explicit SIM_* knobs still win. */
  profile?: ProfileName;
  /** Where SIM_* knobs are read (default process.env). */
  env?: KnobEnv;
}

export interface SimStack {
  profile: ProfileName;
  deepgram: DeepgramSim;
  groq: LlmSim;
  cerebras: LlmSim;
  anthropic: LlmSim;
  cartesia: CartesiaSim;
  /** Environment that points callchart at these simulators (base URLs and placeholder keys). */
  env: Record<string, string>;
  close(): Promise<void>;
}

const SIM_KEY = 'sim-key';

/** Every provider simulator, each on its own loopback port, speaking its vendor's wire protocol. */
export async function startSimStack(opts: SimStackOptions = {}): Promise<SimStack> {
  const host = opts.host ?? '127.0.0.1';
  const p = opts.ports ?? {};
  const baseEnv = opts.env ?? process.env;
  const profile = opts.profile ?? profileFromEnv(baseEnv);
  const env = withProfile(baseEnv, profile);
  const [deepgram, groq, cerebras, anthropic, cartesia] = await Promise.all([
    startDeepgramSim({
      host,
      port: p.deepgram ?? 0,
      ...(opts.script ? { script: opts.script } : {}),
      ...(opts.log ? { log: opts.log } : {}),
      env,
      ...opts.deepgram,
    }),
    startGroqSim({ host, port: p.groq ?? 0, env, ...opts.groq }),
    startCerebrasSim({ host, port: p.cerebras ?? 0, env, ...opts.cerebras }),
    startAnthropicSim({ host, port: p.anthropic ?? 0, env, ...opts.anthropic }),
    startCartesiaSim({
      host,
      port: p.cartesia ?? 0,
      ...(opts.log ? { log: opts.log } : {}),
      env,
      ...opts.cartesia,
    }),
  ]);
  return {
    profile,
    deepgram,
    groq,
    cerebras,
    anthropic,
    cartesia,
    env: {
      DEEPGRAM_BASE_URL: deepgram.url,
      DEEPGRAM_API_KEY: SIM_KEY,
      GROQ_BASE_URL: groq.url,
      GROQ_API_KEY: SIM_KEY,
      CEREBRAS_BASE_URL: cerebras.url,
      CEREBRAS_API_KEY: SIM_KEY,
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_API_KEY: SIM_KEY,
      CARTESIA_BASE_URL: cartesia.url,
      CARTESIA_API_KEY: SIM_KEY,
    },
    async close() {
      await Promise.allSettled([
        deepgram.close(),
        groq.close(),
        cerebras.close(),
        anthropic.close(),
        cartesia.close(),
      ]);
    },
  };
}
