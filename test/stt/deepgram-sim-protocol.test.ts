import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type DeepgramSim, startDeepgramSim } from '../../sim/deepgram/index.js';
import { NET_0001_REASON } from '../../sim/deepgram/protocol.js';
import { clipOf, RawStream, refusedUpgrade, scriptLines, silenceS16, sleep, until } from './helpers.js';

const script = scriptLines('booking-en.json');
const QUERY =
  'model=nova-3&encoding=linear16&sample_rate=8000&interim_results=true&endpointing=300&smart_format=true';
let sim: DeepgramSim | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('Deepgram simulator: handshake (docs/protocols/deepgram-live.md §1, §5 item 11)', () => {
  it('refuses a missing key with HTTP 401 and the documented JSON body', async () => {
    sim = await startDeepgramSim({ script, env: {} });
    const res = await refusedUpgrade(`${sim.url}/v1/listen?${QUERY}`);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ err_code: 'INVALID_AUTH', err_msg: 'Invalid credentials.' });
    expect(res.headers['dg-request-id']).toBe(res.body.request_id);
    expect(res.headers['dg-error']).toBe('Invalid credentials.');
  });

  it('accepts any key unless a required key is set, and the browser subprotocol form', async () => {
    sim = await startDeepgramSim({ script, requiredKey: 'sekrit', env: {} });
    const bad = await refusedUpgrade(`${sim.url}/v1/listen?${QUERY}`, { authorization: 'Token nope' });
    expect(bad.status).toBe(401);
    const good = await RawStream.open(sim.url, QUERY, { authorization: 'Token sekrit' });
    good.ws.close();
    const browser = new WebSocket(`${sim.url}/v1/listen?${QUERY}`, ['token', 'sekrit']);
    await new Promise((resolve, reject) => {
      browser.once('open', resolve);
      browser.once('error', reject);
    });
    expect(browser.protocol).toBe('token');
    browser.close();
  });

  it.each([
    ['keywords with nova-3', `${QUERY}&keywords=boiler:2`, /Keywords are not supported for Nova-3/],
    ['encoding without sample_rate', 'model=nova-3&encoding=mulaw', /sample_rate is required/],
    ['a non-boolean flag', `${QUERY}&vad_events=yes`, /vad_events must be true or false/],
    [
      'a Flux model on v1',
      'model=flux-general-en&encoding=linear16&sample_rate=16000',
      /only served on \/v2/,
    ],
    [
      'an encoding the sim cannot decode',
      'model=nova-3&encoding=opus&sample_rate=16000',
      /decodes only linear16/,
    ],
  ])('refuses %s with HTTP 400', async (_name, query, message) => {
    sim = await startDeepgramSim({ script, env: {} });
    const res = await refusedUpgrade(`${sim.url}/v1/listen?${query}`, { authorization: 'Token k' });
    expect(res.status).toBe(400);
    expect(String(res.body.err_msg)).toMatch(message);
  });

  it('refuses the first N handshakes when the fault knob says so, then accepts', async () => {
    sim = await startDeepgramSim({ script, faults: { refuseHandshakes: 1, refuseStatus: 429 }, env: {} });
    const first = await refusedUpgrade(`${sim.url}/v1/listen?${QUERY}`, { authorization: 'Token k' });
    expect(first).toMatchObject({ status: 429, body: { err_code: 'TOO_MANY_REQUESTS' } });
    const second = await RawStream.open(sim.url, QUERY);
    second.ws.close();
    expect(sim.stats()).toMatchObject({ handshakesRejected: 1, streamsOpened: 1 });
  });

  it('answers 404 for other paths', async () => {
    sim = await startDeepgramSim({ script, env: {} });
    const res = await refusedUpgrade(`${sim.url}/v3/listen?model=flux-general-en`, {
      authorization: 'Token k',
    });
    expect(res.status).toBe(404);
  });
});

describe('Deepgram simulator: control messages (§3a, §5)', () => {
  it('Finalize flushes the open segment as a from_finalize final and keeps the stream open', async () => {
    sim = await startDeepgramSim({ script, env: {} });
    const stream = await RawStream.open(sim.url, QUERY);
    const clip = clipOf(script[0]!);
    stream.sendAudio(clip.subarray(0, 16_000 * 2)); // 2 s of speech, no trailing silence
    stream.sendJson({ type: 'Finalize' });
    await until(() => stream.finals().length === 1, 'finalize final');
    expect(stream.finals()[0]).toMatchObject({
      transcript: script[0]!.text,
      fromFinalize: true,
      speechFinal: false,
    });

    // The rest of the utterance adds no words; its endpoint closes it with an empty speech_final.
    stream.sendAudio(
      Buffer.concat([clip.subarray(16_000 * 2), silenceS16(600), clipOf(script[1]!), silenceS16(600)]),
    );
    await until(() => stream.finals().filter((f) => f.speechFinal).length === 2, 'two endpoints');
    const finals = stream.finals();
    expect(finals.map((f) => [f.transcript, f.speechFinal])).toEqual([
      [script[0]!.text, false],
      ['', true],
      [script[1]!.text, true],
    ]);
    expect(stream.closeCode).toBeUndefined();
    stream.ws.close();
  });

  it('CloseStream sends the remaining final, then Metadata with the audio hash, then closes 1000', async () => {
    sim = await startDeepgramSim({ script, env: {} });
    // endpointing=800 is longer than the clip's ~330 ms tail, so the segment is still open at CloseStream.
    const stream = await RawStream.open(sim.url, QUERY.replace('endpointing=300', 'endpointing=800'));
    const audio = clipOf(script[0]!);
    stream.sendAudio(audio, 500);
    stream.sendJson({ type: 'CloseStream' });
    await stream.closed();
    expect(stream.closeCode).toBe(1000);
    const types = stream.messages.map((m) => m.type);
    expect(types[types.length - 1]).toBe('Metadata');
    expect(stream.finals()).toEqual([
      expect.objectContaining({ transcript: script[0]!.text, speechFinal: false }),
    ]);
    const [metadata] = stream.ofType('Metadata');
    expect(metadata).toMatchObject({
      transaction_key: 'deprecated',
      sha256: createHash('sha256').update(audio).digest('hex'),
      duration: audio.length / 16_000,
      channels: 1,
    });
  });

  it('Metadata of a stream without audio has the empty-input hash and 0 channels', async () => {
    sim = await startDeepgramSim({ script, env: {} });
    const stream = await RawStream.open(sim.url, QUERY);
    stream.sendJson({ type: 'CloseStream' });
    await stream.closed();
    expect(stream.ofType('Metadata')[0]).toMatchObject({
      sha256: createHash('sha256').digest('hex'),
      duration: 0,
      channels: 0,
    });
  });

  it('ignores malformed text frames and keeps transcribing', async () => {
    sim = await startDeepgramSim({ script, env: {} });
    const stream = await RawStream.open(sim.url, QUERY);
    stream.ws.send('not json');
    stream.sendJson({ type: 'Configure', thresholds: {} });
    stream.sendJson({ type: 'Finalize', channel: 'zero' });
    stream.sendJson([1, 2, 3]);
    stream.sendAudio(Buffer.concat([clipOf(script[0]!), silenceS16(600)]));
    await until(() => stream.finals().some((f) => f.speechFinal), 'final after garbage');
    expect(sim.stats().badMessages).toBe(4);
    stream.ws.close();
  });

  it('closes an idle stream with 1011 and the NET-0001 reason; KeepAlive prevents it', async () => {
    sim = await startDeepgramSim({ script, idleTimeoutMs: 150, env: {} });
    const kept = await RawStream.open(sim.url, QUERY);
    const idle = await RawStream.open(sim.url, QUERY);
    for (let i = 0; i < 8; i++) {
      kept.sendJson({ type: 'KeepAlive' });
      await sleep(50);
    }
    await idle.closed();
    expect(idle.closeCode).toBe(1011);
    expect(idle.closeReason).toBe(NET_0001_REASON);
    expect(kept.closeCode).toBeUndefined();
    expect(kept.messages).toEqual([]); // §3a: KeepAlive gets no reply
    await kept.closed(); // and once the KeepAlives stop, it times out too
    expect(kept.closeCode).toBe(1011);
    expect(sim.stats()).toMatchObject({ idleTimeouts: 2, keepAlives: 8 });
  });

  it('can treat KeepAlive before the first audio as not enough (§5 item 8 knob)', async () => {
    sim = await startDeepgramSim({ script, idleTimeoutMs: 150, keepAliveBeforeAudio: false, env: {} });
    const stream = await RawStream.open(sim.url, QUERY);
    const timer = setInterval(
      () => stream.ws.readyState === WebSocket.OPEN && stream.sendJson({ type: 'KeepAlive' }),
      40,
    );
    await stream.closed();
    clearInterval(timer);
    expect(stream.closeCode).toBe(1011);
  });

  it('holds finals back by finalDelayMs without letting later messages overtake them', async () => {
    sim = await startDeepgramSim({ script, finalDelayMs: 150, env: {} });
    const stream = await RawStream.open(sim.url, `${QUERY}&vad_events=true`);
    stream.sendAudio(
      Buffer.concat([clipOf(script[0]!), silenceS16(500), clipOf(script[1]!), silenceS16(500)]),
    );
    await until(() => stream.finals().filter((f) => f.speechFinal).length === 2, 'two finals');
    const order = stream.messages.map((m) =>
      m.type === 'Results' ? (m.is_final ? 'final' : 'interim') : m.type,
    );
    // All audio arrived at once, so the second SpeechStarted was decided before the delayed first final.
    expect(order.filter((t) => t === 'SpeechStarted')).toHaveLength(2);
    expect(order.lastIndexOf('SpeechStarted')).toBeGreaterThan(order.indexOf('final'));
    stream.ws.close();
  });
});
