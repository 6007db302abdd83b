import { LlmError } from './types.js';

/**
 * Turns whatever an official SDK threw into an LlmError. The three SDKs share the Stainless error classes
 * (each its own copy), so the caller passes its SDK's classes. What each SDK throws where is in
 * docs/protocols/groq-chat.md §5-6 and docs/protocols/fallback-llms.md §A5-A6, §B5.
 */
export interface SdkErrorClasses {
  // `never[]` accepts any constructor signature: only instanceof is used.
  APIError: abstract new (
    ...args: never[]
  ) => Error & { status?: number; headers?: unknown; error?: unknown };
  APIUserAbortError: abstract new (...args: never[]) => Error;
}

export interface ErrorContext {
  provider: string;
  classes: SdkErrorClasses;
  signal?: AbortSignal;
  /** `request`: before the 200 arrived; `stream`: while reading the event stream. */
  phase: 'request' | 'stream';
}

export function toLlmError(err: unknown, ctx: ErrorContext): LlmError {
  const { provider, classes } = ctx;
  // Our own abort comes first: the SDKs end a stream quietly when aborted, which would otherwise
  // look like a truncation.
  if (ctx.signal?.aborted || err instanceof classes.APIUserAbortError || isAbortError(err)) {
    return new LlmError('request aborted', provider, 'aborted');
  }
  if (err instanceof LlmError) return err;
  if (err instanceof SyntaxError) {
    // The SDKs JSON-parse every event and rethrow the parse error as is.
    return new LlmError(`stream carried an event that is not JSON: ${err.message}`, provider, 'malformed');
  }
  if (err instanceof classes.APIError) {
    if (typeof err.status === 'number' && err.status > 0) {
      return new LlmError(
        `HTTP ${err.status}: ${errorMessage(err)}`,
        provider,
        'status',
        err.status,
        retryAfterMs(err.headers),
      );
    }
    if (ctx.phase === 'stream') {
      // An error event inside a 200 stream: the SDKs throw an APIError without a status
      // (Cerebras even an APIConnectionError whose cause is the error object).
      return new LlmError(
        `error event in stream: ${errorMessage(err)}`,
        provider,
        'status',
        statusCodeIn(err),
      );
    }
    return new LlmError(`connection failed: ${err.message}`, provider, 'connect');
  }
  // Socket reset mid-body: undici's `TypeError: terminated`, node-fetch's `Premature close`.
  const message = err instanceof Error ? err.message : String(err);
  return new LlmError(`connection failed: ${message}`, provider, 'connect');
}

function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'APIUserAbortError');
}

/** The vendor's own message when the body has one, else the SDK's text. */
function errorMessage(err: Error & { error?: unknown; cause?: unknown }): string {
  const body = (err.error ?? err.cause) as { message?: unknown; error?: { message?: unknown } } | undefined;
  const inner = body?.error?.message ?? body?.message;
  return typeof inner === 'string' ? inner : err.message;
}

function statusCodeIn(err: Error & { error?: unknown; cause?: unknown }): number | undefined {
  const body = (err.error ?? err.cause) as
    | { status_code?: unknown; error?: { status_code?: unknown } }
    | undefined;
  const code = body?.status_code ?? body?.error?.status_code;
  return typeof code === 'number' ? code : undefined;
}

/** `retry-after-ms` first, then `retry-after` in seconds or as an HTTP date (the SDKs' own order). */
export function retryAfterMs(headers: unknown): number | undefined {
  const ms = Number.parseFloat(header(headers, 'retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = header(headers, 'retry-after');
  if (!raw) return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Groq and Anthropic expose fetch `Headers`; Cerebras a plain (proxied) record. */
function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') return (get.call(headers, name) as string | null) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
