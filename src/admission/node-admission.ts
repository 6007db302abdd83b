import type client from 'prom-client';
import type { Config } from '../config.js';
import { Admission } from './admission.js';
import { ProviderCapacity } from './provider-capacity.js';

export interface NodeLoad {
  /** Calls running now, every transport (Free-tier Twilio calls included). */
  inProgress(): number;
  /** Calls admitted and not yet connected (FastAGI registrations, Twilio streams not yet open). */
  pending(): number;
  draining(): boolean;
}

/**
 * One process's admission: MAX_CALLS over every transport, event-loop shedding, drain, and the speech
 * providers' capacity counted by wrapping the adapters (`capacity.countStt/countTts`).
 */
export function createNodeAdmission(
  config: Pick<
    Config,
    'MAX_CALLS' | 'MAX_EVENT_LOOP_DELAY_MS' | 'DEEPGRAM_MAX_STREAMS' | 'CARTESIA_MAX_CONCURRENCY'
  >,
  registry: client.Registry,
  load: NodeLoad,
): { admission: Admission; capacity: ProviderCapacity } {
  const capacity = new ProviderCapacity(
    { sttStreams: config.DEEPGRAM_MAX_STREAMS, ttsContexts: config.CARTESIA_MAX_CONCURRENCY },
    registry,
  );
  const admission = new Admission({
    load: () => load.inProgress() + load.pending(),
    maxCalls: config.MAX_CALLS,
    maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS,
    registry,
    draining: load.draining,
    providersHaveRoom: () => capacity.hasRoom(load.pending()),
  });
  return { admission, capacity };
}
