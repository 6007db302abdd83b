import { z } from 'zod';

/**
 * Faults an LLM simulator can inject, per docs/protocols/fallback-llms.md §C: every way a real provider has
 * been seen to fail a streaming reply. `afterTokens` counts content tokens (text pieces or tool-call
 * fragments) already sent; 0 means right after the headers and opening event. `times` limits a fault to the
 * next N requests; without it the fault applies to every request.
 */
const afterTokens = z.number().int().min(0);
const times = z.number().int().min(1).optional();

export const faultSchema = z.discriminatedUnion('kind', [
  /** An HTTP error before the stream (vendor-shaped body); 429 carries retry-after. */
  z.object({
    kind: z.literal('status'),
    status: z.number().int().min(400).max(599),
    retryAfterSec: z.number().min(0).optional(),
    times,
  }),
  /** Headers and N tokens, then silence with the connection held open (SDK timeouts never fire). */
  z.object({ kind: z.literal('stall'), afterTokens, times }),
  /** Headers and N tokens, then the TCP socket is destroyed (a reset). */
  z.object({ kind: z.literal('drop'), afterTokens, times }),
  /** Headers and N tokens, then a clean end of body without the finish chunk or terminator. */
  z.object({ kind: z.literal('truncate'), afterTokens, times }),
  /** Headers and N tokens, then a data line that is not JSON. */
  z.object({ kind: z.literal('malformed'), afterTokens, times }),
  /** Headers and N tokens, then the vendor's in-stream error event. */
  z.object({ kind: z.literal('stream-error'), afterTokens, times }),
]);

export type Fault = z.infer<typeof faultSchema>;
export type StreamFault = Exclude<Fault, { kind: 'status' }>;

const faultListSchema = z.union([faultSchema.transform((f) => [f]), z.array(faultSchema)]);

/** Reads a fault list from an env variable holding JSON (one fault or an array). */
export function faultsFromEnv(envName: string, env: Readonly<Record<string, string | undefined>>): Fault[] {
  const raw = env[envName]?.trim();
  if (!raw) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`${envName} is not JSON: ${raw}`);
  }
  const parsed = faultListSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${envName} is not a fault list:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Faults waiting to be applied, in order: each request takes the first fault that still has uses
 * left, so `[429 ×1, stall ×1]` means the next request gets a 429, the one after stalls, then
 * all succeed.
 */
export class FaultQueue {
  private entries: Array<{ fault: Fault; left: number }> = [];

  set(faults: readonly Fault[]): void {
    this.entries = faults.map((f) => ({
      fault: faultSchema.parse(f),
      left: f.times ?? Number.POSITIVE_INFINITY,
    }));
  }

  /** The fault for the request arriving now, if any (consumes one use). */
  take(): Fault | undefined {
    const entry = this.entries.find((e) => e.left > 0);
    if (!entry) return undefined;
    entry.left -= 1;
    return entry.fault;
  }
}
