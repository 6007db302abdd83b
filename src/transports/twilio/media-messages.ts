import { z } from 'zod';

/**
 * Twilio -> server messages on a bidirectional Media Stream, validated at the edge. Every message is
 * one JSON object in a text frame with an `event` field; numbers inside are strings of digits.
 */

/** 20 ms of 8 kHz mu-law: the size of every inbound `media` chunk Twilio sends. */
export const MEDIA_CHUNK_BYTES = 160;

const digits = z.string().regex(/^\d{1,12}$/);
const sid = z.string().min(1).max(64);
// Strict base64 (Buffer.from would silently skip junk): whole 4-character groups, padding at the end.
const base64 = z
  .string()
  .max(4096)
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'not base64');

const connected = z.object({ event: z.literal('connected') }).passthrough();

const start = z.object({
  event: z.literal('start'),
  sequenceNumber: digits.optional(),
  streamSid: sid,
  start: z.object({
    streamSid: sid,
    accountSid: sid,
    callSid: sid,
    tracks: z.array(z.string().max(32)).max(4).optional(),
    customParameters: z.record(z.string().max(64), z.string().max(256)).default({}),
    mediaFormat: z.object({
      encoding: z.literal('audio/x-mulaw'),
      sampleRate: z.literal(8000),
      channels: z.literal(1),
    }),
  }),
});

const media = z.object({
  event: z.literal('media'),
  sequenceNumber: digits.optional(),
  streamSid: sid,
  media: z.object({
    track: z.string().max(32).optional(),
    chunk: digits.optional(),
    timestamp: digits.optional(),
    payload: base64,
  }),
});

const dtmf = z.object({
  event: z.literal('dtmf'),
  sequenceNumber: digits.optional(),
  streamSid: sid,
  dtmf: z.object({ track: z.string().max(32).optional(), digit: z.string().regex(/^[0-9*#A-D]$/) }),
});

const mark = z.object({
  event: z.literal('mark'),
  sequenceNumber: digits.optional(),
  streamSid: sid,
  mark: z.object({ name: z.string().min(1).max(64) }),
});

const stop = z.object({
  event: z.literal('stop'),
  sequenceNumber: digits.optional(),
  streamSid: sid,
  stop: z.object({ accountSid: sid.optional(), callSid: sid.optional() }).optional(),
});

const message = z.discriminatedUnion('event', [connected, start, media, dtmf, mark, stop]);

export type StreamMessage = z.infer<typeof message>;
export type StartMessage = z.infer<typeof start>;

/** Why a frame was refused; the connection logs the first of each kind. */
export type StreamMessageError =
  | 'binary-frame'
  | 'malformed-json'
  | 'invalid-message'
  | 'bad-payload'
  | 'wrong-frame-size';

export type ParsedStreamMessage =
  | { ok: true; message: StreamMessage; audio?: Buffer }
  | { ok: false; error: StreamMessageError; detail: string };

/** Parses one WebSocket frame; for `media`, also decodes and size-checks the audio. */
export function parseStreamMessage(data: Buffer | string, isBinary: boolean): ParsedStreamMessage {
  if (isBinary) return { ok: false, error: 'binary-frame', detail: `${data.length} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch (err) {
    return { ok: false, error: 'malformed-json', detail: (err as Error).message.slice(0, 120) };
  }
  const parsed = message.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const isPayload = issue?.path.join('.') === 'media.payload';
    return {
      ok: false,
      error: isPayload ? 'bad-payload' : 'invalid-message',
      detail: `${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'invalid'}`.slice(0, 160),
    };
  }
  if (parsed.data.event !== 'media') return { ok: true, message: parsed.data };
  const audio = Buffer.from(parsed.data.media.payload, 'base64');
  if (audio.length !== MEDIA_CHUNK_BYTES) {
    return { ok: false, error: 'wrong-frame-size', detail: `${audio.length} bytes` };
  }
  return { ok: true, message: parsed.data, audio };
}
