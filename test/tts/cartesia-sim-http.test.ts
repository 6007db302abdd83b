import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CartesiaSim, startCartesiaSim } from '../../sim/cartesia/index.js';
import { rmsS16le } from '../../src/audio/energy.js';
import { Cartesia, type CartesiaClient } from '../../src/providers/tts/cartesia-sdk.js';
import { FAST_SIM } from './cartesia-harness.js';

const REQUEST = {
  model_id: 'sonic-3',
  transcript: 'Your plumber is on the way.',
  voice: { mode: 'id', id: 'sim-voice-en' },
  language: 'en',
} as const;

let sim: CartesiaSim;
let client: CartesiaClient;
beforeAll(async () => {
  sim = await startCartesiaSim({ ...FAST_SIM, apiKey: 'sim-key', voices: ['sim-voice-en'] });
  client = new Cartesia({ apiKey: 'sim-key', baseURL: sim.url, maxRetries: 0 });
});
afterAll(() => sim.close());

describe('Cartesia simulator HTTP endpoints through the SDK', () => {
  it('POST /tts/bytes returns the whole audio as the body (raw and wav)', async () => {
    const raw = await client.tts.generate({
      ...REQUEST,
      output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 8000 },
    });
    const pcm = Buffer.from(await raw.arrayBuffer());
    expect(pcm.length / 16000).toBeGreaterThan(1.2); // 27 characters is ~1.8 s
    expect(rmsS16le(pcm)).toBeGreaterThan(1500);

    const wav = await client.tts.generate({
      ...REQUEST,
      output_format: { container: 'wav', encoding: 'pcm_s16le', sample_rate: 8000 },
    });
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    const file = Buffer.from(await wav.arrayBuffer());
    expect(file.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(file.length).toBe(pcm.length + 44);
  });

  it('POST /tts/bytes with an unknown voice is a 404', async () => {
    await expect(
      client.tts.generate({
        ...REQUEST,
        voice: { mode: 'id', id: 'nobody' },
        output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 8000 },
      }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('POST /tts/sse streams chunk events then done, and the SDK parses every one', async () => {
    const stream = await client.tts.generateSSE({
      ...REQUEST,
      output_format: { container: 'raw', encoding: 'pcm_mulaw', sample_rate: 8000 },
      add_timestamps: true,
    });
    const types: string[] = [];
    let bytes = 0;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'chunk') bytes += Buffer.from(event.data, 'base64').length;
    }
    expect(types.at(-1)).toBe('done');
    expect(types).toContain('timestamps');
    expect(bytes / 8000).toBeGreaterThan(1.2);
  });

  it('refuses a wrong key with 401', async () => {
    const wrong = new Cartesia({ apiKey: 'nope', baseURL: sim.url, maxRetries: 0 });
    await expect(
      wrong.tts.generate({
        ...REQUEST,
        output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 8000 },
      }),
    ).rejects.toMatchObject({ status: 401 });
  });
});
