import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BrainRequest, think } from './brain.js';
import { type Fault, FaultQueue } from './faults.js';
import { type PlanOptions, planReply, type ReplyPlan } from './reply-plan.js';
import type { Frame } from './sse.js';
import { type Pacing, playFrames, type StreamOutcome } from './stream-player.js';

/**
 * The HTTP side shared by the three LLM simulators: routing, auth, body validation, faults,
 * pacing and request statistics. Each vendor supplies a `VendorWire` with its own framing.
 */

/** A vendor request validated and reduced to what the simulator needs. */
export interface ParsedCompletion {
  model: string;
  stream: boolean;
  maxTokens?: number;
  brain: BrainRequest;
  /** Size of the prompt text, for usage numbers. */
  promptChars: number;
}

export type ParseResult = { ok: true; value: ParsedCompletion } | { ok: false; message: string };

export interface VendorWire {
  readonly completionPath: string;
  readonly toolCallIdPrefix: PlanOptions['toolCallIdPrefix'];
  hasCredentials(headers: IncomingHttpHeaders): boolean;
  /** A required header that is missing, described for the 400 body; undefined when all is there. */
  missingHeader?(headers: IncomingHttpHeaders): string | undefined;
  parse(body: unknown): ParseResult;
  /** JSON body of an HTTP error, in the vendor's documented shape. */
  errorBody(status: number, message: string): unknown;
  /** Headers every response carries (request ids). */
  responseHeaders(): Record<string, string>;
  frames(plan: ReplyPlan, model: string): Frame[];
  malformedFrame(): string;
  streamErrorFrame(): string;
  /** Other routes the vendor answers (Cerebras' TCP warming); true when handled. */
  answerOther?(req: IncomingMessage, res: ServerResponse): boolean;
}

export interface SimKnobs extends Pacing {
  /** OpenAI-compatible wires: tool calls whole in one delta, or cut into argument fragments. */
  toolCalls: 'whole' | 'split';
}

export interface SimRequestRecord {
  seq: number;
  method: string;
  path: string;
  status: number;
  model?: string;
  fault?: Fault['kind'];
  outcome: StreamOutcome | 'rejected' | 'other';
  tokensSent: number;
  /** The client closed the connection before the response was complete (abort, hedge loser). */
  clientClosed: boolean;
}

export interface SimStats {
  requests: number;
  byStatus: Record<number, number>;
  clientAborts: number;
  records: SimRequestRecord[];
}

export interface LlmSim {
  /** http://127.0.0.1:port — the bare origin the SDKs take as baseURL. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
  /** Replaces the pending faults (see faults.ts for the order they apply in). */
  setFaults(faults: Fault | Fault[]): void;
  setKnobs(knobs: Partial<SimKnobs>): void;
  stats(): SimStats;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Per-request records kept for tests and debugging; counters cover every request. */
const MAX_RECORDS = 1000;

const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Invalid API Key',
  404: 'Not found',
  413: 'Request too large',
  429: 'Rate limit reached. Please try again later.',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  529: 'Overloaded',
};

export async function startCompletionSim(
  wire: VendorWire,
  config: { host: string; port: number; knobs: SimKnobs; faults: Fault[]; faultsAfterRequests?: number },
): Promise<LlmSim> {
  const knobs: SimKnobs = { ...config.knobs };
  const faults = new FaultQueue();
  faults.set(config.faults);
  const records: SimRequestRecord[] = [];
  const counters = { requests: 0, clientAborts: 0, byStatus: {} as Record<number, number> };
  let shuttingDown = false;
  /** Valid streaming completion requests so far: faults wait for `faultsAfterRequests` of them. */
  let completions = 0;
  const setStatus = (record: SimRequestRecord, status: number) => {
    record.status = status;
    counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
  };

  const server = createServer((req, res) => {
    counters.requests += 1;
    const record: SimRequestRecord = {
      seq: counters.requests,
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0] ?? '',
      status: 0,
      outcome: 'other',
      tokensSent: 0,
      clientClosed: false,
    };
    records.push(record);
    if (records.length > MAX_RECORDS) records.shift();
    res.once('close', () => {
      // Checked a moment later: a drop fault closes the response itself and records that first.
      setImmediate(() => {
        if (res.writableFinished || shuttingDown || record.outcome === 'dropped') return;
        record.clientClosed = true;
        counters.clientAborts += 1;
      });
    });
    handle(req, res, record).catch(() => {
      // A bug here must not take the simulator down; the client sees a reset.
      res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, record: SimRequestRecord): Promise<void> {
    const sendError = (status: number, message = DEFAULT_MESSAGES[status] ?? 'Error', extra = {}) => {
      setStatus(record, status);
      record.outcome = 'rejected';
      res.writeHead(status, { 'content-type': 'application/json', ...wire.responseHeaders(), ...extra });
      res.end(JSON.stringify(wire.errorBody(status, message)));
    };

    if (req.method !== 'POST' || record.path !== wire.completionPath) {
      if (wire.answerOther?.(req, res)) {
        setStatus(record, res.statusCode);
        return;
      }
      req.resume();
      return sendError(404, `Unknown request URL: ${req.method} ${record.path}`);
    }

    const arrivedAt = performance.now();
    const body = await readBody(req);
    if (body === 'too-large') return sendError(413);
    if (!wire.hasCredentials(req.headers)) return sendError(401);
    const missing = wire.missingHeader?.(req.headers);
    if (missing) return sendError(400, missing);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return sendError(400, 'Request body is not valid JSON');
    }
    const parsed = wire.parse(json);
    if (!parsed.ok) return sendError(400, parsed.message);
    const request = parsed.value;
    record.model = request.model;
    if (!request.stream)
      return sendError(400, 'This simulator only serves streaming requests (stream: true)');

    completions += 1;
    const fault = completions > (config.faultsAfterRequests ?? 0) ? faults.take() : undefined;
    record.fault = fault?.kind;
    if (fault?.kind === 'status') {
      const retryAfter = fault.retryAfterSec ?? (fault.status === 429 ? 1 : undefined);
      return sendError(
        fault.status,
        undefined,
        retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
      );
    }

    const plan = planReply(think(request.brain), {
      maxTokens: request.maxTokens,
      splitToolArguments: knobs.toolCalls === 'split',
      toolCallIdPrefix: wire.toolCallIdPrefix,
      promptChars: request.promptChars,
    });
    setStatus(record, 200);
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...wire.responseHeaders(),
    });
    const played = await playFrames(res, wire.frames(plan, request.model), {
      pacing: { ttftMs: knobs.ttftMs, tokensPerSec: knobs.tokensPerSec },
      arrivedAt,
      fault,
      malformedFrame: wire.malformedFrame(),
      streamErrorFrame: wire.streamErrorFrame(),
    });
    record.outcome = played.outcome;
    record.tokensSent = played.tokensSent;
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve((server.address() as AddressInfo).port));
  });

  return {
    url: `http://${config.host}:${port}`,
    port,
    async close() {
      shuttingDown = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Stalled streams are held open on purpose; end them so close() returns.
        server.closeAllConnections();
      });
    },
    setFaults(next) {
      faults.set(Array.isArray(next) ? next : [next]);
    },
    setKnobs(next) {
      if (next.ttftMs !== undefined && !(next.ttftMs >= 0)) throw new RangeError('ttftMs must be >= 0');
      if (next.tokensPerSec !== undefined && !(next.tokensPerSec > 0))
        throw new RangeError('tokensPerSec must be > 0');
      Object.assign(knobs, next);
    },
    stats() {
      return {
        requests: counters.requests,
        byStatus: { ...counters.byStatus },
        clientAborts: counters.clientAborts,
        records: records.map((r) => ({ ...r })),
      };
    },
  };
}

function readBody(req: IncomingMessage): Promise<string | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}
