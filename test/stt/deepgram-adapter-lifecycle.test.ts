import { afterEach, describe, expect, it } from 'vitest';
import { type DeepgramSim, type DeepgramSimOptions, startDeepgramSim } from '../../sim/deepgram/index.js';
import { NET_0000_REASON, NET_0001_REASON } from '../../sim/deepgram/protocol.js';
import { rmsS16le, VOICED_RMS } from '../../src/audio/energy.js';
import { silentLogger } from '../../src/log.js';
import { type DeepgramSttConfig, DeepgramSttProvider } from '../../src/providers/stt/deepgram.js';
import { STT_SILENT_SOCKET_CODE, type SttSession } from '../../src/providers/stt/types.js';
import {
  clipOf,
  EventLog,
  PHONE_STT_OPTIONS,
  scriptLines,
  silenceS16,
  sleep,
  streamTo,
  until,
} from './helpers.js';

const script = scriptLines('booking-en.json');
let sim: DeepgramSim | undefined;
let session: SttSession | undefined;

afterEach(async () => {
  await session?.close();
  await sim?.close();
  session = undefined;
  sim = undefined;
});

async function openSession(
  simOptions: DeepgramSimOptions,
  adapter: Partial<DeepgramSttConfig> = {},
): Promise<{ log: EventLog; session: SttSession; sim: DeepgramSim }> {
  sim = await startDeepgramSim({ script, env: {}, ...simOptions });
  const log = new EventLog();
  const provider = new DeepgramSttProvider({
    apiKey: 'k',
    baseUrl: sim.url,
    reconnectDelaysMs: [20, 50],
    ...adapter,
  });
  session = await provider.open(PHONE_STT_OPTIONS, log.push, silentLogger);
  return { log, session, sim };
}

/** 20 ms frames at 8 kHz s16le, one every 20 ms, marked voiced by their energy; then silence until `done`. */
async function streamPaced(session: SttSession, audio: Buffer, done: () => boolean): Promise<void> {
  const frame = 320;
  for (let at = 0; !done(); at += frame) {
    if (at > audio.length + 8000 * 2 * 10) throw new Error('no final within 10 s of audio');
    const chunk = at < audio.length ? audio.subarray(at, at + frame) : silenceS16(20);
    session.sendAudio(chunk, rmsS16le(chunk) > VOICED_RMS);
    await sleep(20);
  }
}

const utterance = (i: number): Buffer => Buffer.concat([clipOf(script[i]!), silenceS16(700)]);

describe('Deepgram adapter lifecycle', () => {
  it('sends KeepAlive while no audio flows, so a short idle timeout never fires', async () => {
    const { log, session, sim } = await openSession({ idleTimeoutMs: 200 }, { keepAliveMs: 50 });
    await sleep(700);
    expect(session.isOpen).toBe(true);
    expect(log.events).toEqual([]);
    expect(sim.stats().idleTimeouts).toBe(0);
    expect(sim.stats().keepAlives).toBeGreaterThanOrEqual(5);
  });

  it('without KeepAlive the simulator closes 1011 (NET-0001); with no redials allowed that is fatal', async () => {
    const { log, session } = await openSession(
      { idleTimeoutMs: 200 },
      { keepAliveMs: 60_000, reconnectDelaysMs: [] },
    );
    await until(() => log.ofType('closed').length === 1, 'closed');
    expect(session.isOpen).toBe(false);
    expect(log.ofType('error')).toEqual([{ type: 'error', error: expect.any(Error), fatal: true }]);
    expect(log.ofType('closed')[0]).toEqual({ type: 'closed', code: 1011, reason: NET_0001_REASON });
  });

  it('reopens a socket dropped after an utterance and keeps transcribing the next line', async () => {
    const { log, session, sim } = await openSession({ faults: { dropAfterSegments: 1 } });
    streamTo(session, utterance(0), 'linear16');
    await until(() => log.ofType('reconnected').length === 1, 'reconnected');
    expect(log.ofType('reconnecting')).toEqual([
      { type: 'reconnecting', attempt: 1, code: 1011, reason: NET_0000_REASON },
    ]);
    expect(log.ofType('reconnected')).toEqual([
      { type: 'reconnected', attempt: 1, replayedMs: expect.any(Number) },
    ]);
    expect(session.isOpen).toBe(true);

    streamTo(session, utterance(1), 'linear16');
    await until(() => log.spokenFinals().length === 2, 'second final');
    const [first, second] = log.spokenFinals();
    expect([first!.text, second!.text]).toEqual([script[0]!.text, script[1]!.text]);
    // The second socket's clock restarts at 0; the adapter keeps the session timeline moving forward.
    expect(second!.startSec).toBeGreaterThanOrEqual(first!.startSec + first!.durationSec);
    expect(sim.stats()).toMatchObject({ streamsOpened: 2, drops: 1 });
  });

  it('survives a drop in the middle of an utterance: the words cut off are replayed to the new socket', async () => {
    const { log, session } = await openSession({ faults: { dropAfterAudioSec: 1 } });
    streamTo(session, utterance(0), 'linear16');
    await until(() => log.ofType('reconnecting').length === 1, 'reconnecting');
    expect(() => streamTo(session, silenceS16(200), 'linear16')).not.toThrow();
    await until(() => log.ofType('reconnected').length === 1, 'reconnected');
    expect(log.ofType('reconnected')[0]!.replayedMs).toBeGreaterThan(1000);
    streamTo(session, utterance(1), 'linear16');
    await until(() => log.spokenFinals().length === 2, 'both finals on the new socket');
    // Line 1 was cut off with its socket and sent again from the ring: no words lost.
    expect(log.spokenFinals().map((f) => f.text)).toEqual([script[0]!.text, script[1]!.text]);
  });

  it('redials a socket that stays open but answers nothing while the caller speaks, and replays the words', async () => {
    const { log, session, sim } = await openSession(
      { faults: { stallAfterSegments: 1, maxStalls: 1 } },
      { silentSocketMs: 800 },
    );
    streamTo(session, utterance(0), 'linear16');
    await until(() => log.spokenFinals().length === 1, 'final before the stall');
    // Paced like a phone line (the silence check runs as frames go out); the stalled socket says nothing.
    await streamPaced(session, utterance(1), () => log.spokenFinals().length === 2);
    expect(log.ofType('reconnecting')[0]).toMatchObject({ attempt: 1, code: STT_SILENT_SOCKET_CODE });
    expect(log.spokenFinals().map((f) => f.text)).toEqual([script[0]!.text, script[1]!.text]);
    expect(sim.stats()).toMatchObject({ stalls: 1, streamsOpened: 2 });
  });

  it('gives up with a fatal error after its bounded redials fail', async () => {
    const { log, sim } = await openSession({}, { reconnectDelaysMs: [10, 10, 10], connectTimeoutMs: 1000 });
    await sim.close(); // every stream gets 1001 and nothing listens any more
    await until(() => log.ofType('closed').length === 1, 'closed');
    expect(log.ofType('reconnecting').map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(log.ofType('reconnecting')[0]!.code).toBe(1001);
    expect(log.ofType('reconnected')).toEqual([]);
    expect(log.ofType('error')).toHaveLength(1);
    expect(log.ofType('error')[0]!.fatal).toBe(true);
  });

  it('finalize() yields a from_finalize final with the words heard so far', async () => {
    const { log, session } = await openSession({});
    streamTo(session, clipOf(script[0]!).subarray(0, 32_000), 'linear16'); // 2 s, still speaking
    await until(() => log.ofType('speech-started').length === 1, 'speech started');
    session.finalize();
    await until(() => log.ofType('final').length === 1, 'final');
    expect(log.ofType('final')[0]).toMatchObject({
      text: script[0]!.text,
      fromFinalize: true,
      speechFinal: false,
    });
    expect(session.isOpen).toBe(true);
  });

  it('close() is bounded when the service stops answering, and idempotent', async () => {
    const { log, session } = await openSession(
      { faults: { stallAfterSegments: 1 } },
      { closeTimeoutMs: 150 },
    );
    streamTo(session, utterance(0), 'linear16');
    await until(() => log.spokenFinals().length === 1, 'final before the stall');
    await Promise.all([session.close(), session.close()]);
    expect(log.ofType('closed')).toEqual([{ type: 'closed', code: 1000, reason: 'closed by client' }]);
    expect(session.isOpen).toBe(false);
  });

  it('close() during a redial stops it', async () => {
    const { log, session, sim } = await openSession({}, { reconnectDelaysMs: [300, 300] });
    await sim.close();
    await until(() => log.ofType('reconnecting').length === 1, 'reconnecting');
    await session.close();
    await sleep(700);
    expect(log.ofType('reconnecting')).toHaveLength(1);
    expect(log.ofType('error')).toEqual([]);
    expect(log.ofType('closed')).toHaveLength(1);
  });
});
