import type { TtsVoice } from './types.js';

/** One whole text rendered over HTTP (no socket): the one-shot reply path. */
export interface BytesSynthRequest {
  text: string;
  voice: TtsVoice;
  modelId: string;
  /** s16le mono at this rate. */
  sampleRate: 8000 | 16000;
  signal?: AbortSignal;
}

export interface BytesSynthResult {
  /** s16le mono samples (the container is removed). */
  pcm: Buffer;
  /** From the request to the first audio byte of the body. */
  firstByteMs: number;
}

export interface BytesSynth {
  readonly name: string;
  synthesize(req: BytesSynthRequest): Promise<BytesSynthResult>;
}
