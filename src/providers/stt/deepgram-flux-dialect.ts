import type { DeepgramClient } from '@deepgram/sdk';
import type { DeepgramSocket, DialOptions, ListenDialect } from './deepgram-dialect.js';
import { fluxToSttEvents, parseFluxMessage } from './deepgram-flux-messages.js';
import type { SttOptions } from './types.js';

type ListenV2Socket = Awaited<ReturnType<DeepgramClient['listen']['v2']['connect']>>;

/** Flux models are served only on /v2/listen (§2b). */
export function isFluxModel(model: string): boolean {
  return model.startsWith('flux-');
}

/** Listen v2 query parameters as the SDK's `connect()` takes them (§2b). */
export interface ListenV2Query {
  model: string;
  encoding: 'linear16' | 'mulaw';
  sample_rate: number;
  eager_eot_threshold?: number;
  eot_threshold: number;
  eot_timeout_ms: number;
  keyterm?: string[];
  language_hint?: string[];
}

export function toListenV2Query(options: SttOptions): ListenV2Query {
  const flux = options.flux ?? { eotThreshold: 0.7, eotTimeoutMs: 5000 };
  const keyterms = options.keyterms.map((k) => k.trim()).filter((k) => k !== '');
  // language_hint is only for the multilingual model; 'multi' means "no hint".
  const hint = options.language.split('-')[0] ?? '';
  const hinted = options.model === 'flux-general-multi' && options.language !== 'multi' && hint !== '';
  return {
    model: options.model,
    encoding: options.encoding,
    sample_rate: options.sampleRate,
    ...(flux.eagerEotThreshold !== undefined ? { eager_eot_threshold: flux.eagerEotThreshold } : {}),
    eot_threshold: flux.eotThreshold,
    eot_timeout_ms: flux.eotTimeoutMs,
    ...(keyterms.length ? { keyterm: keyterms } : {}),
    ...(hinted ? { language_hint: [hint] } : {}),
  };
}

/**
 * Flux on /v2/listen. There is no KeepAlive or Finalize message on v2 (§3b): the keep-alive is a
 * WebSocket ping (the SDK's Node-only `ping()`, missing from its socket type), and finalize is a
 * no-op because eot_timeout_ms already bounds every turn (ForceEndTurn needs server-side enablement
 * and, without it, closes the stream).
 */
export function listenV2Dialect(query: ListenV2Query): ListenDialect {
  const v2 = (socket: DeepgramSocket) => socket as unknown as ListenV2Socket & { ping?: () => void };
  return {
    api: 'v2',
    dial: (client: DeepgramClient, options: DialOptions) =>
      client.listen.v2.connect({ ...query, ...options }),
    keepAlive: (socket) => v2(socket).ping?.(),
    finalize: () => {},
    closeStream: (socket) => v2(socket).sendCloseStream({ type: 'CloseStream' }),
    toEvents(raw, mapping, log) {
      const parsed = parseFluxMessage(raw);
      if (!parsed.ok) {
        log.warn({ reason: parsed.reason }, 'deepgram: ignored Flux server message');
        return [];
      }
      const { message } = parsed;
      if (message.type === 'Connected')
        log.debug({ requestId: message.request_id }, 'deepgram: Flux connected');
      if (message.type === 'ConfigureFailure') log.warn('deepgram: Flux Configure rejected');
      return fluxToSttEvents(message, mapping);
    },
  };
}
