import { z } from 'zod';

/**
 * The browser call's WebSocket protocol. Binary messages carry caller audio (s16le, 16 kHz mono, one
 * 20 ms frame each, though any whole number of samples up to 100 ms is taken); text messages are small
 * JSON control messages, validated here. The server sends agent audio the same way, 20 ms a message.
 */
export const SAMPLE_RATE = 16000;
export const FRAME_BYTES = 640;
/** Largest caller audio message: 100 ms. */
export const MAX_AUDIO_BYTES = 3200;
/** Largest control message. */
export const MAX_CONTROL_BYTES = 1024;

export const clientMessageSchema = z.discriminatedUnion('type', [
  /** First message: who answers (a tenant's dialled number; empty or absent for the default tenant). */
  z.strictObject({
    type: z.literal('start'),
    tenant: z
      .string()
      .max(32)
      .regex(/^[+0-9 *]*$/)
      .optional(),
    sampleRate: z.literal(SAMPLE_RATE),
  }),
  /**
   * Like Twilio's marks: total ms of agent audio the page has played out, and total ms it dropped on
   * `clear` messages (never played, never heard).
   */
  z.strictObject({
    type: z.literal('played'),
    ms: z.number().finite().min(0).max(86_400_000),
    droppedMs: z.number().finite().min(0).max(86_400_000).optional(),
  }),
  z.strictObject({ type: z.literal('dtmf'), digit: z.string().regex(/^[0-9*#]$/) }),
  z.strictObject({ type: z.literal('hangup') }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export type ServerMessage =
  | { type: 'ready'; callId: string; sampleRate: number; frameBytes: number }
  /** Drop every agent frame not yet played (barge-in). */
  | { type: 'clear' }
  | { type: 'hangup'; cause: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Validates one control message (text frame). */
export function parseClientMessage(text: string): Parsed<ClientMessage> {
  if (Buffer.byteLength(text) > MAX_CONTROL_BYTES) return { ok: false, error: 'control message too large' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'control message is not JSON' };
  }
  const parsed = clientMessageSchema.safeParse(raw);
  if (!parsed.success)
    return { ok: false, error: `invalid control message: ${parsed.error.issues[0]?.message}` };
  return { ok: true, value: parsed.data };
}

/** Validates one audio message (binary frame): whole 16-bit samples, at most 100 ms. */
export function checkAudio(data: Buffer): string | null {
  if (data.length === 0) return 'empty audio message';
  if (data.length > MAX_AUDIO_BYTES) return 'audio message longer than 100 ms';
  if (data.length % 2 !== 0) return 'audio message is not whole 16-bit samples';
  return null;
}
