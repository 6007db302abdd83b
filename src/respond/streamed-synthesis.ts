import type { BytesSynthResult } from '../providers/tts/bytes-synth.js';
import { firstSentenceEnd } from './first-sentence.js';

export interface SynthesisOutcome {
  pcm: Buffer;
  /** First audio byte of the first request, from that request. */
  firstByteMs: number;
  /** performance.now() when the first request went out and when the last one finished. */
  startedAt: number;
  doneAt: number;
  requests: number;
}

/**
 * Synthesis that starts before the reply is complete: the first sentence goes to the TTS as soon as
 * it has streamed in, the rest once the completion ends. Two requests at most, run in parallel and
 * joined in order; each is a whole sentence or more, so prosody stays natural.
 */
export class StreamedSynthesis {
  private text = '';
  private cut = -1;
  private readonly jobs: Promise<BytesSynthResult>[] = [];
  private startedAt: number | undefined;

  constructor(private readonly synthesize: (text: string) => Promise<BytesSynthResult>) {}

  /** The first request's start; undefined until then. */
  get firstRequestAt(): number | undefined {
    return this.startedAt;
  }

  push(delta: string): void {
    this.text += delta;
    if (this.cut >= 0) return;
    const end = firstSentenceEnd(this.text);
    if (end < 0) return;
    this.cut = end;
    this.start(this.text.slice(0, end));
  }

  /** The reply is complete: synthesise what is left, then wait for all audio. */
  async finish(): Promise<SynthesisOutcome> {
    const rest = this.text.slice(Math.max(this.cut, 0)).trim();
    if (rest) this.start(rest);
    if (this.jobs.length === 0) throw new Error('nothing to synthesise: the reply is empty');
    const results = await Promise.all(this.jobs);
    return {
      pcm: Buffer.concat(results.map((r) => r.pcm)),
      firstByteMs: results[0]!.firstByteMs,
      startedAt: this.startedAt!,
      doneAt: performance.now(),
      requests: results.length,
    };
  }

  private start(text: string): void {
    this.startedAt ??= performance.now();
    const job = this.synthesize(text.trim());
    job.catch(() => {}); // surfaced by finish(); the reply may still be streaming when this fails
    this.jobs.push(job);
  }
}
