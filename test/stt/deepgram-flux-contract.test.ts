import { afterEach, describe, expect, it } from 'vitest';
import { fixtureClip } from '../../sim/caller/caller.js';
import { lineAudio } from '../../sim/caller/line-audio.js';
import type { CallerLine } from '../../sim/caller/script.js';
import { type DeepgramSim, type DeepgramSimOptions, startDeepgramSim } from '../../sim/deepgram/index.js';
import { NET_0000_REASON } from '../../sim/deepgram/protocol.js';
import { VOICED_RMS } from '../../src/audio/energy.js';
import { silentLogger } from '../../src/log.js';
import { type DeepgramSttConfig, DeepgramSttProvider } from '../../src/providers/stt/deepgram.js';
import type { SttOptions, SttSession } from '../../src/providers/stt/types.js';
import {
  EventLog,
  PHONE_STT_OPTIONS,
  scriptLines,
  silenceS16,
  sleep,
  streamTo,
  toEncoding,
  until,
} from './helpers.js';

const booking = scriptLines('booking-en.json');
const pause = scriptLines('pause-en.json');
const FLUX_OPTIONS: SttOptions = {
  ...PHONE_STT_OPTIONS,
  model: 'flux-general-en',
  flux: { eagerEotThreshold: 0.5, eotThreshold: 0.7, eotTimeoutMs: 5000 },
};
let sim: DeepgramSim | undefined;
let session: SttSession | undefined;

afterEach(async () => {
  await session?.close();
  await sim?.close();
  session = undefined;
  sim = undefined;
});

async function openFlux(
  script: CallerLine[],
  options: Partial<SttOptions> = {},
  simOptions: DeepgramSimOptions = {},
  adapter: Partial<DeepgramSttConfig> = {},
) {
  sim = await startDeepgramSim({ script, env: {}, ...simOptions });
  const log = new EventLog();
  const provider = new DeepgramSttProvider({
    apiKey: 'k',
    baseUrl: sim.url,
    reconnectDelaysMs: [20, 50],
    ...adapter,
  });
  session = await provider.open({ ...FLUX_OPTIONS, ...options }, log.push, silentLogger);
  return { log, session, sim };
}

const spoken = (line: CallerLine, trailingMs = 1000) =>
  Buffer.concat([lineAudio(line, (l) => fixtureClip(l), 8000, VOICED_RMS).pcm, silenceS16(trailingMs)]);

describe('Deepgram adapter, Flux (/v2/listen through the SDK) against the simulator', () => {
  for (const encoding of ['linear16', 'mulaw'] as const) {
    it(`a turn with ${encoding} audio: turn-started + speech-started, interims, eager, end-of-turn`, async () => {
      const { log, session, sim } = await openFlux(booking, { encoding });
      expect(session.isOpen).toBe(true);
      streamTo(session, toEncoding(spoken(booking[0]!), encoding), encoding);
      await until(() => log.ofType('end-of-turn').length === 1, 'end-of-turn');

      const types = log.events.map((e) => e.type).filter((t) => t !== 'interim');
      expect(types).toEqual(['turn-started', 'speech-started', 'eager-end-of-turn', 'end-of-turn']);
      const line = booking[0]!.text;
      expect(log.ofType('interim').length).toBeGreaterThan(0);
      for (const interim of log.ofType('interim')) expect(line.startsWith(interim.text)).toBe(true);
      const [eager] = log.ofType('eager-end-of-turn');
      const [end] = log.ofType('end-of-turn');
      expect(eager).toMatchObject({ text: line });
      expect(end).toMatchObject({ text: line });
      expect(end!.confidence).toBeGreaterThanOrEqual(0.7);
      expect(log.ofType('speech-started')[0]!.audioSec).toBeLessThan(0.2);

      await session.close();
      // §5 Flux item 5: CloseStream ends with a close without a status code.
      expect(log.ofType('closed')).toEqual([{ type: 'closed', code: 1005, reason: '' }]);
      expect(sim.stats()).toMatchObject({ streamsOpened: 1, segments: 1, closeStreams: 1 });
    });
  }

  it('a sentence with a mid-sentence pause is one end-of-turn, with the whole sentence', async () => {
    const { log, session } = await openFlux(pause);
    streamTo(session, spoken(pause[0]!), 'linear16');
    await until(() => log.ofType('end-of-turn').length === 1, 'end-of-turn');
    await sleep(100);
    expect(log.ofType('end-of-turn')).toEqual([
      { type: 'end-of-turn', text: pause[0]!.text, confidence: expect.any(Number) },
    ]);
    expect(log.ofType('turn-started')).toHaveLength(1);
  });

  it('with a low eager threshold the pause gives eager-end-of-turn, then turn-resumed', async () => {
    const { log, session } = await openFlux(pause, {
      flux: { eagerEotThreshold: 0.3, eotThreshold: 0.7, eotTimeoutMs: 5000 },
    });
    streamTo(session, spoken(pause[0]!), 'linear16');
    await until(() => log.ofType('end-of-turn').length === 1, 'end-of-turn');
    const turnEvents = log.events.filter((e) => e.type.includes('turn'));
    expect(turnEvents.map((e) => e.type)).toEqual([
      'turn-started',
      'eager-end-of-turn',
      'turn-resumed',
      'eager-end-of-turn',
      'end-of-turn',
    ]);
    expect(log.ofType('eager-end-of-turn')[0]!.text).toBe(pause[0]!.parts![0]!.text);
  });

  it('without an eager threshold there are no eager or resumed events', async () => {
    const { log, session } = await openFlux(pause, { flux: { eotThreshold: 0.7, eotTimeoutMs: 5000 } });
    streamTo(session, spoken(pause[0]!), 'linear16');
    await until(() => log.ofType('end-of-turn').length === 1, 'end-of-turn');
    expect(log.ofType('eager-end-of-turn')).toEqual([]);
    expect(log.ofType('turn-resumed')).toEqual([]);
  });

  it('keeps an idle stream open with WebSocket pings (v2 has no KeepAlive message)', async () => {
    const { log, session, sim } = await openFlux(booking, {}, { idleTimeoutMs: 200 }, { keepAliveMs: 50 });
    await sleep(700);
    expect(session.isOpen).toBe(true);
    expect(log.events).toEqual([]);
    expect(sim.stats()).toMatchObject({ idleTimeouts: 0, badMessages: 0 });
    expect(sim.stats().keepAlives).toBeGreaterThanOrEqual(5);
  });

  it('redials a dropped socket and carries on with the next line', async () => {
    const { log, session, sim } = await openFlux(booking, {}, { faults: { dropAfterSegments: 1 } });
    streamTo(session, spoken(booking[0]!), 'linear16');
    await until(() => log.ofType('reconnected').length === 1, 'reconnected');
    expect(log.ofType('reconnecting')).toEqual([
      { type: 'reconnecting', attempt: 1, code: 1011, reason: NET_0000_REASON },
    ]);
    streamTo(session, spoken(booking[2]!), 'linear16');
    await until(() => log.ofType('end-of-turn').length === 2, 'second end-of-turn');
    expect(log.ofType('end-of-turn').map((e) => e.text)).toEqual([booking[0]!.text, booking[1]!.text]);
    expect(sim.stats()).toMatchObject({ streamsOpened: 2, drops: 1 });
  });

  it('finalize() is a no-op on Flux: the stream stays open and healthy', async () => {
    const { log, session, sim } = await openFlux(booking);
    session.finalize();
    streamTo(session, spoken(booking[0]!), 'linear16');
    await until(() => log.ofType('end-of-turn').length === 1, 'end-of-turn');
    expect(session.isOpen).toBe(true);
    expect(sim.stats().badMessages).toBe(0);
  });
});
