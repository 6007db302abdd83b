import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimStack, startSimStack } from '../../sim/stack.js';
import { type App, startApp } from '../../src/app.js';
import { buildWav } from '../../src/audio/wav.js';
import { readWav } from '../../src/audio/wav-reader.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { seedDemoTenants } from '../../src/store/tenant-seed.js';

const CLIP = readFileSync(
  new URL('../../fixtures/audio/hi-the-pipe-under-my-kitchen-sink-is-leaking.wav', import.meta.url),
);
const TOKEN = 'respond-test-token-0123456789';
const MAX_BODY = 256 * 1024;

let stack: SimStack;
let app: App;
let url: string;

async function startServer(env: Record<string, string>): Promise<App> {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'callchart-respond-')), 'callchart.db');
  const config = loadConfig(
    {
      ...stack.env,
      AUDIOSOCKET_PORT: '0',
      AGI_ENABLED: 'false',
      HTTP_PORT: '0',
      CALLCHART_DB: dbPath,
      LOG_LEVEL: 'silent',
      ...env,
    },
    '',
  );
  return startApp(config, silentLogger);
}

beforeAll(async () => {
  stack = await startSimStack({ script: [{ text: 'Hi, the pipe under my kitchen sink is leaking.' }] });
  app = await startServer({ RESPOND_API_TOKEN: TOKEN, RESPOND_MAX_BODY_BYTES: String(MAX_BODY) });
  await seedDemoTenants(app.store);
  url = `http://127.0.0.1:${app.httpPort}/v1/respond`;
});
afterAll(async () => {
  await app?.close();
  await stack?.close();
});

/** fetch's types want an ArrayBuffer-backed view; a Buffer may sit on a shared pool. */
const bodyOf = (b: Uint8Array) => new Uint8Array(b) as Uint8Array<ArrayBuffer>;

const post = (body: Uint8Array, headers: Record<string, string> = {}, query = '') =>
  fetch(`${url}${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'audio/wav', ...headers },
    body: bodyOf(body),
  });

describe('POST /v1/respond through real sockets to the simulators', () => {
  it('answers a WAV with the agent reply as a WAV at the same rate, timings in headers', {
    timeout: 30_000,
  }, async () => {
    const res = await post(CLIP, {}, '?tenant=02012345678');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    // The problem was recorded, so the answer is the quote step's, in the tenant's voice.
    expect(res.headers.get('x-respond-step')).toBe('quote');
    for (const h of ['stt', 'llm-total', 'tts-first-byte', 'tts-total', 'total']) {
      expect(Number(res.headers.get(`x-respond-${h}-ms`))).toBeGreaterThanOrEqual(0);
    }
    expect(res.headers.get('server-timing')).toMatch(/stt;dur=[\d.]+, .*total;dur=/);
    const wav = readWav(Buffer.from(await res.arrayBuffer()));
    expect(wav.format).toEqual({ sampleRate: 8000, channels: 1 });
    expect(wav.durationMs).toBeGreaterThan(2000);
    expect(wav.durationMs).toBeLessThan(60_000);
    expect(stack.deepgram.stats().prerecordedRequests).toBeGreaterThanOrEqual(1);
  });

  it('keeps a 16 kHz stereo recording at 16 kHz', { timeout: 30_000 }, async () => {
    const mono = readWav(CLIP).pcm;
    // Upsample by repetition and duplicate into both channels: crude, but speech-level energy.
    const stereo = Buffer.alloc(mono.length * 4);
    for (let i = 0; i < mono.length / 2; i++) {
      const s = mono.readInt16LE(i * 2);
      for (let k = 0; k < 4; k++) stereo.writeInt16LE(s, i * 8 + k * 2);
    }
    const res = await post(buildWav(stereo, { sampleRate: 16000, channels: 2 }));
    expect(res.status).toBe(200);
    expect(readWav(Buffer.from(await res.arrayBuffer())).format).toEqual({ sampleRate: 16000, channels: 1 });
  });

  it('answers a silent recording with the re-prompt, without asking the LLM', {
    timeout: 30_000,
  }, async () => {
    const llmBefore = stack.groq.stats().requests;
    const res = await post(buildWav(Buffer.alloc(8000 * 2), { sampleRate: 8000, channels: 1 }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-respond-step')).toBe('understand');
    expect(res.headers.get('x-respond-llm-first-token-ms')).toBeNull();
    expect(stack.groq.stats().requests).toBe(llmBefore);
    expect(readWav(Buffer.from(await res.arrayBuffer())).durationMs).toBeGreaterThan(500);
  });

  it('enforces the bearer token', async () => {
    const none = await fetch(url, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: CLIP });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const wrong = await post(CLIP, { authorization: 'Bearer not-the-token-at-all' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'invalid bearer token' });
  });

  it('refuses what is not a usable WAV with 415 and says why', async () => {
    const text = await post(Buffer.from('hello'), { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect((await text.json()).error).toMatch(/unsupported content type "text\/plain".*audio\/wav/);

    const truncated = await post(CLIP.subarray(0, 30));
    expect(truncated.status).toBe(415);
    expect((await truncated.json()).error).toMatch(/truncated/);

    const wrongRate = Buffer.from(CLIP);
    wrongRate.writeUInt32LE(44100, 24);
    wrongRate.writeUInt32LE(88200, 28);
    const rate = await post(wrongRate);
    expect(rate.status).toBe(415);
    expect((await rate.json()).error).toMatch(/sample rate 44100 Hz: use 8000 or 16000/);
  });

  it('answers 413 to a chunked body (no length) once it grows over the limit', async () => {
    const big = buildWav(Buffer.alloc(MAX_BODY + 2), { sampleRate: 8000, channels: 1 });
    const chunks = Array.from({ length: Math.ceil(big.length / 16384) }, (_, i) =>
      bodyOf(big.subarray(i * 16384, (i + 1) * 16384)),
    );
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'audio/wav' },
      body,
      duplex: 'half',
    } as RequestInit).catch((err: unknown) => err);
    // The server may close while the upload is still going; when the reply arrives, it is 413.
    if (res instanceof Response) {
      expect(res.status).toBe(413);
      expect((await res.json()).error).toMatch(/body over/);
    } else {
      expect(String((res as Error).cause ?? res)).toMatch(/ECONNRESET|EPIPE|other side closed|fetch failed/i);
    }
  });

  it('answers 413 from the declared length alone, before any of the body is sent', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'audio/wav',
          'content-length': String(MAX_BODY + 1),
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders(); // headers only: the server must not wait for the body to refuse it
    });
    expect(status).toBe(413);
  });

  it('rejects an unknown query value with 400', async () => {
    const res = await post(CLIP, {}, '?language=fr');
    expect(res.status).toBe(400);
  });
});

describe('POST /v1/respond without any token configured', () => {
  it('is off (503) rather than open', async () => {
    const open = await startServer({});
    try {
      const res = await fetch(`http://127.0.0.1:${open.httpPort}/v1/respond`, {
        method: 'POST',
        headers: { authorization: 'Bearer anything-at-all-here', 'content-type': 'audio/wav' },
        body: bodyOf(CLIP),
      });
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatch(/no API token is configured/);
    } finally {
      await open.close();
    }
  });
});

describe('POST /v1/respond with a stalled provider', () => {
  it('gives up with 504 at the response timeout', { timeout: 30_000 }, async () => {
    const slow = await startSimStack({
      script: [{ text: 'Hi, the pipe under my kitchen sink is leaking.' }],
      groq: { ttftMs: 20_000 },
    });
    const dbPath = join(mkdtempSync(join(tmpdir(), 'callchart-respond-')), 'callchart.db');
    const server = await startApp(
      loadConfig(
        {
          ...slow.env,
          AUDIOSOCKET_PORT: '0',
          AGI_ENABLED: 'false',
          HTTP_PORT: '0',
          CALLCHART_DB: dbPath,
          LLM_CHAIN: 'groq:llama-3.3-70b-versatile',
          LLM_FIRST_TOKEN_DEADLINE_MS: '60000',
          RESPOND_API_TOKEN: TOKEN,
          RESPOND_TIMEOUT_MS: '800',
        },
        '',
      ),
      silentLogger,
    );
    try {
      const res = await fetch(`http://127.0.0.1:${server.httpPort}/v1/respond`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'audio/wav' },
        body: bodyOf(CLIP),
      });
      expect(res.status).toBe(504);
      expect((await res.json()).error).toMatch(/took too long/);
    } finally {
      await server.close();
      await slow.close();
    }
  });
});
