import {
  DEFAULT_ENDPOINTING_MS,
  KNOWN_ENCODINGS,
  SUPPORTED_ENCODINGS,
  type SupportedEncoding,
} from './protocol.js';

/**
 * The /v1/listen query the simulator acts on (docs/protocols/deepgram-live.md §2a); other documented
 * parameters are accepted and ignored.
 */
export interface ListenQuery {
  model: string;
  language: string;
  encoding: SupportedEncoding;
  sampleRate: number;
  channels: number;
  interimResults: boolean;
  /** `false` when the client disabled endpointing. */
  endpointingMs: number | false;
  /** Undefined when UtteranceEnd is off. */
  utteranceEndMs: number | undefined;
  vadEvents: boolean;
  smartFormat: boolean;
  punctuate: boolean;
  keyterms: string[];
  tags: string[];
}

export type QueryParseResult =
  | { ok: true; query: ListenQuery }
  | { ok: false; errCode: 'INVALID_QUERY_PARAMETER' | 'UNSUPPORTED_BY_SIMULATOR'; errMsg: string };

class QueryError extends Error {
  constructor(
    readonly errCode: 'INVALID_QUERY_PARAMETER' | 'UNSUPPORTED_BY_SIMULATOR',
    message: string,
  ) {
    super(message);
  }
}

const NOVA_FAMILY = /^(nova-3|nova-2|nova|enhanced|base)(-[a-z0-9]+)*$/;
const LANGUAGE = /^(multi|[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*)$/;

function last(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  return all.length ? all[all.length - 1] : undefined;
}

function flag(params: URLSearchParams, name: string): boolean {
  const v = last(params, name);
  if (v === undefined) return false;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new QueryError('INVALID_QUERY_PARAMETER', `${name} must be true or false, got ${JSON.stringify(v)}`);
}

function integer(params: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const v = last(params, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new QueryError('INVALID_QUERY_PARAMETER', `${name} must be an integer in ${min}..${max}`);
  }
  return Number(v);
}

function endpointing(params: URLSearchParams): number | false {
  const v = last(params, 'endpointing');
  if (v === undefined || v === 'true') return DEFAULT_ENDPOINTING_MS;
  if (v === 'false') return false;
  return integer(params, 'endpointing', 0, 60_000) ?? DEFAULT_ENDPOINTING_MS;
}

function encoding(params: URLSearchParams): SupportedEncoding {
  const v = last(params, 'encoding');
  if (v === undefined) {
    // §2a: without `encoding` the service sniffs a container; the simulator only decodes raw audio.
    throw new QueryError(
      'UNSUPPORTED_BY_SIMULATOR',
      'the simulator needs raw audio: set encoding and sample_rate',
    );
  }
  if ((SUPPORTED_ENCODINGS as readonly string[]).includes(v)) return v as SupportedEncoding;
  if (KNOWN_ENCODINGS.has(v)) {
    throw new QueryError(
      'UNSUPPORTED_BY_SIMULATOR',
      `encoding ${v} is valid but the simulator decodes only linear16 and mulaw`,
    );
  }
  throw new QueryError('INVALID_QUERY_PARAMETER', `unknown encoding ${JSON.stringify(v)}`);
}

function parseOrThrow(params: URLSearchParams): ListenQuery {
  const model = last(params, 'model') ?? 'base';
  if (model.startsWith('flux')) {
    throw new QueryError('INVALID_QUERY_PARAMETER', `model ${model} is only served on /v2/listen`);
  }
  if (!NOVA_FAMILY.test(model))
    throw new QueryError('INVALID_QUERY_PARAMETER', `unknown model ${JSON.stringify(model)}`);
  const keywords = params.getAll('keywords').filter((k) => k.trim() !== '');
  if (model.startsWith('nova-3') && keywords.length > 0) {
    // §2a: rejected at the handshake; the SDK's own message.
    throw new QueryError(
      'INVALID_QUERY_PARAMETER',
      'Keywords are not supported for Nova-3. Please use `keyterm` instead.',
    );
  }
  const language = last(params, 'language') ?? 'en';
  if (!LANGUAGE.test(language))
    throw new QueryError('INVALID_QUERY_PARAMETER', `bad language ${JSON.stringify(language)}`);
  const enc = encoding(params);
  const sampleRate = integer(params, 'sample_rate', 8000, 48_000);
  if (sampleRate === undefined)
    throw new QueryError('INVALID_QUERY_PARAMETER', 'sample_rate is required with encoding');
  return {
    model,
    language,
    encoding: enc,
    sampleRate,
    channels: integer(params, 'channels', 1, 8) ?? 1,
    interimResults: flag(params, 'interim_results'),
    endpointingMs: endpointing(params),
    utteranceEndMs: integer(params, 'utterance_end_ms', 1, 60_000),
    vadEvents: flag(params, 'vad_events'),
    smartFormat: flag(params, 'smart_format'),
    punctuate: flag(params, 'punctuate'),
    keyterms: params.getAll('keyterm'),
    tags: params.getAll('tag'),
  };
}

/** Validates a /v1/listen query; every failure is a handshake 400 (§5 item 11), never a thrown error. */
export function parseListenQuery(params: URLSearchParams): QueryParseResult {
  try {
    return { ok: true, query: parseOrThrow(params) };
  } catch (err) {
    if (err instanceof QueryError) return { ok: false, errCode: err.errCode, errMsg: err.message };
    throw err;
  }
}
