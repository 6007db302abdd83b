import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CartesiaSim, startCartesiaSim } from '../../sim/cartesia/index.js';
import { rmsS16le } from '../../src/audio/energy.js';
import { silentLogger } from '../../src/log.js';
import { CartesiaTtsProvider } from '../../src/providers/tts/cartesia.js';
import { CartesiaBytesSynth } from '../../src/providers/tts/cartesia-bytes.js';
import { FAST_SIM, VOICE_EN } from './cartesia-harness.js';

const TEXT = 'Your plumber is on the way.';

let sim: CartesiaSim;
let synth: CartesiaBytesSynth;
beforeAll(async () => {
  sim = await startCartesiaSim({ ...FAST_SIM, apiKey: 'sim-key' });
  synth = new CartesiaBytesSynth({ apiKey: 'sim-key', baseURL: sim.url });
});
afterAll(() => sim.close());

describe('Cartesia /tts/bytes adapter (official SDK) against the simulator', () => {
  it.each([8000, 16000] as const)('returns voiced mono s16le at %i Hz, container removed', async (rate) => {
    const out = await synth.synthesize({ text: TEXT, voice: VOICE_EN, modelId: 'sonic-3', sampleRate: rate });
    const seconds = out.pcm.length / (rate * 2);
    expect(seconds).toBeGreaterThan(1); // 27 characters at the simulator's speaking rate
    expect(seconds).toBeLessThan(6);
    expect(rmsS16le(out.pcm)).toBeGreaterThan(1000);
    expect(out.pcm.subarray(0, 4).toString('latin1')).not.toBe('RIFF');
    expect(out.firstByteMs).toBeGreaterThanOrEqual(0);
  });

  it('is the same synthetic voice as the socket for the same text', async () => {
    const provider = new CartesiaTtsProvider({ apiKey: 'sim-key', baseURL: sim.url });
    const session = await provider.open(
      { modelId: 'sonic-3', encoding: 'pcm_s16le', sampleRate: 8000 },
      silentLogger,
    );
    try {
      const viaSocket = await session.synthesize(TEXT, VOICE_EN);
      const viaBytes = await synth.synthesize({
        text: TEXT,
        voice: VOICE_EN,
        modelId: 'sonic-3',
        sampleRate: 8000,
      });
      expect(viaBytes.pcm.length).toBe(viaSocket.length);
      expect(Buffer.compare(viaBytes.pcm, viaSocket)).toBe(0);
    } finally {
      await session.close();
    }
  });

  it('surfaces a refused key as an error', async () => {
    const bad = new CartesiaBytesSynth({ apiKey: 'wrong-key', baseURL: sim.url });
    await expect(
      bad.synthesize({ text: TEXT, voice: VOICE_EN, modelId: 'sonic-3', sampleRate: 8000 }),
    ).rejects.toThrow();
  });
});
