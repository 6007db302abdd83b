import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { SqliteCallStore } from '../../src/store/sqlite-call-store.js';
import { languageForCaller } from '../../src/tenants/language.js';
import { resolveCallContext } from '../../src/tenants/resolve-call-context.js';
import { captureLogger } from './capture-logger.js';
import { callEnd, callRecord, QUICK_FIX, TEST_HASH_KEY } from './fixtures.js';
import { makeTempDir } from './temp-dir.js';

const API_KEY = 'sk-context-secret-123';
const CALLER = '+447700900123';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function startContextApi(handler: Handler): Promise<{
  url: string;
  server: Server;
  seen: Array<{ headers: IncomingMessage['headers']; body: string }>;
}> {
  const seen: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/did_context`, server, seen };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

describe('resolveCallContext', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: SqliteCallStore;
  let server: Server | undefined;

  beforeEach(async () => {
    tmp = makeTempDir();
    store = new SqliteCallStore({ path: join(tmp.dir, 'c.db') });
    await store.upsertTenant(QUICK_FIX);
  });
  afterEach(async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
      server = undefined;
    }
    await store.close();
    tmp.cleanup();
  });

  /** Resolves a call to Quick Fix from CALLER through the context API at `url`. */
  function viaApi(url: string, log: Logger, over: { dialled?: string; timeoutMs?: number } = {}) {
    return resolveCallContext({
      store,
      dialled: over.dialled ?? '02012345678',
      caller: CALLER,
      contextApi: { url, apiKey: API_KEY, ...(over.timeoutMs ? { timeoutMs: over.timeoutMs } : {}) },
      log,
      callerHashKey: TEST_HASH_KEY,
    });
  }

  it('uses the stored tenant when no context API is configured', async () => {
    const { log } = captureLogger();
    const ctx = await resolveCallContext({
      store,
      dialled: '+442012345678',
      caller: CALLER,
      log,
      callerHashKey: TEST_HASH_KEY,
    });
    expect(ctx).toMatchObject({
      tenant: QUICK_FIX,
      isRepeatCaller: false,
      language: 'en',
      callerMasked: '+44*******123',
    });
    expect(ctx.callerHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('merges a valid context reply over the stored tenant', async () => {
    const api = await startContextApi((_req, _body, res) =>
      json(res, 200, {
        company_name: 'Quick Fix Plumbing & Heating',
        callout_fee: 55,
        trade_label: 'plumber',
        is_repeat: true,
        greeting: 'Hello, Quick Fix, how can I help?',
        did_number: '02012345678',
        unknown_extra: { ignored: true },
      }),
    );
    server = api.server;
    const { log } = captureLogger();
    const ctx = await viaApi(api.url, log);
    expect(ctx.tenant).toEqual({ ...QUICK_FIX, companyName: 'Quick Fix Plumbing & Heating', calloutFee: 55 });
    expect(ctx.isRepeatCaller).toBe(true);
    // The service may send a greeting line; the greeting is built in code, so it is ignored.
    expect(ctx).not.toHaveProperty('greeting');
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]?.headers['x-api-key']).toBe(API_KEY);
    expect(JSON.parse(api.seen[0]?.body ?? '')).toEqual({ did_number: '02012345678', caller_id: CALLER });
  });

  const failures: Array<[string, Handler, RegExp]> = [
    ['401', (_q, _b, res) => json(res, 401, { error: 'Unauthorized' }), /HTTP 401/],
    ['500', (_q, _b, res) => json(res, 500, { error: 'boom' }), /HTTP 500/],
    [
      'invalid JSON',
      (_q, _b, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"company_name": "Qu'),
      /not JSON/,
    ],
    [
      'a field of the wrong type',
      (_q, _b, res) => json(res, 200, { callout_fee: 'forty nine' }),
      /callout_fee/,
    ],
    ['a JSON array', (_q, _b, res) => json(res, 200, [1, 2]), /validation/],
    [
      'an oversized body',
      (_q, _b, res) => json(res, 200, { company_name: 'x', padding: 'y'.repeat(100_000) }),
      /larger than/,
    ],
  ];

  it.each(failures)(
    'falls back to the stored tenant on %s, with a warning',
    async (_name, handler, reason) => {
      const api = await startContextApi(handler);
      server = api.server;
      const { log, lines } = captureLogger();
      const ctx = await viaApi(api.url, log);
      expect(ctx.tenant).toEqual(QUICK_FIX);
      const warning = lines().find((l) => l.level === 40);
      expect(String(warning?.reason)).toMatch(reason);
      const logged = JSON.stringify(lines());
      expect(logged).not.toContain(API_KEY);
      expect(logged).not.toContain('7700900123');
    },
  );

  it('falls back to the default tenant when the API is too slow', async () => {
    let answered = false;
    const api = await startContextApi((_q, _b, res) => {
      const t = setTimeout(() => {
        answered = true;
        json(res, 200, { company_name: 'Too Late Ltd' });
      }, 2000);
      res.on('close', () => clearTimeout(t));
    });
    server = api.server;
    const { log, lines } = captureLogger();
    const ctx = await viaApi(api.url, log, { dialled: '01999000000', timeoutMs: 150 });
    expect(answered).toBe(false); // it gave up on the API instead of waiting for its late reply
    expect(ctx.tenant.id).toBe('default');
    expect(ctx.tenant.companyName).toBe('Home Services');
    expect(String(lines().find((l) => l.level === 40)?.reason)).toMatch(/no reply within 150 ms/);
  });

  it('falls back when nothing listens at the URL', async () => {
    const api = await startContextApi(() => undefined);
    await new Promise((resolve) => api.server.close(resolve)); // free the port: connection refused
    const { log, lines } = captureLogger();
    const ctx = await viaApi(api.url, log);
    expect(ctx.tenant).toEqual(QUICK_FIX);
    expect(String(lines().find((l) => l.level === 40)?.reason)).toMatch(/request failed/);
  });

  it('detects a repeat caller from earlier calls to the same company', async () => {
    const { log } = captureLogger();
    const first = await resolveCallContext({
      store,
      dialled: '02012345678',
      caller: CALLER,
      log,
      callerHashKey: TEST_HASH_KEY,
    });
    void store.startCall(callRecord('c1', { tenantId: first.tenant.id, callerHash: first.callerHash }));
    await store.endCall(callEnd('c1'));
    const again = await resolveCallContext({
      store,
      dialled: '02012345678',
      caller: '07700 900123',
      log,
      callerHashKey: TEST_HASH_KEY,
    });
    expect(again.isRepeatCaller).toBe(true);
    const otherCompany = await resolveCallContext({
      store,
      dialled: '01999000000',
      caller: CALLER,
      log,
      callerHashKey: TEST_HASH_KEY,
    });
    expect(otherCompany.isRepeatCaller).toBe(false);
  });

  it('answers as the default tenant when the store itself fails', async () => {
    const { log, lines } = captureLogger();
    await store.close(); // every store call now throws StoreClosedError
    const ctx = await resolveCallContext({
      store,
      dialled: '02012345678',
      caller: CALLER,
      log,
      callerHashKey: TEST_HASH_KEY,
    });
    expect(ctx.tenant.id).toBe('default');
    expect(ctx.isRepeatCaller).toBe(false);
    expect(
      lines()
        .filter((l) => l.level === 50)
        .map((l) => l.msg),
    ).toEqual(['tenant lookup failed; answering as the default tenant', 'repeat-caller lookup failed']);
  });

  it('greets Spanish-speaking callers in Spanish', async () => {
    const { log } = captureLogger();
    const ctx = await resolveCallContext({
      store,
      dialled: '02012345678',
      caller: '+52 55 1234 5678',
      log,
      callerHashKey: TEST_HASH_KEY,
    });
    expect(ctx.language).toBe('es');
  });
});

describe('languageForCaller', () => {
  it.each([
    ['+52 55 1234 5678', 'en', 'es'],
    ['+34 600 123 456', 'en', 'es'],
    ['0054 11 1234 5678', 'en', 'es'],
    ['+57 300 123 4567', 'en', 'es'],
    ['+1 555 010 0199', 'es', 'en'],
    ['+44 7700 900123', 'es', 'en'],
    ['07700 900123', 'en', 'en'],
    ['07700 900123', 'es', 'es'],
    ['+33 6 12 34 56 78', 'en', 'en'],
    ['+33 6 12 34 56 78', 'es', 'es'],
    ['unknown', 'es', 'es'],
    ['', 'en', 'en'],
  ] as const)('%j with tenant default %s -> %s', (number, tenantDefault, expected) => {
    expect(languageForCaller(number, tenantDefault)).toBe(expected);
  });
});
