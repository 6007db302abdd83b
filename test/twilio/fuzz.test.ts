import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { newSid, postSignedWebhook, twilioSignature } from '../../sim/twilio/signing.js';
import { readTwiml } from '../../sim/twilio/twiml-reader.js';
import { MEDIA_CHUNK_BYTES, parseStreamMessage } from '../../src/transports/twilio/media-messages.js';
import type { MediaStreamCall } from '../../src/transports/twilio/media-stream-call.js';
import { captureLogger } from '../store/capture-logger.js';
import { callParams, startBareTwilioServer, TOKEN } from './bare-server.js';

const media = (streamSid: string, payload: string) =>
  JSON.stringify({ event: 'media', streamSid, media: { payload } });

describe('Media Streams message parser', () => {
  it('never throws, whatever arrives', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ event: 'media', streamSid: 'MZ1', media: v })),
        ),
        fc.boolean(),
        (text, binary) => {
          const r = parseStreamMessage(Buffer.from(text), binary);
          expect(typeof r.ok).toBe('boolean');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('accepts exactly 20 ms of mu-law and returns the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), (bytes) => {
        const r = parseStreamMessage(media('MZ1', Buffer.from(bytes).toString('base64')), false);
        if (bytes.length === MEDIA_CHUNK_BYTES) {
          expect(r.ok && r.audio?.equals(Buffer.from(bytes))).toBe(true);
        } else {
          expect(r).toMatchObject({ ok: false, error: 'wrong-frame-size' });
        }
      }),
    );
    expect(parseStreamMessage(media('MZ1', 'not*base64!'), false)).toMatchObject({
      ok: false,
      error: 'bad-payload',
    });
  });
});

describe('bad input over real sockets', () => {
  const captured = captureLogger();
  let bare: Awaited<ReturnType<typeof startBareTwilioServer>>;
  beforeAll(async () => {
    bare = await startBareTwilioServer(captured.log);
  });
  afterAll(() => bare.server.close());

  /** Answers a call through the webhook, then opens its signed stream. */
  async function openStream() {
    const callSid = newSid('CA');
    const r = await postSignedWebhook(TOKEN, `${bare.server.baseUrl}/voice/incoming`, callParams(callSid));
    const [stream] = readTwiml(r.body);
    if (stream?.verb !== 'Stream') throw new Error('no stream');
    const ws = new WebSocket(stream.url, {
      headers: { 'x-twilio-signature': twilioSignature(TOKEN, stream.url) },
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const start = (streamSid: string, token = stream.parameters.token ?? '') =>
      JSON.stringify({
        event: 'start',
        sequenceNumber: '1',
        streamSid,
        start: {
          streamSid,
          accountSid: 'AC00000000000000000000000000000001',
          callSid,
          tracks: ['inbound'],
          customParameters: { token },
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      });
    return { ws, callSid, start, closed };
  }

  const waitFor = async (cond: () => boolean, ms = 10_000) => {
    const until = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > until) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('drops junk frames with one log line per kind; the call and its neighbour carry on', async () => {
    const a = await openStream();
    const b = await openStream();
    const sidA = newSid('MZ');
    const sidB = newSid('MZ');
    const good = Buffer.alloc(MEDIA_CHUNK_BYTES, 0x7e).toString('base64');
    a.ws.send(media(sidA, good)); // before start
    a.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    a.ws.send('{"event":');
    a.ws.send(a.start(sidA));
    b.ws.send(b.start(sidB));
    await waitFor(() => bare.calls.length === 2);
    const [callA, callB] = bare.calls.map((c) => c.call) as [MediaStreamCall, MediaStreamCall];
    const heard = { a: 0, b: 0 };
    callA.on('audio', () => heard.a++);
    callB.on('audio', () => heard.b++);
    a.ws.send(a.start(sidA)); // second start
    a.ws.send(media('MZ-someone-else', good));
    a.ws.send(media(sidA, '%%%not-base64%%%'));
    a.ws.send(media(sidA, Buffer.alloc(100).toString('base64')));
    const junk = fc.sample(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
      200,
    );
    for (let i = 0; i < 20; i++) {
      for (const j of junk.slice(i * 10, i * 10 + 10)) a.ws.send(j);
      a.ws.send(media(sidA, good));
      b.ws.send(media(sidB, good));
    }
    await waitFor(() => heard.a === 20 && heard.b === 20);
    expect(callA.closed || callB.closed).toBe(false);
    const kinds = captured
      .lines()
      .filter((l) => l.msg === 'media stream message ignored')
      .map((l) => l.kind as string);
    for (const k of [
      'media-before-start',
      'binary-frame',
      'malformed-json',
      'second-start',
      'unknown-stream-sid',
      'bad-payload',
      'wrong-frame-size',
    ]) {
      expect(kinds.filter((x) => x === k)).toHaveLength(1);
    }
    a.ws.send(JSON.stringify({ event: 'stop', sequenceNumber: '9', streamSid: sidA }));
    await waitFor(() => callA.closed);
    expect(callB.closed).toBe(false);
    b.ws.close();
    await waitFor(() => callB.closed);
  });

  it('refuses a stream start for a call we did not answer, or with the wrong token', async () => {
    const s = await openStream();
    s.ws.send(s.start(newSid('MZ'), 'f'.repeat(32)));
    expect(await s.closed).toBe(1008);
    const before = bare.calls.length;
    const t = await openStream();
    const stranger = JSON.parse(t.start(newSid('MZ'))) as { start: { callSid: string } };
    stranger.start.callSid = newSid('CA');
    t.ws.send(JSON.stringify(stranger));
    expect(await t.closed).toBe(1008);
    expect(bare.calls.length).toBe(before);
  });

  it('webhooks: random forms never crash the server; bad bodies are refused with the right status', async () => {
    const base = bare.server.baseUrl;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/voice/incoming', '/voice/gather', '/voice/status'),
        fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 8 }),
        fc.boolean(),
        async (path, params, withSid) => {
          const form = withSid ? { ...params, CallSid: newSid('CA') } : params;
          const r = await postSignedWebhook(TOKEN, `${base}${path}`, form);
          expect([200, 204, 400]).toContain(r.status);
        },
      ),
      { numRuns: 60 },
    );
    const big = await postSignedWebhook(TOKEN, `${base}/voice/gather`, {
      ...callParams(newSid('CA')),
      SpeechResult: 'x'.repeat(20_000),
    });
    expect(big.status).toBe(413);
    const json = await fetch(`${base}/voice/incoming`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(json.status).toBe(415);
    const unknown = await postSignedWebhook(TOKEN, `${base}/voice/gather`, callParams(newSid('CA')));
    expect(unknown.status).toBe(200);
    expect(readTwiml(unknown.body)).toEqual([{ verb: 'Hangup' }]);
    expect(captured.lines().some((l) => l.msg === 'gather for an unknown call; hanging up')).toBe(true);
    expect((await fetch(`${base}/voice/gather`)).status).toBe(405);
  });
});
