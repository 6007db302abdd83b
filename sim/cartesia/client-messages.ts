import { z } from 'zod';
import {
  EMOTIONS,
  ENCODINGS,
  type Encoding,
  MAX_BUFFER_DELAY_LIMIT_MS,
  MAX_TRANSCRIPT_CHARS,
  SAMPLE_RATES,
  type SampleRate,
  SPEED_RANGE,
  VOLUME_RANGE,
} from './protocol.js';
import type { SimError } from './server-messages.js';

/**
 * One generation input, normalised (docs/protocols/cartesia-tts.md §2a): voice reduced to its id, nullable
 * flags to booleans.
 */
export interface GenerationInput {
  contextId: string;
  modelId: string;
  transcript: string;
  voiceId: string;
  encoding: Encoding;
  sampleRate: SampleRate;
  continue: boolean;
  flush: boolean;
  language?: string;
  locale?: string;
  addTimestamps: boolean;
  maxBufferDelayMs?: number;
  speed?: number;
  volume?: number;
  emotion?: string;
}

export type ClientMessage =
  | { kind: 'generate'; input: GenerationInput }
  | { kind: 'cancel'; contextId: string };

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: SimError; contextId?: string };

/** §2a: accept `{mode:"id", id}`, `{id}` and a bare id string. Other modes (legacy embeddings) are refused. */
const voiceSchema = z.union([
  z.string().min(1),
  z.looseObject({ mode: z.literal('id').optional(), id: z.string().min(1) }).transform((v) => v.id),
]);

const rawFormatSchema = z.object({
  container: z.literal('raw'),
  encoding: z.enum(ENCODINGS),
  sample_rate: z.literal(SAMPLE_RATES),
});

/** §2a deprecated `speed` enum, mapped onto the Sonic-3 multiplier so old clients still hear a difference. */
const LEGACY_SPEED = { slow: 0.8, normal: 1, fast: 1.25 } as const;

const generationFields = {
  model_id: z.string().min(1),
  transcript: z.string().max(MAX_TRANSCRIPT_CHARS),
  voice: voiceSchema,
  language: z.string().min(2).max(16).nullish(),
  locale: z.string().min(2).max(16).nullish(),
  add_timestamps: z.boolean().nullish(),
  add_phoneme_timestamps: z.boolean().nullish(),
  use_normalized_timestamps: z.boolean().nullish(),
  generation_config: z
    .looseObject({
      speed: z.number().min(SPEED_RANGE[0]).max(SPEED_RANGE[1]).optional(),
      volume: z.number().min(VOLUME_RANGE[0]).max(VOLUME_RANGE[1]).optional(),
      emotion: z
        .string()
        .refine((e) => EMOTIONS.has(e), { message: 'unknown emotion' })
        .optional(),
    })
    .nullish(),
  speed: z.enum(['slow', 'normal', 'fast']).nullish(),
  // Accepted and ignored (§2a).
  pronunciation_dict_id: z.string().nullish(),
  normalization: z.unknown().optional(),
  duration: z.number().nullish(),
};

const websocketGenerationSchema = z.looseObject({
  ...generationFields,
  output_format: rawFormatSchema,
  context_id: z.string().min(1).max(256),
  continue: z.boolean().nullish(),
  flush: z.boolean().nullish(),
  max_buffer_delay_ms: z.number().int().min(0).max(MAX_BUFFER_DELAY_LIMIT_MS).nullish(),
});

const cancelSchema = z.looseObject({ context_id: z.string().min(1).max(256), cancel: z.literal(true) });

/** §5: `/tts/bytes` also allows a `wav` container; `mp3` would need an encoder the simulator does not have. */
const httpGenerationSchema = z.looseObject({
  ...generationFields,
  output_format: z.object({
    container: z.enum(['raw', 'wav']),
    encoding: z.enum(ENCODINGS),
    sample_rate: z.literal(SAMPLE_RATES),
  }),
  context_id: z.string().min(1).max(256).nullish(),
});

export interface HttpGenerationInput extends Omit<GenerationInput, 'continue' | 'flush' | 'contextId'> {
  contextId?: string;
  container: 'raw' | 'wav';
}

function invalid(message: string, title = 'Invalid request', code = 'invalid_request'): SimError {
  return { status: 400, title, message, code };
}

function describeIssues(error: z.ZodError): SimError {
  const first = error.issues[0];
  const where = first?.path.join('.') ?? '';
  const text = error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`)
    .join('; ');
  if (where.startsWith('output_format'))
    return invalid(text, 'Invalid output format', 'invalid_output_format');
  if (where.startsWith('generation_config')) return invalid(text, 'Invalid generation config');
  return invalid(text);
}

/** Reads a context_id from anything, so even a rejected message's error names its context (§3f). */
function contextIdOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as Record<string, unknown>)['context_id'];
  return typeof id === 'string' && id.length > 0 && id.length <= 256 ? id : undefined;
}

type CommonParsed = z.infer<typeof websocketGenerationSchema> | z.infer<typeof httpGenerationSchema>;

function commonFields(
  p: CommonParsed,
): Omit<GenerationInput, 'continue' | 'flush' | 'contextId' | 'sampleRate'> {
  const speed = p.generation_config?.speed ?? (p.speed ? LEGACY_SPEED[p.speed] : undefined);
  return {
    modelId: p.model_id,
    transcript: p.transcript,
    voiceId: p.voice,
    encoding: p.output_format.encoding,
    addTimestamps: p.add_timestamps === true,
    ...(p.language ? { language: p.language } : {}),
    ...(p.locale ? { locale: p.locale } : {}),
    ...(speed === undefined ? {} : { speed }),
    ...(p.generation_config?.volume === undefined ? {} : { volume: p.generation_config.volume }),
    ...(p.generation_config?.emotion === undefined ? {} : { emotion: p.generation_config.emotion }),
  };
}

/** §4 item 9: only one of language / locale. */
function bothLanguageAndLocale(p: CommonParsed): boolean {
  return Boolean(p.language) && Boolean(p.locale);
}

/**
 * Validates one WebSocket text frame (§2). Never throws: anything malformed comes back as the
 * error the service would send, and the socket stays open (§4 item 9).
 */
export function parseClientMessage(text: string): ParseResult<ClientMessage> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: invalid('Message is not valid JSON', 'Invalid JSON', 'invalid_json') };
  }
  const contextId = contextIdOf(json);
  const failed = (error: SimError): ParseResult<ClientMessage> =>
    contextId === undefined ? { ok: false, error } : { ok: false, error, contextId };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return failed(invalid('Message must be a JSON object'));
  }
  if ('cancel' in json) {
    const cancel = cancelSchema.safeParse(json);
    if (!cancel.success) return failed(describeIssues(cancel.error));
    return { ok: true, value: { kind: 'cancel', contextId: cancel.data.context_id } };
  }
  const parsed = websocketGenerationSchema.safeParse(json);
  if (!parsed.success) return failed(describeIssues(parsed.error));
  const p = parsed.data;
  if (bothLanguageAndLocale(p)) return failed(invalid('Only one of language and locale may be set'));
  const input: GenerationInput = {
    ...commonFields(p),
    contextId: p.context_id,
    sampleRate: p.output_format.sample_rate,
    continue: p.continue === true,
    flush: p.flush === true,
    ...(p.max_buffer_delay_ms == null ? {} : { maxBufferDelayMs: p.max_buffer_delay_ms }),
  };
  return { ok: true, value: { kind: 'generate', input } };
}

/** Validates a `/tts/bytes` or `/tts/sse` body (§5). `allowWav` is true only for bytes. */
export function parseHttpRequest(json: unknown, allowWav: boolean): ParseResult<HttpGenerationInput> {
  const parsed = httpGenerationSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
  const p = parsed.data;
  if (bothLanguageAndLocale(p))
    return { ok: false, error: invalid('Only one of language and locale may be set') };
  if (p.output_format.container === 'wav' && !allowWav) {
    return {
      ok: false,
      error: invalid('SSE output must be raw', 'Invalid output format', 'invalid_output_format'),
    };
  }
  return {
    ok: true,
    value: {
      ...commonFields(p),
      sampleRate: p.output_format.sample_rate,
      container: p.output_format.container,
      ...(p.context_id ? { contextId: p.context_id } : {}),
    },
  };
}
