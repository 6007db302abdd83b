import { z } from 'zod';

/**
 * docs/protocols/deepgram-live.md §3a: the three text frames a v1 client may send. `channel` on Finalize is
 * optional and 0-based.
 */
const controlMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('KeepAlive') }),
  z.object({ type: z.literal('Finalize'), channel: z.number().int().min(0).optional() }),
  z.object({ type: z.literal('CloseStream') }),
]);

export type ControlMessage = z.infer<typeof controlMessageSchema>;

export type ControlParseResult = { ok: true; message: ControlMessage } | { ok: false; reason: string };

/** Parses one text frame; malformed JSON or an unknown type is reported, never thrown. */
export function parseControlMessage(text: string): ControlParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'text frame is not JSON' };
  }
  const parsed = controlMessageSchema.safeParse(json);
  if (!parsed.success)
    return { ok: false, reason: `not a v1 control message: ${parsed.error.issues[0]?.message ?? ''}` };
  return { ok: true, message: parsed.data };
}
