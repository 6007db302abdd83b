import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpServer, startHttpServer } from '../../src/http/http-server.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { captureLogger } from '../store/capture-logger.js';
import { parseExposition, sample } from './exposition.js';

describe('HTTP server', () => {
  let server: HttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(metrics = new Metrics(), health?: () => Record<string, unknown>) {
    const { log, lines } = captureLogger();
    server = await startHttpServer({ port: 0, metrics, log, ...(health ? { health } : {}) });
    return { base: `http://127.0.0.1:${server.port}`, metrics, lines };
  }

  it('serves Prometheus text with the latency histograms, labelled by tenant and never by call', async () => {
    const { base, metrics } = await start();
    metrics.callStarted('quick-fix-plumbing');
    metrics.observeTurn(
      { sttFinalMs: 120, llmTtftMs: 210, ttsTtfbMs: 90, mouthToEarMs: 430, bargeInStopMs: null },
      'quick-fix-plumbing',
      'groq',
    );
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE callchart_mouth_to_ear_ms histogram');
    expect(text).toMatch(/^callchart_mouth_to_ear_ms_bucket\{le="500",tenant="quick-fix-plumbing"\} 1$/m);
    const e = parseExposition(text);
    for (const name of [
      'callchart_stt_final_ms',
      'callchart_llm_ttft_ms',
      'callchart_tts_ttfb_ms',
      'callchart_answer_to_first_audio_ms',
      'callchart_barge_in_stop_ms',
    ]) {
      expect(e.types.get(name)).toBe('histogram');
    }
    expect(e.types.get('callchart_calls_total')).toBe('counter');
    expect(e.types.get('callchart_active_calls')).toBe('gauge');
    expect(e.types.has('nodejs_eventloop_lag_seconds')).toBe(true); // default metrics on our registry
    const labelNames = new Set(e.samples.flatMap((s) => Object.keys(s.labels)));
    expect([...labelNames].filter((l) => /call/i.test(l))).toEqual([]);
  });

  it('counters move between scrapes', async () => {
    const { base, metrics } = await start();
    const scrape = async () => parseExposition(await (await fetch(`${base}/metrics`)).text());
    expect(sample(await scrape(), 'callchart_bookings_total', { tenant: 'a' })).toBeUndefined();
    metrics.bookingMade('a');
    expect(sample(await scrape(), 'callchart_bookings_total', { tenant: 'a' })).toBe(1);
    metrics.bookingMade('a');
    expect(sample(await scrape(), 'callchart_bookings_total', { tenant: 'a' })).toBe(2);
  });

  it('GET /healthz reports ok, active calls and uptime', async () => {
    const { base, metrics } = await start();
    metrics.callStarted('a');
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await res.json();
    expect(body).toEqual({ ok: true, activeCalls: 1, uptimeSec: expect.any(Number) });
  });

  it('/healthz is a 503 when the health hook says not ok or throws', async () => {
    let healthy = false;
    const { base } = await start(new Metrics({ defaultMetrics: false }), () => {
      if (healthy) throw new Error('db gone');
      return { ok: false, store: 'closed' };
    });
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, store: 'closed' });
    healthy = true;
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
  });

  it('404 for unknown paths, 405 for the wrong method', async () => {
    const { base } = await start(new Metrics({ defaultMetrics: false }));
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect((await fetch(`${base}/metrics?x=1`)).status).toBe(200);
  });

  it('mounts extra routes, and a failing route is a 500 for that request only', async () => {
    const { base, lines } = await start(new Metrics({ defaultMetrics: false }));
    server?.addRoute('POST', '/twilio/voice', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }).end('<Response/>');
    });
    server?.addRoute('GET', '/boom', async () => {
      throw new Error('handler bug');
    });
    const twiml = await fetch(`${base}/twilio/voice`, { method: 'POST' });
    expect(await twiml.text()).toBe('<Response/>');
    expect((await fetch(`${base}/boom`)).status).toBe(500);
    expect(lines().some((l) => l.msg === 'HTTP handler failed')).toBe(true);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('survives a malformed request', async () => {
    const { base } = await start(new Metrics({ defaultMetrics: false }));
    const port = Number(new URL(base).port);
    await new Promise<void>((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.end('NOT HTTP AT ALL\r\n\r\n'));
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      s.resume();
    });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
