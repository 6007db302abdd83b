import { ByteQueue } from '../../audio/byte-queue.js';
import { rmsS16le } from '../../audio/energy.js';
import { LevelHistory } from '../../audio/level-history.js';
import { pcmDurationMs } from '../../audio/pcm.js';
import type { FrameScheduler, ScheduledStream } from './frame-scheduler.js';
import { silenceFrame, writeHeader } from './frame-serializer.js';
import { audioKindOfRate, HEADER_BYTES, type SampleRate } from './frames.js';

export interface PacerFormat {
  sampleRate: SampleRate;
  /** Payload bytes of one 20 ms frame at that rate. */
  frameBytes: number;
}

export interface CallPacerOptions {
  scheduler: FrameScheduler;
  /** Format used until `start()` gives the negotiated one (for `queuedMs` before the call's format is known). */
  format: PacerFormat;
  /** Writes one whole frame to the wire; returns false when it had to be dropped (slow consumer). */
  send(frame: Buffer): boolean;
  /**
   * True when the last frame `send` took has gone to the wire entirely (nothing holds its buffer),
   * so the next agent frame may be written into the same buffer. Without it every frame is new.
   */
  frameReleased?: () => boolean;
  /** The queue ran dry after agent audio: the reply has finished playing. */
  onPlayoutDone(): void;
  /** The pacing task threw (its stream is already stopped): end this call, and only it. */
  onError?: (err: unknown) => void;
  /** A frame served more than this after its deadline counts as late (default 5 ms). */
  lateMs?: number;
  /** Audio resuming this soon after the queue ran dry counts as an underrun (default 300 ms). */
  underrunWindowMs?: number;
}

export interface PacerCounters {
  /** Every frame written, agent audio and silence fill. */
  framesSent: number;
  /** Frames that carried agent audio. */
  agentFrames: number;
  /** Agent audio stopped (the queue ran dry) and resumed within `underrunWindowMs`. */
  underruns: number;
  /** Frames served more than `lateMs` after their deadline. */
  lateFrames: number;
  /** Times the schedule fell too far behind and was moved to now instead of bursting. */
  resyncs: number;
  /** Frames the wire refused (slow consumer). */
  droppedFrames: number;
}

export function emptyPacerCounters(): PacerCounters {
  return { framesSent: 0, agentFrames: 0, underruns: 0, lateFrames: 0, resyncs: 0, droppedFrames: 0 };
}

/**
 * Agent audio playout for one AudioSocket call. Asterisk neither buffers nor paces
 * (docs/protocols/audiosocket.md §6), so this writes exactly one frame per 20 ms tick of the shared
 * `FrameScheduler` for the whole call: queued agent audio when there is some (a short last frame is padded
 * with silence), digital silence otherwise (the 2 s no-traffic rule, §6, §16).
 *
 * A reply's first frame leaves the moment a full frame of it exists: the call's frame clock is
 * re-phased to that instant rather than waiting up to 20 ms for the next tick. Less than a frame
 * waits for the tick (sent padded if nothing more arrived), so a tiny first chunk is not split.
 *
 * Underrun: the queue ran dry (a tick found nothing to play, `playoutDone` fired) and agent audio
 * arrived again within `underrunWindowMs`, i.e. the caller heard a gap inside what was one reply
 * because audio arrived slower than real time. A longer pause is taken to be a new reply.
 */
export class CallPacer {
  private readonly scheduler: FrameScheduler;
  private readonly sendFrame: (frame: Buffer) => boolean;
  private readonly frameReleased: (() => boolean) | undefined;
  /** The last agent frame's buffer, free for the next one (see `frameReleased`). */
  private spare: Buffer | null = null;
  private readonly onPlayoutDone: () => void;
  private readonly onError: ((err: unknown) => void) | undefined;
  private readonly lateMs: number;
  private readonly underrunWindowMs: number;
  private readonly queue = new ByteQueue();
  private readonly levels = new LevelHistory();
  private format: PacerFormat;
  private kind: number;
  /** The shared silence frame of `format` (looked up once, not by a string key every 20 ms). */
  private silence: Buffer;
  private stream: ScheduledStream | null = null;
  /** The last frame written carried agent audio. */
  private speaking = false;
  /** When the queue last ran dry after agent audio (for underrun detection); null after a flush. */
  private dryAt: number | null = null;
  private playedBytes = 0;
  private readonly counters: PacerCounters = emptyPacerCounters();

  constructor(opts: CallPacerOptions) {
    this.scheduler = opts.scheduler;
    this.sendFrame = opts.send;
    this.frameReleased = opts.frameReleased;
    this.onPlayoutDone = opts.onPlayoutDone;
    this.onError = opts.onError;
    this.lateMs = opts.lateMs ?? 5;
    this.underrunWindowMs = opts.underrunWindowMs ?? 300;
    this.format = opts.format;
    this.kind = audioKindOfRate(opts.format.sampleRate);
    this.silence = silenceFrame(opts.format.sampleRate, opts.format.frameBytes);
  }

  get started(): boolean {
    return this.stream !== null;
  }

  /** Agent audio is queued or its last frame is still playing. */
  get busy(): boolean {
    return this.queue.length > 0 || this.speaking;
  }

  /** Starts the frame clock in `format`; the first frame (audio or silence) goes out now. */
  start(format: PacerFormat): void {
    if (this.stream) return;
    this.format = format;
    this.kind = audioKindOfRate(format.sampleRate);
    this.silence = silenceFrame(format.sampleRate, format.frameBytes);
    this.sendNext();
    this.stream = this.scheduler.add(
      this.onFrameDue,
      this.scheduler.clock.now() + this.scheduler.frameMs,
      (err) => {
        this.stream = null;
        this.onError?.(err);
      },
    );
  }

  stop(): void {
    if (this.stream) this.scheduler.remove(this.stream);
    this.stream = null;
    this.queue.clear();
    this.speaking = false;
  }

  /** Queues agent audio (s16le at the call's rate). */
  play(audio: Buffer): void {
    if (audio.length === 0) return;
    const now = this.scheduler.clock.now();
    if (!this.speaking && this.dryAt !== null && now - this.dryAt <= this.underrunWindowMs) {
      this.counters.underruns++;
    }
    this.dryAt = null;
    this.queue.push(audio);
    if (this.stream && !this.speaking && this.queue.length >= this.format.frameBytes) {
      this.sendNext();
      this.scheduler.rephase(this.stream, now + this.scheduler.frameMs);
    }
  }

  /** Drops queued agent audio now (barge-in); the next frame is silence. Returns the ms dropped. */
  flush(): number {
    const dropped = this.queue.clear();
    this.speaking = false;
    this.dryAt = null;
    return pcmDurationMs(dropped, this.format.sampleRate);
  }

  queuedMs(): number {
    return pcmDurationMs(this.queue.length, this.format.sampleRate);
  }

  playedMs(): number {
    return pcmDurationMs(this.playedBytes, this.format.sampleRate);
  }

  /**
   * Max RMS of what was sent in the last `windowMs`, counted both in wall time and in frames (every
   * frame is recorded, silence as 0): on a busy machine frames go out late, and the echo of the last
   * agent frames must still count as echo when it comes back late too.
   */
  recentOutputRms(windowMs: number): number {
    return this.levels.maxSince(
      this.scheduler.clock.now(),
      windowMs,
      Math.ceil(windowMs / this.scheduler.frameMs),
    );
  }

  stats(): Readonly<PacerCounters> {
    return this.counters;
  }

  private readonly onFrameDue = (lateByMs: number, resynced: boolean): void => {
    if (lateByMs > this.lateMs) this.counters.lateFrames++;
    if (resynced) this.counters.resyncs++;
    this.sendNext();
  };

  private sendNext(): void {
    const { frameBytes } = this.format;
    if (this.queue.length === 0) {
      const endOfAudio = this.speaking;
      this.speaking = false;
      if (this.write(this.silence)) this.levels.record(this.scheduler.clock.now(), 0);
      if (endOfAudio) {
        this.dryAt = this.scheduler.clock.now();
        this.onPlayoutDone();
      }
      return;
    }
    const frame = this.agentFrameBuffer(HEADER_BYTES + frameBytes);
    writeHeader(frame, this.kind, frameBytes);
    const audioBytes = this.queue.takeInto(frame, HEADER_BYTES, frameBytes);
    if (audioBytes < frameBytes) frame.fill(0, HEADER_BYTES + audioBytes);
    this.speaking = true;
    const sent = this.write(frame);
    // Dropped, or written out in full: the buffer is ours again. Still queued in the socket: not.
    if (this.frameReleased && (!sent || this.frameReleased())) this.spare = frame;
    if (sent) {
      this.counters.agentFrames++;
      this.playedBytes += audioBytes;
      this.levels.record(
        this.scheduler.clock.now(),
        rmsS16le(frame, HEADER_BYTES, HEADER_BYTES + audioBytes),
      );
    }
  }

  /**
   * The spare buffer when there is one of the right size. A reusable one gets its own memory (not a
   * slice of Node's shared 8 KiB pool, which it would pin for the whole call).
   */
  private agentFrameBuffer(bytes: number): Buffer {
    const spare = this.spare;
    this.spare = null;
    if (spare !== null && spare.length === bytes) return spare;
    return this.frameReleased ? Buffer.allocUnsafeSlow(bytes) : Buffer.allocUnsafe(bytes);
  }

  private write(frame: Buffer): boolean {
    if (this.sendFrame(frame)) {
      this.counters.framesSent++;
      return true;
    }
    this.counters.droppedFrames++;
    return false;
  }
}
