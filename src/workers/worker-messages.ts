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
  source: z.enum(['fastagi-5.1', 'fastagi-5.2', 'metadata-file', 'browser', 'twilio-webhook']),
  /** The audio rate the dialplan declared (format=slin16): the worker's AudioSocket call starts at it. */
  sampleRate: z.number().int().min(8000).max(192_000).optional(),
});
const uuid = z.string().min(1).max(64);
const count = z.number().int().min(0).max(1_000_000);
/** One metric family as prom-client's getMetricsAsJSON() gives it; the aggregator checks the rest. */
const metricFamily = z.looseObject({
  name: z.string().max(200),
  help: z.string().max(1000),
  type: z.string().max(20),
  aggregator: z.string().max(20),
  values: z.array(z.looseObject({ value: z.number() })).max(10_000),
});

/** Primary -> worker. */
export const toWorkerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('register'), uuid, meta: callMetadata }),
  z.object({ type: z.literal('forget'), uuid }),
  /** Stop taking calls, let the live ones end (up to DRAIN_SECONDS, then a goodbye), exit 0. */
  z.object({ type: z.literal('shutdown') }),
  /** Send this worker's metrics (for the primary's /metrics). */
  z.object({ type: z.literal('metrics'), id: count }),
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
    /** Speech provider capacity it holds (Deepgram streams, Cartesia contexts and sessions). */
    providers: z.object({ sttStreams: count, ttsContexts: count, ttsSessions: count }).optional(),
  }),
  /** The answer to a `metrics` request. */
  z.object({ type: z.literal('metrics'), id: count, metrics: z.array(metricFamily).max(1000) }),
  /** How a call's AudioSocket leg ended, for the primary's FastAGI `outcome` script. */
  z.object({
    type: z.literal('outcome'),
    uuid,
    outcome: z.string().min(1).max(32),
    transferTo: z.string().max(32).optional(),
  }),
]);
export type FromWorkerMessage = z.infer<typeof fromWorkerMessage>;

export const LOAD_REPORT_MS = 500;

/** The goodbye after the drain deadline (the app's own grace), and a margin for closing. */
const GOODBYE_AND_CLOSE_MS = 25_000;

/** How long a draining worker may take before it exits anyway (the primary waits a little longer). */
export function workerStopGraceMs(drainMs: number): number {
  return drainMs + GOODBYE_AND_CLOSE_MS;
}
