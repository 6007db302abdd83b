import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type BearerVerdict = 'ok' | 'missing' | 'invalid' | 'disabled';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Checks `Authorization: Bearer <token>` against the configured tokens (empty ones are ignored).
 * Comparison is on SHA-256 digests with timingSafeEqual, so neither the token nor its length leaks
 * through response time. No usable token configured means the endpoint is off ('disabled').
 */
export function bearerVerdict(req: IncomingMessage, tokens: readonly string[]): BearerVerdict {
  const accepted = tokens.filter((t) => t !== '').map(digest);
  if (accepted.length === 0) return 'disabled';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return 'missing';
  const given = digest(match[1]!);
  let ok = false;
  for (const t of accepted) ok = timingSafeEqual(t, given) || ok; // no early exit
  return ok ? 'ok' : 'invalid';
}

/**
 * Answers 401 (no or wrong token) or 503 (endpoint off) and returns false; returns true when the
 * request may proceed. `what` names the endpoint in the 503 message.
 */
export function requireBearer(
  req: IncomingMessage,
  res: ServerResponse,
  tokens: readonly string[],
  what: string,
): boolean {
  const verdict = bearerVerdict(req, tokens);
  if (verdict === 'ok') return true;
  const body =
    verdict === 'disabled'
      ? { status: 503, error: `${what} is off: no API token is configured` }
      : { status: 401, error: verdict === 'missing' ? 'missing bearer token' : 'invalid bearer token' };
  res.writeHead(body.status, {
    'content-type': 'application/json; charset=utf-8',
    ...(body.status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
  });
  res.end(JSON.stringify({ error: body.error }));
  return false;
}
