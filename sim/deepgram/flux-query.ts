import { KNOWN_ENCODINGS, SUPPORTED_ENCODINGS, type SupportedEncoding } from './protocol.js';
import type { QueryParseResult } from './query.js';

/** The /v2/listen (Flux) query the simulator acts on (§2b); other documented parameters are accepted and ignored. */
export interface FluxQuery {
  model: 'flux-general-en' | 'flux-general-multi';
  encoding: SupportedEncoding;
  sampleRate: number;
  /** Unset: no EagerEndOfTurn / TurnResumed. */
  eagerEotThreshold: number | undefined;
  eotThreshold: number;
  eotTimeoutMs: number;
  keyterms: string[];
  languageHints: string[];
  tags: string[];
}

/** §2b defaults and ranges. */
export const FLUX_DEFAULTS = { eotThreshold: 0.7, eotTimeoutMs: 5000 } as const;
export const FLUX_RANGES = {
  eagerEotThreshold: [0.3, 0.9],
  eotThreshold: [0.5, 1],
  eotTimeoutMs: [500, 60_000],
} as const;
const FLUX_SAMPLE_RATES = new Set([8000, 16000, 24000, 44100, 48000]);
const FLUX_MODELS = new Set(['flux-general-en', 'flux-general-multi']);

type Fail = Extract<QueryParseResult, { ok: false }>;
type FluxParseResult = { ok: true; query: FluxQuery } | Fail;

const invalid = (errMsg: string): Fail => ({ ok: false, errCode: 'INVALID_QUERY_PARAMETER', errMsg });

function last(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  return all.length ? all[all.length - 1] : undefined;
}

function numberIn(raw: string | undefined, name: string, [min, max]: readonly [number, number]) {
  if (raw === undefined) return { value: undefined };
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    return { error: invalid(`${name} must be a number in ${min}..${max}, got ${JSON.stringify(raw)}`) };
  return { value: n };
}

/** Validates a /v2/listen query; every failure is a handshake 400 (§5 item 11), never a thrown error. */
export function parseFluxQuery(params: URLSearchParams): FluxParseResult {
  const model = last(params, 'model');
  if (model === undefined) return invalid('model is required');
  if (!FLUX_MODELS.has(model)) return invalid(`model ${JSON.stringify(model)} is not served on /v2/listen`);
  const encoding = last(params, 'encoding');
  if (encoding === undefined)
    return {
      ok: false,
      errCode: 'UNSUPPORTED_BY_SIMULATOR',
      errMsg: 'the simulator needs raw audio: set encoding and sample_rate',
    };
  if (!(SUPPORTED_ENCODINGS as readonly string[]).includes(encoding)) {
    return KNOWN_ENCODINGS.has(encoding)
      ? {
          ok: false,
          errCode: 'UNSUPPORTED_BY_SIMULATOR',
          errMsg: `encoding ${encoding} is valid but the simulator decodes only linear16 and mulaw`,
        }
      : invalid(`unknown encoding ${JSON.stringify(encoding)}`);
  }
  const sampleRate = Number(last(params, 'sample_rate'));
  if (!FLUX_SAMPLE_RATES.has(sampleRate))
    return invalid(`sample_rate must be one of ${[...FLUX_SAMPLE_RATES].join(', ')}`);
  const eager = numberIn(
    last(params, 'eager_eot_threshold'),
    'eager_eot_threshold',
    FLUX_RANGES.eagerEotThreshold,
  );
  const eot = numberIn(last(params, 'eot_threshold'), 'eot_threshold', FLUX_RANGES.eotThreshold);
  const timeout = numberIn(last(params, 'eot_timeout_ms'), 'eot_timeout_ms', FLUX_RANGES.eotTimeoutMs);
  for (const r of [eager, eot, timeout]) if ('error' in r && r.error) return r.error;
  const languageHints = params.getAll('language_hint');
  if (languageHints.some((h) => h.trim() === '')) return invalid('language_hint must not be empty');
  if (languageHints.length && model !== 'flux-general-multi')
    return invalid('language_hint is only for flux-general-multi');
  return {
    ok: true,
    query: {
      model: model as FluxQuery['model'],
      encoding: encoding as SupportedEncoding,
      sampleRate,
      eagerEotThreshold: eager.value,
      eotThreshold: eot.value ?? FLUX_DEFAULTS.eotThreshold,
      eotTimeoutMs: Math.round(timeout.value ?? FLUX_DEFAULTS.eotTimeoutMs),
      keyterms: params.getAll('keyterm'),
      languageHints,
      tags: params.getAll('tag'),
    },
  };
}
