import { readWav } from '../../audio/wav-reader.js';
import type { BytesSynth, BytesSynthRequest, BytesSynthResult } from './bytes-synth.js';
import { Cartesia, type CartesiaClient } from './cartesia-sdk.js';
import { generationConfigOf } from './cartesia-session.js';

export interface CartesiaBytesConfig {
  apiKey: string;
  /** `https://api.cartesia.ai` or a simulator's `http://127.0.0.1:PORT` (CARTESIA_BASE_URL). */
  baseURL: string;
  timeoutMs?: number;
  /** Bound on one reply's audio: a runaway body must not fill memory (about 10 min at 16 kHz). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

/** Cartesia `POST /tts/bytes` (the SDK's `tts.generate`) with a WAV container, read as it streams. */
export class CartesiaBytesSynth implements BytesSynth {
  readonly name = 'cartesia';
  private readonly client: CartesiaClient;

  constructor(private readonly config: CartesiaBytesConfig) {
    this.client = new Cartesia({
      apiKey: config.apiKey,
      baseURL: config.baseURL,
      timeout: config.timeoutMs ?? 30_000,
      maxRetries: 0, // interactive: fail fast
    });
  }

  async synthesize(req: BytesSynthRequest): Promise<BytesSynthResult> {
    if (this.config.apiKey.trim() === '') throw new Error('Cartesia API key is empty (CARTESIA_API_KEY)');
    const started = performance.now();
    const generation = generationConfigOf(req.voice);
    const response = await this.client.tts.generate(
      {
        model_id: req.modelId,
        transcript: req.text,
        voice: { mode: 'id', id: req.voice.voiceId },
        language: req.voice.language,
        output_format: { container: 'wav', encoding: 'pcm_s16le', sample_rate: req.sampleRate },
        ...(generation ? { generation_config: generation } : {}),
      },
      req.signal ? { signal: req.signal } : {},
    );
    if (!response.body) throw new Error('Cartesia /tts/bytes returned no body');
    const max = this.config.maxBytes ?? DEFAULT_MAX_BYTES;
    const parts: Buffer[] = [];
    let size = 0;
    let firstByteMs: number | undefined;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > max) throw new Error(`Cartesia audio over ${max} bytes; stopped reading`);
      parts.push(Buffer.from(chunk));
      // The first chunk may be only the 44-byte header; audio starts after it.
      if (firstByteMs === undefined && size > 44) firstByteMs = performance.now() - started;
    }
    const wav = readWav(Buffer.concat(parts), { streamed: true });
    if (wav.format.sampleRate !== req.sampleRate || wav.format.channels !== 1) {
      throw new Error(
        `Cartesia returned ${wav.format.sampleRate} Hz x${wav.format.channels}, asked for mono ${req.sampleRate}`,
      );
    }
    return { pcm: Buffer.from(wav.pcm), firstByteMs: firstByteMs ?? performance.now() - started };
  }
}
