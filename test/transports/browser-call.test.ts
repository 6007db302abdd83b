import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type HttpServer, startHttpServer } from '../../src/http/http-server.js';
import { silentLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics/metrics.js';
import type { BrowserCall } from '../../src/transports/browser/browser-call.js';
import { checkAudio, parseClientMessage } from '../../src/transports/browser/messages.js';
import { type BrowserCallServer, createBrowserCallServer } from '../../src/transports/browser/server.js';

// The browser call transport through a real HTTP server and real WebSockets.
describe('browser call transport', () => {
  let http: HttpServer | undefined;
  let server: BrowserCallServer | undefined;
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    server?.close();
    await http?.close();
  });

  async function start(opts: { allowed?: boolean; startTimeoutMs?: number } = {}) {
    const calls: { call: BrowserCall; tenant: string }[] = [];
    http = await startHttpServer({ port: 0, metrics: new Metrics(), log: silentLogger });
    const s = createBrowserCallServer({
      allowed: () => opts.allowed ?? true,
      onCall: (call, tenant) => calls.push({ call, tenant }),
      log: silentLogger,
      ...(opts.startTimeoutMs ? { startTimeoutMs: opts.startTimeoutMs } : {}),
    });
    server = s;
    http.addUpgrade('/call', (req, socket, head) => s.handleUpgrade(req, socket, head));
    return { url: `ws://127.0.0.1:${http.port}/call`, calls };
  }

  function open(url: string, headers: Record<string, string> = {}) {
    const ws = new WebSocket(url, { headers });
    sockets.push(ws);
    const messages: (string | Buffer)[] = [];
    ws.on('message', (data, isBinary) => messages.push(isBinary ? (data as Buffer) : data.toString()));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const opened = new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
      ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return { ws, messages, closed, opened };
  }

  const until = async (check: () => boolean, what: string) => {
    const deadline = Date.now() + 5000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  async function startedCall() {
    const { url, calls } = await start();
    const c = open(url);
    await c.opened;
    c.ws.send(JSON.stringify({ type: 'start', tenant: '02012345678', sampleRate: 16000 }));
    await until(() => calls.length === 1, 'call');
    const call = calls[0]?.call as BrowserCall;
    return { ...c, call, tenant: calls[0]?.tenant };
  }

  it('starts a call on a start message, passes caller frames on and paces agent audio in 20 ms frames', async () => {
    const { ws, messages, call, tenant } = await startedCall();
    expect(tenant).toBe('02012345678');
    await until(() => messages.length > 0, 'ready');
    expect(JSON.parse(String(messages[0]))).toMatchObject({
      type: 'ready',
      callId: call.callId,
      sampleRate: 16000,
    });
    expect(call.format).toEqual({ encoding: 'slin', sampleRate: 16000, frameBytes: 640 });

    const heard: Buffer[] = [];
    call.on('audio', (f) => heard.push(f));
    ws.send(Buffer.alloc(640, 1));
    await until(() => heard.length === 1, 'caller frame');
    expect(heard[0]?.length).toBe(640);

    let done = false;
    call.on('playoutDone', () => {
      done = true;
    });
    call.play(Buffer.alloc(640 * 3, 2)); // 60 ms
    await until(() => messages.filter((m) => Buffer.isBuffer(m)).length === 3, 'three agent frames');
    expect(messages.filter((m) => Buffer.isBuffer(m)).every((m) => m.length === 640)).toBe(true);
    expect(call.queuedMs()).toBe(60); // all sent, none reported played yet
    // The page reports playing it all; a claim beyond what was sent is clamped.
    ws.send(JSON.stringify({ type: 'played', ms: 10_000 }));
    await until(() => done, 'playout done after the page reported it played');
    expect(call.playedMs()).toBe(60);
    expect(call.queuedMs()).toBe(0);
  });

  it('flush drops the unsent audio and tells the page to clear its buffer', async () => {
    const { messages, call } = await startedCall();
    call.play(Buffer.alloc(640 * 50, 3)); // 1 s
    const dropped = call.flush();
    expect(dropped).toBeGreaterThan(900);
    await until(() => messages.some((m) => !Buffer.isBuffer(m) && JSON.parse(m).type === 'clear'), 'clear');
  });

  it('the agent hanging up after playout waits for the page to play the rest', async () => {
    const { ws, call, closed, messages } = await startedCall();
    call.play(Buffer.alloc(640 * 2, 3));
    call.hangup({ afterPlayout: true });
    await until(() => messages.filter((m) => Buffer.isBuffer(m)).length === 2, 'both frames sent');
    expect(call.closed).toBe(false); // sent is not played
    ws.send(JSON.stringify({ type: 'played', ms: 40 }));
    expect(await closed).toBe(1000);
    expect(call.closed).toBe(true);
  });

  it.each([
    ['audio before start', Buffer.alloc(640)],
    ['a non-start control message first', JSON.stringify({ type: 'hangup' })],
    ['not JSON', '{nope'],
    ['an unknown field', JSON.stringify({ type: 'start', sampleRate: 16000, extra: 1 })],
    ['the wrong sample rate', JSON.stringify({ type: 'start', sampleRate: 8000 })],
    ['a tenant that is not a number', JSON.stringify({ type: 'start', sampleRate: 16000, tenant: '../etc' })],
  ])('refuses %s with 1008 and places no call', async (_name, first) => {
    const { url, calls } = await start();
    const c = open(url);
    await c.opened;
    c.ws.send(first);
    expect(await c.closed).toBe(1008);
    expect(calls).toHaveLength(0);
  });

  it.each([
    ['an odd number of bytes', Buffer.alloc(641)],
    ['an empty frame', Buffer.alloc(0)],
    ['a bad played message', JSON.stringify({ type: 'played', ms: -5 })],
    ['a second start', JSON.stringify({ type: 'start', sampleRate: 16000 })],
    ['a bad DTMF digit', JSON.stringify({ type: 'dtmf', digit: 'x' })],
  ])('ends only that call on %s (protocol error, 1008)', async (_name, bad) => {
    const { ws, call, closed } = await startedCall();
    let cause = '';
    call.on('closed', (c) => {
      cause = c;
    });
    ws.send(bad);
    expect(await closed).toBe(1008);
    expect(cause).toBe('protocol-error');
  });

  it('closes a socket that sends more than 100 ms in one message (1009) and ends its call', async () => {
    const { ws, call, closed } = await startedCall();
    ws.send(Buffer.alloc(3202));
    expect(await closed).toBe(1009);
    await until(() => call.closed, 'call closed');
  });

  it('closes a socket that never sends start', async () => {
    const { url, calls } = await start({ startTimeoutMs: 100 });
    const c = open(url);
    await c.opened;
    expect(await c.closed).toBe(1008);
    expect(calls).toHaveLength(0);
  });

  it('refuses an upgrade without dashboard access (401) and from another origin (403)', async () => {
    const { url } = await start({ allowed: false });
    await expect(open(url).opened).rejects.toThrow('HTTP 401');
    server?.close();
    await http?.close();
    const again = await start();
    await expect(open(again.url, { origin: 'http://evil.example' }).opened).rejects.toThrow('HTTP 403');
  });

  it('the HTTP server refuses upgrades on any other path (404)', async () => {
    const { url } = await start();
    await expect(open(url.replace('/call', '/elsewhere')).opened).rejects.toThrow('HTTP 404');
  });

  it('the control message parser never throws and accepts only well-formed messages', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const r = parseClientMessage(text);
        if (r.ok) expect(['start', 'played', 'dtmf', 'hangup']).toContain(r.value.type);
        else expect(r.error).toMatch(/control message/);
      }),
    );
    expect(parseClientMessage('x'.repeat(2000))).toEqual({ ok: false, error: 'control message too large' });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), (n) => {
        expect(checkAudio(Buffer.alloc(n)) === null).toBe(n > 0 && n <= 3200 && n % 2 === 0);
      }),
    );
  });
});
