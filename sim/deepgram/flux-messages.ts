import { z } from 'zod';
import { FLUX_RANGES } from './flux-query.js';
import type { FluxThresholds, FluxTurnEvent } from './flux-turns.js';
import { roundSec } from './words.js';

/** §4e: every server message of a v2 stream carries a sequence_id, 0, 1, 2, … across all types. */
export class FluxMessages {
  private sequence = 0;

  constructor(
    private readonly requestId: string,
    private readonly multilingual: boolean,
  ) {}

  connected(): Record<string, unknown> {
    return { type: 'Connected', request_id: this.requestId, sequence_id: this.sequence++ };
  }

  turnInfo(e: FluxTurnEvent): Record<string, unknown> {
    return {
      type: 'TurnInfo',
      request_id: this.requestId,
      sequence_id: this.sequence++,
      event: e.event,
      turn_index: e.turnIndex,
      audio_window_start: roundSec(e.windowStartSec),
      audio_window_end: roundSec(e.windowEndSec),
      transcript: e.transcript,
      words: e.words.map((w) => ({
        word: w.punctuated,
        confidence: roundSec(0.9 + (w.word.length % 9) / 100),
        start: w.start,
        end: w.end,
      })),
      end_of_turn_confidence: e.confidence,
      ...(e.trigger ? { trigger: e.trigger } : {}),
      ...(this.multilingual && e.words.length ? { languages: e.languages } : {}),
    };
  }

  configureSuccess(t: FluxThresholds, keyterms: string[], languageHints: string[]): Record<string, unknown> {
    return {
      type: 'ConfigureSuccess',
      request_id: this.requestId,
      sequence_id: this.sequence++,
      thresholds: {
        ...(t.eagerEotThreshold !== undefined ? { eager_eot_threshold: t.eagerEotThreshold } : {}),
        eot_threshold: t.eotThreshold,
        eot_timeout_ms: t.eotTimeoutMs,
      },
      keyterms,
      ...(this.multilingual ? { language_hints: languageHints } : {}),
    };
  }

  configureFailure(): Record<string, unknown> {
    return { type: 'ConfigureFailure', request_id: this.requestId, sequence_id: this.sequence++ };
  }

  error(code: string, description: string): Record<string, unknown> {
    return { type: 'Error', sequence_id: this.sequence++, code, description };
  }
}

const range = ([min, max]: readonly [number, number]) => z.number().min(min).max(max);

/** §3b: the text frames a v2 client may send. */
const fluxControlSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('CloseStream') }),
  z.object({ type: z.literal('ForceEndTurn') }),
  z.object({
    type: z.literal('Configure'),
    thresholds: z
      .object({
        eager_eot_threshold: range(FLUX_RANGES.eagerEotThreshold).optional(),
        eot_threshold: range(FLUX_RANGES.eotThreshold).optional(),
        eot_timeout_ms: range(FLUX_RANGES.eotTimeoutMs).optional(),
      })
      .optional(),
    keyterms: z.array(z.string()).max(100).optional(),
    language_hints: z.array(z.string().min(1)).max(20).optional(),
    numerals: z.boolean().optional(),
  }),
]);

export type FluxControl = z.infer<typeof fluxControlSchema>;

/** A Configure with bad values is a ConfigureFailure; anything else unreadable is a fatal Error. */
export type FluxControlParse =
  | { ok: true; message: FluxControl }
  | { ok: false; configure: boolean; reason: string };

export function parseFluxControl(text: string): FluxControlParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, configure: false, reason: 'text frame is not JSON' };
  }
  const parsed = fluxControlSchema.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const configure = typeof json === 'object' && json !== null && 'type' in json && json.type === 'Configure';
  return { ok: false, configure, reason: parsed.error.issues[0]?.message ?? 'invalid message' };
}
