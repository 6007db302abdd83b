import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TtsSessionOptions } from '../../src/providers/tts/types.js';
import {
  MULAW_8K,
  type Rig,
  recorder,
  rmsOf,
  S16_8K,
  secondsOf,
  startRig,
  VOICE_EN,
  VOICE_ES,
  voicedShare,
} from './cartesia-harness.js';

const REPLY = 'I can get a plumber out to you tomorrow morning between eight and ten.';
const TOKENS = REPLY.split(/(?= )/); // "I", " can", " get", ... as an LLM streams them

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(() => rig.close());

describe('Cartesia adapter (official SDK) against the simulator', () => {
  const formats: [string, TtsSessionOptions][] = [
    ['pcm_s16le 8 kHz', S16_8K],
    ['pcm_mulaw 8 kHz', MULAW_8K],
    ['pcm_s16le 16 kHz', { ...S16_8K, sampleRate: 16000 }],
    ['pcm_mulaw 16 kHz', { ...MULAW_8K, sampleRate: 16000 }],
  ];

  it.each(formats)('streams token by token and gets voiced audio (%s)', async (_name, format) => {
    const session = await rig.open(format);
    const rec = recorder();
    const ctx = session.context(VOICE_EN, rec.onEvent);
    for (const token of TOKENS) ctx.push(token);
    ctx.finish();
    const events = await rec.ended;

    const types = events.map((e) => e.type);
    expect(types[0]).toBe('first-audio');
    expect(types[1]).toBe('audio');
    expect(types.at(-1)).toBe('done');
    expect(types.filter((t) => t === 'first-audio')).toHaveLength(1);
    expect(types.filter((t) => t === 'done' || t === 'error')).toHaveLength(1);
    const first = events[0]!;
    expect(first.type === 'first-audio' && first.ttfbMs).toBeGreaterThan(0);

    const audio = rec.audio();
    const seconds = secondsOf(audio, format);
    // ~15 characters per second of speech: 71 characters is roughly 4.5-5 s, never 2 or 10.
    expect(seconds).toBeGreaterThan(REPLY.length / 25);
    expect(seconds).toBeLessThan(REPLY.length / 8);
    expect(rmsOf(audio, format.encoding)).toBeGreaterThan(1500);
    expect(voicedShare(audio, format)).toBeGreaterThan(0.5);
  });

  it('makes audio whose length follows the text', async () => {
    const session = await rig.open(S16_8K);
    const short = await session.synthesize('Yes, of course.', VOICE_EN);
    const long = await session.synthesize(`${REPLY} ${REPLY} ${REPLY}`, VOICE_EN);
    const ratio = long.length / short.length;
    // 3 x 71 characters against 15: the ratio of characters is about 14.
    expect(ratio).toBeGreaterThan(8);
    expect(ratio).toBeLessThan(20);
  });

  it('speaks faster when the voice asks for speed 1.5', async () => {
    const session = await rig.open(S16_8K);
    const normal = await session.synthesize(REPLY, VOICE_EN);
    const fast = await session.synthesize(REPLY, { ...VOICE_EN, speed: 1.5, emotion: 'calm' });
    expect(fast.length / normal.length).toBeGreaterThan(0.6);
    expect(fast.length / normal.length).toBeLessThan(0.75);
  });

  it('delivers word timestamps when the session asks for them', async () => {
    const session = await rig.open({ ...S16_8K, wordTimestamps: true });
    const rec = recorder();
    const ctx = session.context(VOICE_EN, rec.onEvent);
    for (const token of TOKENS) ctx.push(token);
    ctx.finish();
    const events = await rec.ended;
    const stamps = events.flatMap((e) => (e.type === 'timestamps' ? [e] : []));
    const words = stamps.flatMap((s) => s.words);
    const starts = stamps.flatMap((s) => s.start);
    const ends = stamps.flatMap((s) => s.end);
    expect(words).toEqual(REPLY.split(' '));
    for (let i = 0; i < words.length; i++) {
      expect(ends[i]!).toBeGreaterThan(starts[i]!);
      if (i > 0) expect(starts[i]!).toBeGreaterThanOrEqual(ends[i - 1]!);
    }
    expect(ends.at(-1)!).toBeLessThanOrEqual(secondsOf(rec.audio(), S16_8K));
  });

  it('sends no timestamps unless asked', async () => {
    const session = await rig.open(S16_8K);
    const rec = recorder();
    const ctx = session.context(VOICE_EN, rec.onEvent);
    ctx.push('Hello there. ');
    ctx.finish();
    const events = await rec.ended;
    expect(events.some((e) => e.type === 'timestamps')).toBe(false);
  });

  it('multiplexes two contexts on one socket, each with its own audio', async () => {
    const session = await rig.open(S16_8K);
    const textA = 'Your booking is confirmed for Tuesday.';
    const textB = 'Could you spell the postcode for me, please?';
    const soloA = await session.synthesize(textA, VOICE_EN);
    const soloB = await session.synthesize(textB, VOICE_ES);
    const connectionsBefore = rig.sim.stats().connections;

    const a = recorder();
    const b = recorder();
    const ctxA = session.context(VOICE_EN, a.onEvent);
    const ctxB = session.context(VOICE_ES, b.onEvent);
    expect(ctxA.id).not.toBe(ctxB.id);
    ctxA.push(textA);
    ctxB.push(textB);
    ctxA.finish();
    ctxB.finish();
    await Promise.all([a.ended, b.ended]);

    expect(a.events.at(-1)?.type).toBe('done');
    expect(b.events.at(-1)?.type).toBe('done');
    // The simulator renders deterministically, so interleaving must not mix a byte of the two.
    expect(a.audio().equals(soloA)).toBe(true);
    expect(b.audio().equals(soloB)).toBe(true);
    expect(rig.sim.stats().connections).toBe(connectionsBefore);
  });

  it('synthesize() returns the whole rendering as one buffer', async () => {
    const session = await rig.open(MULAW_8K);
    const greeting = await session.synthesize('Hello, you are through to Acme Plumbing.', VOICE_EN);
    expect(secondsOf(greeting, MULAW_8K)).toBeGreaterThan(1.5);
    expect(rmsOf(greeting, 'pcm_mulaw')).toBeGreaterThan(1500);
    expect(session.isOpen).toBe(true);
  });

  it('closes cleanly and reports it', async () => {
    const session = await rig.open(S16_8K);
    expect(session.isOpen).toBe(true);
    await session.close();
    expect(session.isOpen).toBe(false);
    await expect(session.synthesize('Too late.', VOICE_EN)).rejects.toThrow(/closed/);
  });
});
