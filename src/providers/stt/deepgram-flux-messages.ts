import { z } from 'zod';
import type { EventMapping } from './deepgram-messages.js';
import type { SttEvent } from './types.js';

/** §4e: only the fields the adapter reads; `event` and `type` are open enums, so unknown values pass. */
const turnInfoSchema = z.object({
  type: z.literal('TurnInfo'),
  event: z.string(),
  turn_index: z.number(),
  audio_window_start: z.number(),
  transcript: z.string(),
  words: z.array(z.object({ start: z.number().optional() })).default([]),
  end_of_turn_confidence: z.number(),
});
const errorSchema = z.object({
  type: z.literal('Error'),
  code: z.string(),
  description: z.string().optional(),
});
const otherSchema = z.object({
  type: z.enum(['Connected', 'ConfigureSuccess', 'ConfigureFailure']),
  request_id: z.string().optional(),
});

const fluxMessageSchema = z.discriminatedUnion('type', [turnInfoSchema, errorSchema, otherSchema]);

export type FluxMessage = z.infer<typeof fluxMessageSchema>;

export type ParsedFluxMessage = { ok: true; message: FluxMessage } | { ok: false; reason: string };

export function parseFluxMessage(raw: unknown): ParsedFluxMessage {
  const parsed = fluxMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String(raw.type) : typeof raw;
  return { ok: false, reason: `unexpected ${type} message: ${parsed.error.issues[0]?.message ?? ''}` };
}

/**
 * A Flux message as the product's events. StartOfTurn is also `speech-started` (barge-in listens for
 * it) and Update is `interim`; the turn events carry the whole turn's transcript. The rest has none.
 */
export function fluxToSttEvents(message: FluxMessage, mapping: EventMapping): SttEvent[] {
  if (message.type === 'Error') {
    // The server closes after it; the session's redial handles that close.
    const detail = message.description ? `: ${message.description}` : '';
    return [
      { type: 'error', error: new Error(`Deepgram Flux error ${message.code}${detail}`), fatal: false },
    ];
  }
  if (message.type !== 'TurnInfo') return [];
  const text = message.transcript;
  const confidence = message.end_of_turn_confidence;
  switch (message.event) {
    case 'StartOfTurn': {
      const onset = message.words[0]?.start ?? message.audio_window_start;
      return [{ type: 'turn-started' }, { type: 'speech-started', audioSec: onset + mapping.offsetSec }];
    }
    case 'Update':
      return mapping.interims && text !== '' ? [{ type: 'interim', text }] : [];
    case 'EagerEndOfTurn':
      return [{ type: 'eager-end-of-turn', text, confidence }];
    case 'TurnResumed':
      return [{ type: 'turn-resumed' }];
    case 'EndOfTurn':
      return [{ type: 'end-of-turn', text, confidence }];
    default:
      return [];
  }
}
