import { z } from 'zod';

/**
 * Faults the simulator injects, one per new context, in the order listed:
 * - `error`: an `error` message (docs/protocols/cartesia-tts.md §3f) for the context after `afterChunks`
 * chunks (default 0);
 * - `drop`: the socket is torn down (no close frame) after `afterChunks` chunks (default 1);
 * - `stall`: the context accepts input and never sends anything back; with `afterChunks`, it sends that
 * many chunks first and then nothing more (no chunk, no `done`): a TTS that hangs mid-reply.
 * Each applies to `times` contexts (default 1), or to every context with `all`. With `textStartsWith`,
 * a fault waits for a context whose text (as sent on the wire) starts with those words, so a test can
 * aim it at one reply of a call; without it, faults go to contexts in the order they open.
 */
export const faultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('error'),
    textStartsWith: z.string().min(1).optional(),
    status: z.number().int().min(400).max(599).default(500),
    afterChunks: z.number().int().min(0).optional(),
    message: z.string().optional(),
    times: z.number().int().min(1).optional(),
    all: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal('drop'),
    textStartsWith: z.string().min(1).optional(),
    afterChunks: z.number().int().min(0).optional(),
    times: z.number().int().min(1).optional(),
    all: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal('stall'),
    textStartsWith: z.string().min(1).optional(),
    afterChunks: z.number().int().min(0).optional(),
    times: z.number().int().min(1).optional(),
    all: z.boolean().optional(),
  }),
]);

export type CartesiaFault = z.input<typeof faultSchema>;
export type ResolvedFault = z.output<typeof faultSchema>;

/** Parses SIM_CARTESIA_FAULTS (a JSON array); a malformed value throws at startup, naming the variable. */
export function parseFaultsEnv(raw: string, envName: string): ResolvedFault[] {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`${envName} is not JSON (expected an array of faults)`);
  }
  const parsed = z.array(faultSchema).safeParse(json);
  if (!parsed.success) throw new Error(`${envName}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Hands out faults to contexts as they open, consuming `times`. */
export class FaultPlan {
  private entries: { fault: ResolvedFault; left: number }[] = [];

  constructor(faults: readonly CartesiaFault[] = []) {
    this.set(faults);
  }

  /** Replaces the whole plan; throws on an invalid fault (a test bug, not wire input). */
  set(faults: readonly CartesiaFault[]): void {
    this.entries = faults.map((f) => {
      const fault = faultSchema.parse(f);
      return { fault, left: fault.all ? Number.POSITIVE_INFINITY : (fault.times ?? 1) };
    });
  }

  /** The fault for a context opening now: the next one not aimed at given words. */
  next(): ResolvedFault | undefined {
    return this.take((f) => f.textStartsWith === undefined);
  }

  /** The fault aimed at a context whose text so far is `text`, if any. */
  nextFor(text: string): ResolvedFault | undefined {
    return this.take((f) => f.textStartsWith !== undefined && text.startsWith(f.textStartsWith));
  }

  private take(fits: (f: ResolvedFault) => boolean): ResolvedFault | undefined {
    const entry = this.entries.find((e) => e.left > 0 && fits(e.fault));
    if (!entry) return undefined;
    entry.left -= 1;
    return entry.fault;
  }

  /** A fault handed out that never reached the wire (its context was cancelled first) is not used up. */
  giveBack(fault: ResolvedFault): void {
    const entry = this.entries.find((e) => e.fault === fault);
    if (entry) entry.left += 1;
  }
}
