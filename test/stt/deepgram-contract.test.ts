import { afterEach, describe, expect, it } from 'vitest';
import { type DeepgramSim, startDeepgramSim } from '../../sim/deepgram/index.js';
import { silentLogger } from '../../src/log.js';
import { DeepgramSttProvider } from '../../src/providers/stt/deepgram.js';
import type { SttSession } from '../../src/providers/stt/types.js';
import {
  clipOf,
  EventLog,
  PHONE_STT_OPTIONS,
  scriptLines,
  silenceS16,
  streamTo,
  toEncoding,
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

describe('Deepgram adapter (official SDK) against the simulator', () => {
  for (const encoding of ['linear16', 'mulaw'] as const) {
    it(`completes a real exchange with ${encoding} 8 kHz audio`, async () => {
      sim = await startDeepgramSim({ script, env: {} });
      const log = new EventLog();
      const provider = new DeepgramSttProvider({ apiKey: 'sim-key', baseUrl: sim.url });
      // UtteranceEnd 500 ms so it fits inside the 600 ms of trailing silence this test sends.
      session = await provider.open(
        { ...PHONE_STT_OPTIONS, encoding, utteranceEndMs: 500 },
        log.push,
        silentLogger,
      );
      expect(session.isOpen).toBe(true);

      const audio = Buffer.concat([clipOf(script[0]!), silenceS16(600)]);
      streamTo(session, toEncoding(audio, encoding), encoding);
      await until(() => log.ofType('utterance-end').length > 0, 'UtteranceEnd');

      const types = log.events.map((e) => e.type);
      const firstInterim = types.indexOf('interim');
      const finalIndex = types.indexOf('final');
      expect(types[0]).toBe('speech-started');
      expect(firstInterim).toBeGreaterThan(0);
      expect(finalIndex).toBeGreaterThan(firstInterim);
      expect(types.indexOf('utterance-end')).toBeGreaterThan(finalIndex);

      const line = script[0]!.text;
      for (const interim of log.ofType('interim')) expect(line.startsWith(interim.text)).toBe(true);
      const finals = log.spokenFinals();
      expect(finals).toHaveLength(1);
      expect(finals[0]).toMatchObject({ text: line, speechFinal: true, fromFinalize: false });
      // Audio time, not wall time: the clip is 3.09 s and the sim saw 3.69 s in total.
      const [started] = log.ofType('speech-started');
      expect(started!.audioSec).toBeLessThan(0.2);
      expect(finals[0]!.startSec + finals[0]!.durationSec).toBeLessThanOrEqual(3.69);
      expect(log.ofType('utterance-end')[0]!.lastWordEndSec).toBeLessThanOrEqual(3.1);

      await session.close();
      expect(log.ofType('closed')).toEqual([{ type: 'closed', code: 1000, reason: '' }]);
      expect(sim.stats()).toMatchObject({ streamsOpened: 1, segments: 1, closeStreams: 1 });
    });
  }

  it('maps a later utterance to the next script line, and drops audio sent after close', async () => {
    sim = await startDeepgramSim({ script, env: {} });
    const log = new EventLog();
    session = await new DeepgramSttProvider({ apiKey: 'k', baseUrl: sim.url }).open(
      { ...PHONE_STT_OPTIONS, interimResults: false },
      log.push,
      silentLogger,
    );
    streamTo(
      session,
      Buffer.concat([clipOf(script[0]!), silenceS16(700), clipOf(script[1]!), silenceS16(700)]),
      'linear16',
    );
    await until(() => log.spokenFinals().length === 2, 'two finals');
    expect(log.spokenFinals().map((f) => f.text)).toEqual([script[0]!.text, script[1]!.text]);
    expect(log.ofType('interim')).toEqual([]); // requested only for UtteranceEnd's sake, then filtered
    await session.close();
    expect(session.isOpen).toBe(false);
    expect(() => session!.sendAudio(silenceS16(20))).not.toThrow();
  });

  it('rejects open() when the key is refused at the handshake (HTTP 401)', async () => {
    sim = await startDeepgramSim({ script, requiredKey: 'right-key', env: {} });
    const provider = new DeepgramSttProvider({
      apiKey: 'wrong-key',
      baseUrl: sim.url,
      connectTimeoutMs: 2000,
    });
    await expect(provider.open(PHONE_STT_OPTIONS, () => {}, silentLogger)).rejects.toThrow(/401/);
    expect(sim.stats()).toMatchObject({ handshakesRejected: 1, streamsOpened: 0 });
  });
});
