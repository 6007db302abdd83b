import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bearerVerdict } from '../../src/http/bearer-auth.js';

const req = (authorization?: string) =>
  ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;
const DASH = 'dashboard-token-0123456789';
const API = 'respond-api-token-0123456789';

describe('bearerVerdict', () => {
  it('accepts either configured token, scheme case-insensitive', () => {
    expect(bearerVerdict(req(`Bearer ${DASH}`), [DASH, API])).toBe('ok');
    expect(bearerVerdict(req(`bearer ${API}`), [DASH, API])).toBe('ok');
    expect(bearerVerdict(req(`Bearer ${API}`), ['', API])).toBe('ok');
  });

  it('tells missing from wrong, and never matches a prefix or another scheme', () => {
    expect(bearerVerdict(req(), [API])).toBe('missing');
    expect(bearerVerdict(req(`Basic ${API}`), [API])).toBe('missing');
    expect(bearerVerdict(req(`Bearer ${API.slice(0, -1)}`), [API])).toBe('invalid');
    expect(bearerVerdict(req(`Bearer ${API}x`), [API])).toBe('invalid');
  });

  it('is off when no token is configured, whatever the request says', () => {
    expect(bearerVerdict(req('Bearer '), ['', ''])).toBe('disabled');
    expect(bearerVerdict(req(`Bearer ${API}`), [])).toBe('disabled');
  });
});
