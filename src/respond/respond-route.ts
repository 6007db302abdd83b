import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { WavFormatError } from '../audio/wav-reader.js';
import { requireBearer } from '../http/bearer-auth.js';
import type { RouteHandler } from '../http/http-server.js';
import type { Logger } from '../log.js';
import type { RespondRequest, RespondResult } from './respond-types.js';
import { UnknownTenantError } from './tenant-lookup.js';
import { timingHeaders } from './timing-report.js';

export const RESPOND_PATH = '/v1/respond';

export interface RespondRouteOptions {
  respond: (req: RespondRequest) => Promise<RespondResult>;
  /** Bearer tokens accepted (DASHBOARD_TOKEN, RESPOND_API_TOKEN); none set turns the route off. */
  tokens: readonly string[];
  maxBodyBytes: number;
  timeoutMs: number;
  log: Logger;
}

const WAV_TYPES = new Set(['audio/wav', 'audio/wave', 'audio/x-wav', 'audio/vnd.wave']);
const WAV_HINT = 'send a WAV file (Content-Type: audio/wav): 16-bit PCM, mono or stereo, 8 or 16 kHz';

const querySchema = z.object({
  tenant: z.string().trim().min(1).max(64).optional(),
  language: z.enum(['en', 'es']).optional(),
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `POST /v1/respond?tenant=&language=`: a WAV in, the agent's spoken answer out as `audio/wav`, with
 * the stage timings in `Server-Timing` and `X-Respond-*-Ms` headers. Bearer token required; body
 * bounded (413), WAV only (415), the whole reply bounded in time (504).
 */
export function respondRoute(opts: RespondRouteOptions): RouteHandler {
  const log = opts.log.child({ route: RESPOND_PATH });
  return async (req, res) => {
    if (!requireBearer(req, res, opts.tokens, `POST ${RESPOND_PATH}`)) return drain(req);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('timed out')), opts.timeoutMs);
    res.on('close', () => abort.abort(new Error('client went away')));
    try {
      const query = parseQuery(req);
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!WAV_TYPES.has(type))
        throw new HttpError(415, `unsupported content type "${type || 'none'}": ${WAV_HINT}`);
      const wav = await readBody(req, opts.maxBodyBytes);
      const result = await withDeadline(opts.respond({ wav, ...query, signal: abort.signal }), abort.signal);
      res.writeHead(200, {
        'content-type': 'audio/wav',
        'content-length': String(result.wav.length),
        'x-respond-step': result.step,
        'x-respond-language': result.language,
        ...timingHeaders(result.timings),
      });
      res.end(result.wav);
    } catch (err) {
      const e = toHttpError(err, abort.signal);
      if (e.status >= 500) log.warn({ err, status: e.status }, 'one-shot reply failed');
      if (res.headersSent) res.destroy();
      else {
        res.writeHead(e.status, {
          'content-type': 'application/json; charset=utf-8',
          // The rest of an oversized upload is not worth reading.
          ...(e.status === 413 ? { connection: 'close' } : {}),
        });
        res.end(JSON.stringify({ error: e.message }));
      }
    } finally {
      clearTimeout(timer);
    }
  };
}

function parseQuery(req: IncomingMessage): Pick<RespondRequest, 'tenant' | 'language'> {
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const parsed = querySchema.safeParse(Object.fromEntries(params));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(400, `bad query: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  return {
    ...(parsed.data.tenant ? { tenant: parsed.data.tenant } : {}),
    ...(parsed.data.language ? { language: parsed.data.language } : {}),
  };
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > max) throw new HttpError(413, `body over ${max} bytes`);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += (part as Buffer).length;
    if (size > max) throw new HttpError(413, `body over ${max} bytes`);
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts);
}

/** Rejects as soon as the signal fires, even if a provider call ignores it. */
function withDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => {}); // if the deadline wins, the late failure is not worth a crash
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function toHttpError(err: unknown, signal: AbortSignal): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof WavFormatError) return new HttpError(415, `${err.message}; ${WAV_HINT}`);
  if (err instanceof UnknownTenantError) return new HttpError(404, err.message);
  if (signal.aborted) return new HttpError(504, 'the reply took too long');
  return new HttpError(502, 'a provider failed; see the server log');
}

/** Reads and drops a rejected request's body (bounded by the server's request timeout). */
function drain(req: IncomingMessage): void {
  req.resume();
}
