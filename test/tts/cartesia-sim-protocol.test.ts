import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type CartesiaSim, startCartesiaSim } from '../../sim/cartesia/index.js';
import { FAST_SIM, until } from './cartesia-harness.js';

/** A bare `ws` client: the wire as the simulator sees it, without the SDK in between. */
async function connect(sim: CartesiaSim, headers: Record<string, string> = {}) {
  const socket = new WebSocket(`${sim.url.replace('http', 'ws')}/tts/websocket`, { headers });
  const received: Record<string, unknown>[] = [];
  socket.on('message', (data) => received.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const send = (m: unknown) => socket.send(typeof m === 'string' ? m : JSON.stringify(m));
  /** Resolves with the first message (already received or future) matching `match`. */
  const next = async (match: (m: Record<string, unknown>) => boolean) => {
    await until(() => received.some(match));
    return received.find(match)!;
  };
  return { socket, received, send, next };
}

const BASE = {
  model_id: 'sonic-3',
  voice: { mode: 'id', id: 'sim-voice-en' },
  output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 8000 },
};

let sim: CartesiaSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('Cartesia simulator wire behaviour', () => {
  it('answers invalid frames with an error and keeps the socket open', async () => {
    sim = await startCartesiaSim(FAST_SIM);
    const c = await connect(sim);
    c.send('not json');
    c.send({ ...BASE, transcript: 'x', context_id: 'bad', language: 'en', locale: 'en-GB' });
    c.socket.send(Buffer.from([1, 2, 3]));
    await until(() => c.received.length === 3);
    expect(c.received.every((m) => m['type'] === 'error' && m['done'] === true)).toBe(true);
    expect(c.received[1]!['context_id']).toBe('bad');

    c.send({ ...BASE, transcript: 'Still fine.', context_id: 'ok', continue: false });
    const done = await c.next((m) => m['type'] === 'done');
    expect(done).toMatchObject({ context_id: 'ok', status_code: 206 });
    c.socket.close();
  });

  it('holds a trailing fragment for max_buffer_delay_ms so a split word is spoken once', async () => {
    sim = await startCartesiaSim(FAST_SIM);
    const c = await connect(sim);
    const ctx = { ...BASE, context_id: 'hold', add_timestamps: true, max_buffer_delay_ms: 2000 };
    c.send({ ...ctx, transcript: 'Your book', continue: true });
    c.send({ ...ctx, transcript: 'ing is set', continue: true });
    c.send({ ...ctx, transcript: '', continue: false });
    await c.next((m) => m['type'] === 'done');
    const words = c.received
      .filter((m) => m['type'] === 'timestamps')
      .flatMap((m) => (m['word_timestamps'] as { words: string[] }).words);
    expect(words).toEqual(['Your', 'booking', 'is', 'set']);
  });

  it('flush renders what it has, answers flush_done, and numbers the next segment', async () => {
    sim = await startCartesiaSim(FAST_SIM);
    const c = await connect(sim);
    const ctx = { ...BASE, context_id: 'f' };
    c.send({ ...ctx, transcript: 'First part.', continue: true });
    c.send({ ...ctx, transcript: '', continue: true, flush: true });
    c.send({ ...ctx, transcript: ' Second part.', continue: false });
    await c.next((m) => m['type'] === 'done');
    const types = c.received.map((m) => `${m['type']}:${m['flush_id'] ?? ''}`);
    const flushAt = types.indexOf('flush_done:1');
    expect(flushAt).toBeGreaterThan(0);
    expect(types.slice(0, flushAt).every((t) => t === 'chunk:1')).toBe(true);
    expect(types.slice(flushAt + 1, -1).every((t) => t === 'chunk:2')).toBe(true);
    expect(types.slice(flushAt + 1, -1).length).toBeGreaterThan(0);
  });

  it('sends chunks of about chunkMs with step_time, at the requested rate and encoding', async () => {
    sim = await startCartesiaSim({ ...FAST_SIM, chunkMs: 20 });
    const c = await connect(sim);
    c.send({
      ...BASE,
      output_format: { container: 'raw', encoding: 'pcm_mulaw', sample_rate: 16000 },
      transcript: 'One two three.',
      context_id: 'c',
    });
    await c.next((m) => m['type'] === 'done');
    const chunks = c.received.filter((m) => m['type'] === 'chunk');
    const sizes = chunks.map((m) => Buffer.from(m['data'] as string, 'base64').length);
    expect(Math.max(...sizes)).toBe(320); // 20 ms of 16 kHz µ-law
    expect(chunks.every((m) => typeof m['step_time'] === 'number' && m['status_code'] === 206)).toBe(true);
  });

  it('rejects a context whose inputs change voice, and counts the cancel of a live one', async () => {
    sim = await startCartesiaSim({ ...FAST_SIM, realTimeFactor: 0.2 });
    const c = await connect(sim);
    c.send({ ...BASE, transcript: 'Hello ', context_id: 'm', continue: true });
    c.send({ ...BASE, voice: 'other', transcript: 'there', context_id: 'm', continue: true });
    const err = await c.next((m) => m['type'] === 'error');
    expect(err).toMatchObject({ context_id: 'm', error_code: 'context_mismatch', done: true });

    c.send({
      ...BASE,
      transcript: 'A long enough sentence to still be speaking. ',
      context_id: 'x',
      continue: true,
    });
    await c.next((m) => m['context_id'] === 'x' && m['type'] === 'chunk');
    c.send({ context_id: 'x', cancel: true });
    await until(() => sim!.stats().activeContexts === 0);
    expect(sim.stats().contextsCancelled).toBe(1);
    expect(c.received.some((m) => m['context_id'] === 'x' && m['type'] === 'done')).toBe(false);
  });

  it('refuses a wrong API key at the upgrade when a key is configured', async () => {
    sim = await startCartesiaSim({ ...FAST_SIM, apiKey: 'right' });
    await expect(connect(sim, { Authorization: 'Bearer wrong' })).rejects.toThrow(/401/);
    const ok = await connect(sim, { Authorization: 'Bearer right' });
    ok.socket.close();
  });

  it('closes an idle socket after idleTimeoutMs', async () => {
    sim = await startCartesiaSim({ ...FAST_SIM, idleTimeoutMs: 100 });
    const c = await connect(sim);
    const code = await new Promise<number>((resolve) => c.socket.once('close', resolve));
    expect(code).toBe(1000);
  });

  it('answers 429 past maxConcurrentContexts', async () => {
    sim = await startCartesiaSim({ ...FAST_SIM, maxConcurrentContexts: 1 });
    const c = await connect(sim);
    c.send({ ...BASE, transcript: 'Held open ', context_id: 'a', continue: true });
    c.send({ ...BASE, transcript: 'Second', context_id: 'b', continue: false });
    const err = await c.next((m) => m['type'] === 'error');
    expect(err).toMatchObject({ context_id: 'b', status_code: 429 });
  });
});
