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
  /** Where `<PREFIX>_*` variables are read; default process.env. */
  env?: KnobEnv;
}

export interface SimDefaults extends SimKnobs {
  port: number;
}

export function resolveSimConfig(prefix: string, opts: LlmSimOptions, defaults: SimDefaults) {
  const env = opts.env ?? process.env;
  const toolCalls = knob(opts.toolCalls, `${prefix}_TOOL_CALLS`, defaults.toolCalls, env);
  if (toolCalls !== 'whole' && toolCalls !== 'split') {
    throw new Error(`${prefix}_TOOL_CALLS must be "whole" or "split", not ${JSON.stringify(toolCalls)}`);
  }
  const knobs: SimKnobs = {
    ttftMs: knob(opts.ttftMs, `${prefix}_TTFT_MS`, defaults.ttftMs, env),
    tokensPerSec: knob(opts.tokensPerSec, `${prefix}_TOKENS_PER_SEC`, defaults.tokensPerSec, env),
    toolCalls,
  };
  if (!(knobs.ttftMs >= 0)) throw new Error(`${prefix}_TTFT_MS must be >= 0`);
  if (!(knobs.tokensPerSec > 0)) throw new Error(`${prefix}_TOKENS_PER_SEC must be > 0`);
  const faults =
    opts.faults === undefined
      ? faultsFromEnv(`${prefix}_FAULTS`, env)
      : (Array.isArray(opts.faults) ? opts.faults : [opts.faults]).map((f) => faultSchema.parse(f));
  return {
    host: opts.host ?? '127.0.0.1',
    port: knob(opts.port, `${prefix}_PORT`, defaults.port, env),
    knobs,
    faults,
  };
}
