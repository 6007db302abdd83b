import { mulawToLinear } from '../../src/audio/g711.js';
import { BYTES_PER_SAMPLE, type SupportedEncoding } from './protocol.js';

/**
 * Turns binary frames into channel-0 samples and keeps the audio clock. docs/protocols/deepgram-live.md §5
 * item 1: every time the simulator reports is `bytes / (sample_rate × channels × bytes_per_sample)`, never
 * the wall clock. Frames may split a sample or an interleaved frame; the remainder waits for the next frame.
 */
export class AudioDecoder {
  private readonly bytesPerFrame: number;
  private remainder: Buffer = Buffer.alloc(0);
  private totalBytes = 0;

  constructor(
    private readonly encoding: SupportedEncoding,
    readonly sampleRate: number,
    readonly channels: number,
  ) {
    this.bytesPerFrame = BYTES_PER_SAMPLE[encoding] * channels;
  }

  get bytesReceived(): number {
    return this.totalBytes;
  }

  /** Seconds of audio received so far, partial frames included. */
  get audioSeconds(): number {
    return this.totalBytes / (this.bytesPerFrame * this.sampleRate);
  }

  /** Channel-0 samples completed by this chunk (the endpointer listens to the first channel only). */
  push(chunk: Buffer): Int16Array {
    this.totalBytes += chunk.length;
    const data = this.remainder.length ? Buffer.concat([this.remainder, chunk]) : chunk;
    const frames = Math.floor(data.length / this.bytesPerFrame);
    const samples = new Int16Array(frames);
    if (this.encoding === 'mulaw') {
      for (let i = 0; i < frames; i++) samples[i] = mulawToLinear(data[i * this.bytesPerFrame]!);
    } else {
      for (let i = 0; i < frames; i++) samples[i] = data.readInt16LE(i * this.bytesPerFrame);
    }
    this.remainder = Buffer.from(data.subarray(frames * this.bytesPerFrame));
    return samples;
  }
}
