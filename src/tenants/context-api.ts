import { z } from 'zod';
import type { Tenant } from '../store/types.js';

export interface ContextApiOptions {
  url: string;
  apiKey: string;
  /** Whole request including the body; the call is waiting (seed: 3 s). */
  timeoutMs?: number;
}

export const DEFAULT_CONTEXT_TIMEOUT_MS = 3000;

/** A company answer larger than this is not a company answer. */
const MAX_BODY_BYTES = 64 * 1024;

const text = (max: number) => z.string().trim().min(1).max(max);

/**
 * The DID-to-company service's reply (field names from the seed's context API). Every field is optional
 * because the service may only know some of them; unknown fields are ignored. A present field of the
 * wrong type makes the whole reply invalid: a half-trusted persona is worse than the stored one.
 */
export const contextResponseSchema = z.object({
  company_name: text(120).optional(),
  trade_type: text(80).optional(),
  trade_label: text(80).optional(),
  callout_fee: z.number().int().min(0).max(10_000).optional(),
  area: text(120).optional(),
  language: z.enum(['en', 'es']).optional(),
  is_repeat: z.boolean().optional(),
});
export type ContextResponse = z.infer<typeof contextResponseSchema>;

export class ContextApiError extends Error {
  override name = 'ContextApiError';
}

/**
 * POSTs {did_number, caller_id} with the X-API-Key header and returns the validated reply. Throws
 * ContextApiError (with a message safe to log: no key, no number) on any failure, timeout included.
 */
export async function fetchCallContext(
  opts: ContextApiOptions,
  did: string,
  callerId: string,
): Promise<ContextResponse> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CONTEXT_TIMEOUT_MS;
  let res: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    res = await fetch(opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': opts.apiKey },
      body: JSON.stringify({ did_number: did, caller_id: callerId }),
      signal,
    });
  } catch (err) {
    throw new ContextApiError(describeFetchError(err, timeoutMs));
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new ContextApiError(`HTTP ${res.status}`);
  }
  let body: string;
  try {
    body = await readLimited(res, MAX_BODY_BYTES);
  } catch (err) {
    throw new ContextApiError(describeFetchError(err, timeoutMs));
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ContextApiError('reply is not JSON');
  }
  const parsed = contextResponseSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new ContextApiError(`reply failed validation: ${fields}`);
  }
  return parsed.data;
}

/** The stored tenant with whatever the service knows laid over it. */
export function mergeContext(tenant: Tenant, ctx: ContextResponse): Tenant {
  return {
    ...tenant,
    companyName: ctx.company_name ?? tenant.companyName,
    trade: ctx.trade_type ?? tenant.trade,
    tradeLabel: ctx.trade_label ?? tenant.tradeLabel,
    calloutFee: ctx.callout_fee ?? tenant.calloutFee,
    area: ctx.area ?? tenant.area,
    language: ctx.language ?? tenant.language,
  };
}

async function readLimited(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ContextApiError(`reply larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof ContextApiError) return err.message;
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no reply within ${timeoutMs} ms`;
  // undici wraps the socket error in `cause`; its code (ECONNREFUSED, …) is the useful part.
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return code ? `request failed (${code})` : 'request failed';
}
