import { z } from 'zod';
import type { SttEvent } from './types.js';

/**
 * docs/protocols/deepgram-live.md §4a-4d: only the fields the adapter reads; anything else in a frame is
 * ignored.
 */
const resultsSchema = z.object({
  type: z.literal('Results'),
  start: z.number(),
  duration: z.number(),
  is_final: z.boolean().optional(),
  speech_final: z.boolean().optional(),
  from_finalize: z.boolean().optional(),
  channel: z.object({ alternatives: z.array(z.object({ transcript: z.string() })) }),
});
const speechStartedSchema = z.object({ type: z.literal('SpeechStarted'), timestamp: z.number() });
const utteranceEndSchema = z.object({ type: z.literal('UtteranceEnd'), last_word_end: z.number() });
const metadataSchema = z.object({
  type: z.literal('Metadata'),
  request_id: z.string().optional(),
  duration: z.number().optional(),
});

const serverMessageSchema = z.discriminatedUnion('type', [
  resultsSchema,
  speechStartedSchema,
  utteranceEndSchema,
  metadataSchema,
]);

export type ServerMessage = z.infer<typeof serverMessageSchema>;

export type ParsedServerMessage = { ok: true; message: ServerMessage } | { ok: false; reason: string };

/** The SDK hands over parsed JSON, or the raw string when a text frame was not JSON (§4). */
export function parseServerMessage(raw: unknown): ParsedServerMessage {
  const parsed = serverMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String(raw.type) : typeof raw;
  return { ok: false, reason: `unexpected ${type} message: ${parsed.error.issues[0]?.message ?? ''}` };
}

export interface EventMapping {
  /** Seconds of audio the service heard on earlier sockets of this session, so times never go back. */
  offsetSec: number;
  /** Interims are dropped when the caller did not ask for them (they may arrive for UtteranceEnd's sake). */
  interims: boolean;
}

/** Turns a server message into the product's event; Metadata and empty interims have none. */
export function toSttEvent(message: ServerMessage, mapping: EventMapping): SttEvent | undefined {
  switch (message.type) {
    case 'Results': {
      const text = message.channel.alternatives[0]?.transcript ?? '';
      if (!message.is_final) return mapping.interims && text !== '' ? { type: 'interim', text } : undefined;
      return {
        type: 'final',
        text,
        speechFinal: message.speech_final === true,
        fromFinalize: message.from_finalize === true,
        startSec: message.start + mapping.offsetSec,
        durationSec: message.duration,
      };
    }
    case 'SpeechStarted':
      return { type: 'speech-started', audioSec: message.timestamp + mapping.offsetSec };
    case 'UtteranceEnd':
      return { type: 'utterance-end', lastWordEndSec: message.last_word_end + mapping.offsetSec };
    case 'Metadata':
      return undefined;
  }
}
