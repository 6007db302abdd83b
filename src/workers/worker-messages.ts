import { z } from 'zod';

/**
 * The IPC between the primary (FastAGI) and its workers (calls). Both sides validate what they
 * receive: a message that fails is logged and dropped, never acted on.
 */
const callMetadata = z.object({
  did: z.string().max(64),
  callerId: z.string().max(64),
  channel: z.string().max(256).optional(),
  uniqueId: z.string().max(64).optional(),
  source: z.enum(['fastagi-5.1', 'fastagi-5.2', 'metadata-file', 'browser']),
  /** The audio rate the dialplan declared (format=slin16): the worker's AudioSocket call starts at it. */
  sampleRate: z.number().int().min(8000).max(192_000).optional(),
});
const uuid = z.string().min(1).max(64);

/** Primary -> worker. */
export const toWorkerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('register'), uuid, meta: callMetadata }),
  z.object({ type: z.literal('forget'), uuid }),
  /** Stop taking calls, let the live ones end, exit. */
  z.object({ type: z.literal('shutdown') }),
]);
export type ToWorkerMessage = z.infer<typeof toWorkerMessage>;

/** Worker -> primary. */
export const fromWorkerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), audioSocketPort: z.number().int().min(1).max(65535) }),
  /** Sent every LOAD_REPORT_MS: live calls and the event loop's p99 delay over that window. */
  z.object({
    type: z.literal('load'),
    calls: z.number().int().min(0),
    loopDelayMs: z.number().min(0),
  }),
]);
export type FromWorkerMessage = z.infer<typeof fromWorkerMessage>;

export const LOAD_REPORT_MS = 500;
