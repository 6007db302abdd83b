import type { SttEvent } from './types.js';

/** Least voiced audio since the socket's last message before its silence counts as a stall. */
const MIN_VOICED_MS = 300;

/**
 * Recent caller audio by its position in the call (bytes since the session started), bounded, so a
 * redialled STT socket can be sent again what the lost one never finalised.
 */
export class CallerAudioRing {
  private readonly chunks: { at: number; data: Buffer }[] = [];
  private bytes = 0;
  private end = 0;
  /** The call's audio up to here has final transcripts: a redial need not send it again. */
  private confirmedAt = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly bytesPerSec: number,
  ) {}

  /** Moves the confirmed position on from a transcript event (its times are call times, in seconds). */
  noteConfirmed(event: SttEvent): void {
    let at: number | undefined;
    if (event.type === 'final') at = (event.startSec + event.durationSec) * this.bytesPerSec;
    else if (event.type === 'utterance-end') at = event.lastWordEndSec * this.bytesPerSec;
    else if (event.type === 'end-of-turn') at = this.end; // Flux gives no times: all heard so far
    if (at !== undefined) this.confirmedAt = Math.max(this.confirmedAt, Math.floor(at));
  }

  /** What has no final transcript yet, as far as the ring reaches. */
  unconfirmed(): { from: number; chunks: Buffer[] } {
    return this.since(this.confirmedAt);
  }

  /** Bytes of caller audio seen so far: the position of the next chunk. */
  get position(): number {
    return this.end;
  }

  append(chunk: Buffer): void {
    if (this.maxBytes > 0) {
      this.chunks.push({ at: this.end, data: chunk });
      this.bytes += chunk.length;
      while (this.bytes > this.maxBytes && this.chunks.length > 1)
        this.bytes -= this.chunks.shift()!.data.length;
    }
    this.end += chunk.length;
  }

  /** The audio from `from` on (or from the oldest kept, if later), and the position it starts at. */
  since(from: number): { from: number; chunks: Buffer[] } {
    const out: Buffer[] = [];
    let start = this.end;
    for (const { at, data } of this.chunks) {
      if (at + data.length <= from) continue;
      const skip = Math.max(0, from - at);
      if (out.length === 0) start = at + skip;
      out.push(skip ? data.subarray(skip) : data);
    }
    return { from: start, chunks: out };
  }
}

/**
 * A socket that stays open but answers nothing: the caller started speaking (voiced audio sent) at
 * least `silentMs` ago, with some voice since, and no message at all came back meanwhile. Measured
 * from the caller's first voiced audio, not the last message: a healthy socket may say nothing
 * through a long silence, but answers speech within a second (SpeechStarted, interims).
 */
export class SilentSocketWatch {
  private voicedSince: number | undefined;
  private voicedBytes = 0;

  constructor(
    /** 0: never. */
    private readonly silentMs: number,
    private readonly bytesPerSec: number,
  ) {}

  /** A socket was adopted or sent a message. */
  heard(): void {
    this.voicedSince = undefined;
    this.voicedBytes = 0;
  }

  /** Audio went out; true once the socket counts as silent. */
  sent(bytes: number, voiced: boolean, now: number): boolean {
    if (this.silentMs <= 0) return false;
    if (voiced) {
      this.voicedSince ??= now;
      this.voicedBytes += bytes;
    }
    return (
      this.voicedSince !== undefined &&
      now - this.voicedSince >= this.silentMs &&
      this.voicedBytes >= (MIN_VOICED_MS / 1000) * this.bytesPerSec
    );
  }
}
