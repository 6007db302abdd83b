import type { Clock } from '../../clock.js';
import type { LlmEvent } from './types.js';

/** The `first-token` event every adapter emits once: time to first token from the request's start. */
export function firstTokenEvent(opts: {
  provider: string;
  model: string;
  clock: Clock;
  startedAt: number;
}): LlmEvent {
  return {
    type: 'first-token',
    provider: opts.provider,
    model: opts.model,
    ttftMs: opts.clock.now() - opts.startedAt,
  };
}
