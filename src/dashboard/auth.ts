import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

export const SESSION_COOKIE = 'callchart_dash';
/** A login form body is one short field; anything longer is not a login. */
const MAX_LOGIN_BODY = 1024;

export interface DashboardAuth {
  /** True when the request may see the dashboard. */
  allowed(req: IncomingMessage): boolean;
  /** The cookie value a correct login sets (a hash of the token, so the token itself is never stored). */
  readonly sessionValue: string | null;
  /** Checks a submitted token. */
  tokenMatches(candidate: string): boolean;
  /** No token and a loopback bind: anyone who can reach the port is local. */
  readonly open: boolean;
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares digests so neither length nor content leaks through timing. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * DASHBOARD_TOKEN access: `Authorization: Bearer <token>` or the session cookie the login form sets.
 * Without a token the dashboard is open on a loopback bind and closed (401 for everything) otherwise.
 */
export function dashboardAuth(token: string, httpHost: string): DashboardAuth {
  const open = token === '' && isLoopbackHost(httpHost);
  const sessionValue = token ? digest(`callchart-dashboard:${token}`).toString('base64url') : null;
  return {
    open,
    sessionValue,
    tokenMatches: (candidate) => token !== '' && sameSecret(candidate, token),
    allowed(req) {
      if (open) return true;
      if (!token || !sessionValue) return false;
      const auth = req.headers.authorization;
      if (auth?.startsWith('Bearer ') && sameSecret(auth.slice(7).trim(), token)) return true;
      const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
      return cookie !== undefined && sameSecret(cookie, sessionValue);
    },
  };
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Reads a small urlencoded body; rejects anything over `max` bytes. */
export function readSmallBody(req: IncomingMessage, max = MAX_LOGIN_BODY): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      if (size > max) return; // discarding the rest (the server's request timeout bounds it)
      size += chunk.length;
      if (size > max) {
        parts.length = 0;
        reject(new Error('body too large'));
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

export function sessionCookieHeader(value: string): string {
  // HttpOnly: page scripts never see it; SameSite=Strict: no other site can ride on it.
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${12 * 3600}`;
}

export function sendUnauthorized(res: ServerResponse, loginForm: boolean): void {
  if (loginForm) {
    res.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(LOGIN_PAGE);
    return;
  }
  res
    .writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' })
    .end(JSON.stringify({ error: 'unauthorized' }));
}

const LOGIN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>callchart: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/style.css"></head>
<body class="login"><form method="post" action="/login">
<h1>callchart</h1><label>Dashboard token <input name="token" type="password" autocomplete="current-password" autofocus required maxlength="512"></label>
<button type="submit">Sign in</button></form></body></html>`;
