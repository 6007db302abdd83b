import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { CartesiaTtsError, CartesiaTtsProvider } from '../../src/providers/tts/cartesia.js';
import type { TtsEvent } from '../../src/providers/tts/types.js';
import { type Rig, recorder, S16_8K, startRig, until, VOICE_EN } from './cartesia-harness.js';

const LONG =
  'Thanks for calling. I have your address as twelve Station Road, and a plumber can be with you ' +
  'tomorrow between eight and ten in the morning. The callout fee is sixty pounds, and the first ' +
  'half hour of work is included in that price.';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

function errorOf(events: TtsEvent[]): Extract<TtsEvent, { type: 'error' }> {
  const last = events.at(-1);
  if (last?.type !== 'error') throw new Error(`expected an error event, got ${last?.type}`);
  return last;
}

describe('cancel (barge-in)', () => {
  it('delivers nothing after cancel() although the service still streams in-flight audio', async () => {
    // Slow enough that most of the reply is still in flight when the caller barges in.
    rig = await startRig({ realTimeFactor: 0.05 });
    const session = await rig.open(S16_8K);
    const rec = recorder();
    const ctx = session.context(VOICE_EN, rec.onEvent);
    ctx.push(LONG);
    ctx.finish();
    await rec.first('audio');

    ctx.cancel();
    const seen = rec.events.length;
    await until(() => rig!.sim.stats().contextsCancelled === 1 && rig!.sim.stats().activeContexts === 0);

    const stats = rig.sim.stats();
    // docs/protocols/cartesia-tts.md §2b: the service kept sending.
    expect(stats.lateChunksAfterCancel).toBeGreaterThan(0);
    expect(stats.contextsDone).toBe(0);
    expect(rec.events.length).toBe(seen); // ... and none of it reached the runtime
    expect(rec.events.some((e) => e.type === 'done' || e.type === 'error')).toBe(false);

    // The socket is still good for the next reply.
    const next = await session.synthesize('Sorry, go ahead.', VOICE_EN);
    expect(next.length).toBeGreaterThan(0);
  });

  it('cancel before any text reached the service sends nothing at all', async () => {
    rig = await startRig();
    const session = await rig.open(S16_8K);
    const rec = recorder();
    const ctx = session.context(VOICE_EN, rec.onEvent);
    ctx.cancel();
    ctx.push('Never spoken.');
    ctx.finish();
    await session.synthesize('Next.', VOICE_EN);
    expect(rec.events).toEqual([]);
    expect(rig.sim.stats().contextsOpened).toBe(1); // only the synthesize() context
  });
});

describe('errors from the service', () => {
  it('an injected error surfaces as an error event on that context only', async () => {
    rig = await startRig({ faults: [{ kind: 'error', status: 500, afterChunks: 2 }] });
    const session = await rig.open(S16_8K);
    const faulty = recorder();
    const healthy = recorder();
    const a = session.context(VOICE_EN, faulty.onEvent); // opens first, so it takes the fault
    a.push(LONG);
    a.finish();
    const b = session.context(VOICE_EN, healthy.onEvent);
    b.push('This one is fine.');
    b.finish();
    await Promise.all([faulty.ended, healthy.ended]);

    const err = errorOf(faulty.events);
    expect(err.status).toBe(500);
    expect(err.error).toBeInstanceOf(CartesiaTtsError);
    expect(faulty.events.filter((e) => e.type === 'audio').length).toBeGreaterThanOrEqual(1);
    expect(healthy.events.at(-1)?.type).toBe('done');
    expect(healthy.audio().length).toBeGreaterThan(0);
    expect(session.isOpen).toBe(true);
  });

  it('an unknown voice is a 404 error event; the socket stays usable', async () => {
    rig = await startRig({ voices: ['sim-voice-en'] });
    const session = await rig.open(S16_8K);
    const rec = recorder();
    const ctx = session.context({ voiceId: 'no-such-voice', language: 'en' }, rec.onEvent);
    ctx.push('Hello.');
    ctx.finish();
    const err = errorOf(await rec.ended);
    expect(err.status).toBe(404);
    expect((err.error as CartesiaTtsError).code).toBe('voice_not_found');
    expect(rec.events.some((e) => e.type === 'audio')).toBe(false);

    await expect(session.synthesize('Still here.', VOICE_EN)).resolves.toBeInstanceOf(Buffer);
  });

  it('synthesize() rejects with the service error', async () => {
    rig = await startRig({ faults: [{ kind: 'error', status: 429, afterChunks: 0 }] });
    const session = await rig.open(S16_8K);
    await expect(session.synthesize('Hello.', VOICE_EN)).rejects.toMatchObject({ status: 429 });
  });
});

describe('socket loss', () => {
  it('a drop mid-reply is an error event; the next reply reconnects once', async () => {
    rig = await startRig({ faults: [{ kind: 'drop', afterChunks: 3 }] });
    const session = await rig.open(S16_8K);
    const rec = recorder();
    const ctx = session.context(VOICE_EN, rec.onEvent);
    ctx.push(LONG);
    ctx.finish();
    const err = errorOf(await rec.ended);
    expect(err.error.message).toMatch(/socket closed/);
    expect(err.status).toBeUndefined();
    expect(rec.events.filter((e) => e.type === 'audio').length).toBeGreaterThanOrEqual(1);
    await until(() => !session.isOpen);

    ctx.push('ignored after the end'); // a dead context stays dead and quiet
    const again = await session.synthesize('Are you still there?', VOICE_EN);
    expect(again.length).toBeGreaterThan(0);
    expect(session.isOpen).toBe(true);
    expect(rig.sim.stats().connections).toBe(2);
    expect(rec.events.at(-1)?.type).toBe('error');
  });

  it('a reply after the socket dropped fails with an error event when the service is unreachable', async () => {
    rig = await startRig();
    const session = await rig.open(S16_8K);
    await rig.sim.close();
    await until(() => !session.isOpen);
    const rec = recorder();
    const ctx = session.context(VOICE_EN, rec.onEvent);
    ctx.push('Hello?');
    ctx.finish();
    const err = errorOf(await rec.ended);
    expect(err.error.message).toMatch(/connect failed/);
    expect(rec.events).toHaveLength(1);
  });

  it('after the redials failed, the next reply fails at once instead of redialling again', async () => {
    rig = await startRig();
    // The session's clock, recording the redial delays it waits (50, 250, 600 ms by default).
    const waits: number[] = [];
    const clock = {
      ...systemClock,
      setTimeout: (fn: () => void, ms: number) => {
        waits.push(ms);
        return setTimeout(fn, ms);
      },
    };
    const provider = new CartesiaTtsProvider({ apiKey: 'sim-key', baseURL: rig.sim.url, clock });
    const session = await provider.open(S16_8K, silentLogger);
    try {
      await rig.sim.close();
      await until(() => !session.isOpen);
      const reply = async () => {
        const rec = recorder();
        const ctx = session.context(VOICE_EN, rec.onEvent);
        ctx.push('Hello?');
        ctx.finish();
        return errorOf(await rec.ended).error.message;
      };
      expect(await reply()).toMatch(/connect failed/);
      const ladder = waits.filter((ms) => [50, 250, 600].includes(ms)).length;
      expect(ladder).toBe(3);
      expect(await reply()).toMatch(/connect failed/);
      expect(waits.filter((ms) => [50, 250, 600].includes(ms)).length).toBe(ladder);
    } finally {
      await session.close();
    }
  });

  it('opening a session against a dead address rejects instead of crashing the process', async () => {
    rig = await startRig();
    const dead = rig.sim.url;
    await rig.sim.close();
    const provider = new CartesiaTtsProvider({ apiKey: 'k', baseURL: dead });
    await expect(provider.open(S16_8K, silentLogger)).rejects.toThrow(CartesiaTtsError);
  });
});

describe('stall', () => {
  /** A session on a simulator that stalls its first context, and that context, opened. */
  const stalledReply = async () => {
    rig = await startRig({ faults: [{ kind: 'stall' }] });
    const session = await rig.open(S16_8K);
    const stalled = recorder();
    const ctx = session.context(VOICE_EN, stalled.onEvent);
    ctx.push('Hello there.');
    ctx.finish();
    await until(() => rig!.sim.stats().contextsOpened === 1);
    return { session, stalled, ctx };
  };

  it('a stalled context produces nothing while another context on the socket is served', async () => {
    const { session, stalled, ctx } = await stalledReply();
    await session.synthesize('Other reply.', VOICE_EN);
    expect(stalled.events).toEqual([]);
    ctx.cancel();
    expect(stalled.events).toEqual([]);
  });

  it('recycle() drops a stalled socket: the next reply is served on a fresh connection', async () => {
    const { session, stalled, ctx } = await stalledReply();
    ctx.cancel();
    session.recycle('first_audio_timeout');
    expect(session.isOpen).toBe(false);
    const audio = await session.synthesize('Other reply.', VOICE_EN);
    expect(audio.length).toBeGreaterThan(0);
    expect(rig!.sim.stats().connections).toBe(2);
    expect(stalled.events).toEqual([]);
  });
});
