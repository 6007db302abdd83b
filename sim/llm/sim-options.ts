import { z } from 'zod';
import { type KnobEnv, knob } from '../knobs.js';
import type { SimKnobs } from './completion-sim.js';
import { type Fault, faultSchema, faultsFromEnv } from './faults.js';

/** Options of `startGroqSim`, `startCerebrasSim` and `startAnthropicSim`; each falls back to env, then default. */
export interface LlmSimOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. Env `<PREFIX>_PORT`. */
  port?: number;
  /** Request arrival to first content token. Env `<PREFIX>_TTFT_MS`. */
  ttftMs?: number;
  /** Env `<PREFIX>_TOKENS_PER_SEC`. */
  tokensPerSec?: number;
  /** Tool-call arguments whole in one delta or cut into fragments. Env `<PREFIX>_TOOL_CALLS`. */
  toolCalls?: 'whole' | 'split';
  /** Faults from the first request on. Env `<PREFIX>_FAULTS` (JSON: one fault or an array). */
  faults?: Fault | Fault[];
  /**
   * Completion requests served clean before the faults start (a provider that fails mid-call).
   * Env `<PREFIX>_FAULTS_AFTER_REQUESTS`; default 0.
   */
  faultsAfterRequests?: number;
  /** Where `<PREFIX>_*` variables are read; default process.env. */
  env?: KnobEnv;
}

export interface SimDefaults extends SimKnobs {
  port: number;
}

export function resolveSimConfig(prefix: string, opts: LlmSimOptions, defaults: SimDefaults) {
  const env = opts.env ?? process.env;
  const knobs: SimKnobs = {
    ttftMs: knob(opts.ttftMs, `${prefix}_TTFT_MS`, defaults.ttftMs, env, z.number().min(0)),
    tokensPerSec: knob(
      opts.tokensPerSec,
      `${prefix}_TOKENS_PER_SEC`,
      defaults.tokensPerSec,
      env,
      z.number().positive(),
    ),
    toolCalls: knob(
      opts.toolCalls,
      `${prefix}_TOOL_CALLS`,
      defaults.toolCalls,
      env,
      z.enum(['whole', 'split']),
    ),
  };
  const faults =
    opts.faults === undefined
      ? faultsFromEnv(`${prefix}_FAULTS`, env)
      : (Array.isArray(opts.faults) ? opts.faults : [opts.faults]).map((f) => faultSchema.parse(f));
  const faultsAfterRequests = knob(
    opts.faultsAfterRequests,
    `${prefix}_FAULTS_AFTER_REQUESTS`,
    0,
    env,
    z.number().int().min(0),
  );
  return {
    host: opts.host ?? '127.0.0.1',
    port: knob(opts.port, `${prefix}_PORT`, defaults.port, env),
    knobs,
    faults,
    faultsAfterRequests,
  };
}
