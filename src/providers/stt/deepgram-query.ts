import type { SttOptions } from './types.js';

/**
 * Listen v1 query parameters as the SDK's `connect()` takes them (§2a of docs/protocols/deepgram-live.md).
 */
export interface ListenV1Query {
  model: string;
  language: string;
  encoding: 'linear16' | 'mulaw';
  sample_rate: number;
  channels: number;
  /** The SDK types flags as strings; on the wire they are `true` / `false` either way (§7). */
  interim_results: 'true' | 'false';
  endpointing: number | 'false';
  utterance_end_ms?: number;
  vad_events: 'true' | 'false';
  smart_format: 'true' | 'false';
  punctuate: 'true' | 'false';
  /** Repeated on the wire: `keyterm=a&keyterm=b`. */
  keyterm?: string[];
}

const flag = (on: boolean): 'true' | 'false' => (on ? 'true' : 'false');

/**
 * Maps the product's STT options onto the query. UtteranceEnd needs `interim_results=true` (§2a), so
 * interims are requested whenever it is on; the adapter drops them if the caller did not ask for them.
 */
export function toListenV1Query(options: SttOptions): ListenV1Query {
  const utteranceEnd = options.utteranceEndMs > 0;
  const keyterms = options.keyterms.map((k) => k.trim()).filter((k) => k !== '');
  return {
    model: options.model,
    language: options.language,
    encoding: options.encoding,
    sample_rate: options.sampleRate,
    channels: 1,
    interim_results: flag(options.interimResults || utteranceEnd),
    endpointing: options.endpointingMs > 0 ? options.endpointingMs : 'false',
    ...(utteranceEnd ? { utterance_end_ms: options.utteranceEndMs } : {}),
    vad_events: flag(options.vadEvents),
    smart_format: flag(options.smartFormat),
    punctuate: flag(options.smartFormat),
    ...(keyterms.length ? { keyterm: keyterms } : {}),
  };
}
