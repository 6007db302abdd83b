import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeepgramSim, startDeepgramSim } from '../../sim/deepgram/index.js';
import { buildWav } from '../../src/audio/wav.js';
import { DeepgramPrerecordedStt, restBaseUrl } from '../../src/providers/stt/deepgram-prerecorded.js';
import type { PrerecordedOptions } from '../../src/providers/stt/prerecorded.js';

const CLIP = new URL(
  '../../fixtures/audio/hi-the-pipe-under-my-kitchen-sink-is-leaking.wav',
  import.meta.url,
);
const LINES = ['Hi, the pipe under my kitchen sink is leaking.', 'Yes please, go ahead.'];
const OPTIONS: PrerecordedOptions = {
  model: 'nova-3',
  language: 'en-GB',
  smartFormat: true,
  keyterms: ['plumber'],
};

let sim: DeepgramSim;
let stt: DeepgramPrerecordedStt;
beforeAll(async () => {
  sim = await startDeepgramSim({ env: {}, script: LINES, requiredKey: 'sim-key' });
  stt = new DeepgramPrerecordedStt({ apiKey: 'sim-key', baseUrl: sim.url });
});
afterAll(() => sim.close());

/** A 440 Hz tone at speech level, s16le mono. */
function tone(seconds: number, rate: number): Buffer {
  const out = Buffer.alloc(Math.round(seconds * rate) * 2);
  for (let i = 0; i < out.length / 2; i++)
    out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return out;
}

describe('Deepgram pre-recorded adapter (official SDK) against the simulator', () => {
  it('maps the live base URL to its REST form', () => {
    expect(restBaseUrl('wss://api.deepgram.com')).toBe('https://api.deepgram.com');
    expect(restBaseUrl('ws://127.0.0.1:1234')).toBe('http://127.0.0.1:1234');
    expect(restBaseUrl('https://example.test')).toBe('https://example.test');
  });

  it('transcribes the committed WAV fixture: one utterance, the first scripted line', async () => {
    const result = await stt.transcribe(readFileSync(CLIP), OPTIONS);
    expect(result.text).toBe(LINES[0]);
    expect(result.audioSec).toBeGreaterThan(3);
    expect(result.audioSec).toBeLessThan(5);
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.stats().prerecordedRequests).toBeGreaterThanOrEqual(1);
  });

  it('finds speech by energy: silence is an empty transcript, two bursts take two lines', async () => {
    const silent = buildWav(Buffer.alloc(16000 * 2), { sampleRate: 16000, channels: 1 });
    expect((await stt.transcribe(silent, OPTIONS)).text).toBe('');

    const gap = Buffer.alloc(8000 * 2); // 1 s of silence at 8 kHz
    const two = buildWav(Buffer.concat([gap, tone(0.8, 8000), gap, tone(0.8, 8000), gap]), {
      sampleRate: 8000,
      channels: 1,
    });
    expect((await stt.transcribe(two, OPTIONS)).text).toBe(LINES.join(' '));
  });

  it('rejects a broken WAV with a 400 and a wrong key with a 401', async () => {
    const truncated = readFileSync(CLIP).subarray(0, 30);
    await expect(stt.transcribe(truncated, OPTIONS)).rejects.toMatchObject({ statusCode: 400 });
    const bad = new DeepgramPrerecordedStt({ apiKey: 'nope', baseUrl: sim.url });
    await expect(bad.transcribe(readFileSync(CLIP), OPTIONS)).rejects.toMatchObject({ statusCode: 401 });
  });
});
